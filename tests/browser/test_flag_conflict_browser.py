"""Two CSMs flag the same account in two browsers (issue 11): the second sees who flagged it
since their page loaded and confirms; the Account page shows both flags; one withdraws the
other's flag with an override reason, recorded in the history."""
from __future__ import annotations

import re
import shutil
import urllib.parse

import pytest

from conftest import choose_option, wait_for_app
from cs_analytics.core.db import close_workspace, open_workspace

STEP_MS = 120_000


def _small_workspace(path, master) -> str:
    from cs_analytics.reality.quadrants import quadrants

    shutil.copyfile(master, path)  # the 200-account demo (seed 3), built once per process
    ws = open_workspace(path)
    account = quadrants(ws)["account_id"].min()
    close_workspace(path)  # the server process needs the file
    return account


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, STEP_MS)


@pytest.mark.browser
@pytest.mark.slow
def test_two_csms_conflict_confirm_and_override(app_server, browser_page, _playwright_browser, small_demo_master_path,
                                                tmp_path):
    path = tmp_path / "two_csms.duckdb"
    account = _small_workspace(path, small_demo_master_path)
    server = app_server(path)
    dana = browser_page
    context = _playwright_browser.new_context(viewport={"width": 1400, "height": 1000})
    bob = context.new_page()
    bob.set_default_timeout(30_000)
    try:
        for page, name in ((dana, "Dana Lee"), (bob, "Bob Stone")):
            _open(page, f"{server.url}/reality?tab=Flags&as_user={urllib.parse.quote(name)}")
            page.get_by_text(f"Flagging as {name}").first.wait_for()
            choose_option(page, "Account", account, STEP_MS)  # both forms now show "no flag"
        choose_option(dana, "Reason", "Champion left", STEP_MS)
        dana.get_by_role("button", name="Flag", exact=True).click()
        wait_for_app(dana, STEP_MS)
        dana.get_by_text(f"Flagged {account} red").wait_for()

        choose_option(bob, "Reason", "Budget cut", STEP_MS)
        bob.get_by_role("button", name="Flag", exact=True).click()
        wait_for_app(bob, STEP_MS)
        bob.get_by_text(re.compile(r"Dana Lee flagged this account (just now|\d+ minutes? ago): red, "
                                   r"Champion left\.")).wait_for()
        bob.get_by_role("button", name="Save anyway").click()
        wait_for_app(bob, STEP_MS)
        bob.get_by_text(f"Flagged {account} red").wait_for()

        _open(bob, f"{server.url}/account?account={account}&as_user=Bob%20Stone")
        bob.get_by_text(re.compile(r"red by Dana Lee on .*Champion left")).first.wait_for()
        bob.get_by_text(re.compile(r"red by Bob Stone on .*Budget cut")).first.wait_for()
        choose_option(bob, "Which flag", "Dana Lee's red flag", STEP_MS)
        bob.get_by_label(re.compile(r"^Override reason")).fill("Dana is on leave; renewal signed")
        bob.get_by_role("button", name="Withdraw", exact=True).click()
        wait_for_app(bob, STEP_MS)
        bob.get_by_text(re.compile(r"Withdrew the flag \d+ on .*override reason: Dana is on leave")).wait_for()
        bob.get_by_text(re.compile(r"red by Dana Lee on")).first.wait_for(state="detached")
    finally:
        context.close()
        server.stop()

    ws = open_workspace(path)
    try:
        rows = ws.query("SELECT action, user_name, reason, withdraws_flag_id, override_reason FROM flags "
                        "ORDER BY flag_id").values.tolist()
    finally:
        close_workspace(path)
    assert [r[:3] for r in rows] == [["flag", "Dana Lee", "champion_left"], ["flag", "Bob Stone", "budget_cut"],
                                     ["withdraw", "Bob Stone", "champion_left"]]
    assert rows[2][3] == 1 and rows[2][4] == "Dana is on leave; renewal signed"
