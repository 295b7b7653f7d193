"""Load: ten browser sessions read pages while another session uploads and flags; nothing errors,
no flag is lost.

It runs against a real `streamlit run` server (one process, one DuckDB connection, a cursor per
script thread), which is what concurrent users meet. AppTest is not used here: several AppTest
instances in one process share Streamlit globals and fail on their own, not on the app.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cs_analytics.core.db import close_workspace, open_workspace
from conftest import ROOT, choose_option, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

READER_SESSIONS = 10
ROUNDS = 1  # ten sessions read while the writer flags and uploads
FLAGS_PER_ROUND = 2
PAGES = ("", "revenue", "cohorts", "health", "reality", "account", "data")
STEP_MS = 180_000


def flaggable_accounts(workspace: Path, count: int) -> list[str]:
    from cs_analytics.reality.quadrants import quadrants

    ws = open_workspace(workspace)
    accounts = quadrants(ws)["account_id"].sort_values().head(count).tolist()
    close_workspace(workspace)  # the server process needs the file
    return accounts


def open_in_app(page, title: str) -> None:
    """Follow the sidebar link to a page: same browser session, so the display name is kept."""
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    wait_for_app(page, STEP_MS)


def flag_through_the_page(page, account: str) -> None:
    choose_option(page, "Account", account, STEP_MS)
    page.get_by_role("button", name="Flag", exact=True).click()
    wait_for_app(page, STEP_MS)
    page.get_by_text(f"Flagged {account}").wait_for(timeout=STEP_MS)


def upload_through_the_page(page, sample: Path) -> None:
    open_in_app(page, "Data")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(sample))
    page.get_by_text("Append to the table").wait_for(timeout=STEP_MS)
    wait_for_app(page, STEP_MS)
    page.get_by_text("Append to the table").click()
    wait_for_app(page, STEP_MS)
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_text("rows into nps").first.wait_for(timeout=STEP_MS)
    open_in_app(page, "Reality")


@pytest.fixture
def small_demo_path(small_demo_master_path, tmp_path) -> Path:
    """A private copy of the 200-account demo: concurrency is the subject here, not data size (the
    1,200-account demo made these two tests 150 s of CI; the page-settle benchmark covers size)."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master_path, path)
    return path


def test_ten_sessions_read_while_another_uploads_and_flags(app_server, _playwright_browser, small_demo_path):
    accounts = flaggable_accounts(small_demo_path, ROUNDS * FLAGS_PER_ROUND)
    server = app_server(small_demo_path)
    context = _playwright_browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(STEP_MS)
    readers = [context.new_page() for _ in range(READER_SESSIONS)]
    writer = _playwright_browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
    writer.set_default_timeout(STEP_MS)
    writer.goto(f"{server.url}/reality?tab=Flags")
    wait_for_app(writer, STEP_MS)
    writer.get_by_label("Your name (recorded with every flag you make)").fill("Load CSM")
    writer.get_by_role("button", name="Use this name").click()
    wait_for_app(writer, STEP_MS)

    flagged: list[str] = []
    try:
        for round_no in range(ROUNDS):
            for i, reader in enumerate(readers):  # all ten sessions start their script runs at once
                reader.goto(f"{server.url}/{PAGES[(i + round_no) % len(PAGES)]}", wait_until="commit")
            for account in accounts[round_no * FLAGS_PER_ROUND:(round_no + 1) * FLAGS_PER_ROUND]:
                flag_through_the_page(writer, account)
                flagged.append(account)
            if round_no == ROUNDS - 1:
                upload_through_the_page(writer, ROOT / "data" / "samples" / "nps.jsonl")
            for reader in readers:
                wait_for_app(reader, STEP_MS)  # fails on any Streamlit exception element
    finally:
        context.close()
        writer.context.close()
        server.stop()

    ws = open_workspace(small_demo_path)
    stored = ws.query("SELECT account_id FROM flags WHERE user_name = 'Load CSM' AND action = 'flag'")
    uploads = ws.scalar("SELECT count(*) FROM uploads WHERE table_name = 'nps' AND mode = 'append' AND status = 'loaded'")
    close_workspace(small_demo_path)
    assert sorted(stored["account_id"]) == sorted(flagged) and len(flagged) == ROUNDS * FLAGS_PER_ROUND
    assert uploads == 1


CLI_FLAGS = 20
# twenty commands queue for one file behind each other and the app's script runs: the last one
# may wait longer than the default 10 s on a loaded machine; with --wait 0 they fail at once
CLI_WAIT_SECONDS = 60
APP_PAGES_DURING_FLAGS = ("", "reality", "health")


def test_twenty_cli_flag_processes_while_the_app_serves_the_same_workspace(
        app_server, _playwright_browser, small_demo_path):
    """The app and the CLI take turns on one file: every `flag` process exits 0, every flag is
    stored, and the pages that ran meanwhile load without an error. Without the lock retry
    (`--wait`), commands that meet the app's or another command's lease fail."""
    import subprocess
    import sys

    accounts = flaggable_accounts(small_demo_path, CLI_FLAGS)
    server = app_server(small_demo_path)
    context = _playwright_browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(STEP_MS)
    readers = [context.new_page() for _ in APP_PAGES_DURING_FLAGS]
    try:
        for reader, page_path in zip(readers, APP_PAGES_DURING_FLAGS):
            reader.goto(f"{server.url}/{page_path}", wait_until="commit")  # script runs start
        commands = [
            subprocess.Popen(
                [sys.executable, "-m", "cs_analytics", "flag", account, "--reason", "other",
                 "--user", f"cli{i}", "--workspace", str(small_demo_path),
                 "--wait", str(CLI_WAIT_SECONDS)],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for i, account in enumerate(accounts)
        ]
        for reader in readers:  # reruns while the commands queue for the file
            reader.reload(wait_until="commit")
        finished = [(p.wait(timeout=300), *p.communicate()) for p in commands]
        for reader in readers:
            wait_for_app(reader, STEP_MS)  # fails on any Streamlit exception element
        readers[1].reload()
        wait_for_app(readers[1], STEP_MS)
        page_text = readers[1].inner_text("[data-testid='stMain']")
    finally:
        context.close()
        server.stop()
    failures = [(code, err) for code, _, err in finished if code != 0]
    assert not failures, (len(failures), failures[:2])
    ws = open_workspace(small_demo_path)
    stored = ws.query("SELECT account_id, user_name FROM flags WHERE action = 'flag' AND user_name LIKE 'cli%'")
    close_workspace(small_demo_path)
    assert sorted(stored["account_id"]) == sorted(accounts)
    assert "busy" not in page_text.lower() or "retries" in page_text.lower()
