"""A CSM records a renewal call in a real browser and sees it in the list and the disagreement list."""
from __future__ import annotations

import pytest

from conftest import choose_option, wait_for_app
from cs_analytics.core.db import close_workspace, open_workspace

STEP_MS = 180_000


def _confident_uncalled_renewal(path):
    """The upcoming renewal with the most MRR at risk among those the model rates >= 0.85 and
    nobody has called: a call at_risk on it disagrees with the model, near the top of the list."""
    from cs_analytics.renewals.report import renewals_report

    ws = open_workspace(path)
    try:
        upcoming = renewals_report(ws).upcoming_all
        row = upcoming[(upcoming["likelihood"] >= 0.85) & upcoming["call"].isna()].iloc[0]
        return row["account_id"], row["account_name"]
    finally:
        close_workspace(path)


def _grid_text(grid) -> str:
    """The text of a Streamlit dataframe's accessible table (the visible rows of the canvas grid)."""
    return " ".join(grid.locator("td, th").all_inner_texts())


@pytest.mark.browser
@pytest.mark.slow
def test_csm_records_a_renewal_call_and_sees_it(app_server, browser_page, demo_workspace_path):
    account, name = _confident_uncalled_renewal(demo_workspace_path)
    server = app_server(demo_workspace_path)
    page = browser_page
    page.goto(f"{server.url}/renewals")
    wait_for_app(page, timeout_ms=STEP_MS)
    page.get_by_label("Your name (recorded with every flag you make)").fill("Browser CSM")
    page.get_by_role("button", name="Use this name").click()
    wait_for_app(page, timeout_ms=STEP_MS)
    choose_option(page, "Renewal", account)
    page.locator("[data-testid='stRadio']").get_by_text("at risk").click()
    wait_for_app(page, timeout_ms=STEP_MS)
    page.get_by_label("Note").fill("Champion left last week")
    page.get_by_role("button", name="Record call").click()
    wait_for_app(page, timeout_ms=STEP_MS)
    page.get_by_text(f"Recorded call").first.wait_for()
    assert account in page.get_by_text("Recorded call").first.inner_text()

    grids = page.locator("[data-testid='stDataFrame']")
    disagreement_grid = grids.nth(1)
    disagreement_grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert name in _grid_text(disagreement_grid)
    server.stop()

    ws = open_workspace(demo_workspace_path)
    stored = ws.query("SELECT account_id, call, note, user_name FROM renewal_calls WHERE source = 'app'").values.tolist()
    close_workspace(demo_workspace_path)
    assert stored == [[account, "at_risk", "Champion left last week", "Browser CSM"]]
