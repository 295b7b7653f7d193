"""A flag acknowledged in a real browser survives the server being killed with SIGKILL."""
from __future__ import annotations

import pytest

from conftest import choose_option, wait_for_app
from cs_analytics.core.db import close_workspace, open_workspace


@pytest.mark.browser
@pytest.mark.slow
def test_flag_in_browser_survives_a_killed_server(app_server, browser_page, demo_workspace_path):
    ws = open_workspace(demo_workspace_path)
    from cs_analytics.reality.quadrants import quadrants

    account = quadrants(ws)["account_id"].min()  # a scored account: the flag form lists those
    close_workspace(demo_workspace_path)  # the server process needs the file

    server = app_server(demo_workspace_path)
    page = browser_page
    page.goto(f"{server.url}/reality?tab=Flags")  # a link to the Flags tab
    wait_for_app(page, timeout_ms=120_000)
    page.get_by_label("Your name (recorded with every flag you make)").fill("Browser CSM")
    page.get_by_role("button", name="Use this name").click()
    wait_for_app(page, timeout_ms=120_000)
    page.get_by_text("Flagging as").wait_for()
    choose_option(page, "Account", account)
    wait_for_app(page, timeout_ms=120_000)
    page.get_by_role("button", name="Flag", exact=True).click()
    wait_for_app(page, timeout_ms=120_000)
    page.get_by_text(f"Flagged {account}").wait_for()

    server.kill_and_restart()  # kill -9 right after the acknowledgement
    page.goto(f"{server.url}/reality?tab=Flags")
    wait_for_app(page, timeout_ms=120_000)
    withdraw_box = page.locator("[data-testid='stSelectbox']").filter(has_text="Flagged account").first
    shown = withdraw_box.inner_text() + " " + " ".join(
        withdraw_box.locator("input").evaluate_all("els => els.map(e => e.value + ' ' + (e.getAttribute('aria-label') || ''))"))
    assert account in shown, withdraw_box.inner_html()[:2000]
    server.stop()

    ws = open_workspace(demo_workspace_path)
    stored = ws.query("SELECT account_id, action, user_name FROM flags").values.tolist()
    close_workspace(demo_workspace_path)
    assert stored == [[account, "flag", "Browser CSM"]]
