"""A CSM records a renewal call in a real browser and sees it in the list and the disagreement list."""
from __future__ import annotations

import pytest

from conftest import choose_option, wait_for_app
from cs_analytics.core.db import close_workspace, open_workspace
from renewals_demo import confident_uncalled_renewal

STEP_MS = 180_000


def _grid_text(grid) -> str:
    """The text of a Streamlit dataframe's accessible table (the visible rows of the canvas grid)."""
    return " ".join(grid.locator("td, th").all_inner_texts())


def _eventually_in_grid(page, grid, text: str, timeout_ms: int = 30_000) -> bool:
    """Whether `text` shows in the grid within `timeout_ms`: the canvas grid redraws its rows a
    moment after the script run ends (a fixed 0.5 s wait failed once in CI under load), and a rerun may replace it meanwhile."""
    from playwright.sync_api import Error as PlaywrightError

    waited = 0
    while waited <= timeout_ms:
        try:  # a rerun may replace the grid's element while we look: look again
            grid.scroll_into_view_if_needed(timeout=5_000)
            if text in _grid_text(grid):
                return True
        except PlaywrightError:
            pass
        page.wait_for_timeout(250)
        waited += 250
    return False


@pytest.mark.browser
@pytest.mark.slow
def test_csm_records_a_renewal_call_and_sees_it(app_server, browser_page, demo_ws, demo_workspace_path):
    account, name, _ = confident_uncalled_renewal(demo_ws)  # demo_ws holds the same data
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

    wait_for_app(page, timeout_ms=STEP_MS)  # the rerun after the call (the grid was detached once in CI)
    grids = page.locator("[data-testid='stDataFrame']")
    disagreement_grid = grids.nth(1)
    assert _eventually_in_grid(page, disagreement_grid, name), _grid_text(disagreement_grid)
    server.stop()

    ws = open_workspace(demo_workspace_path)
    stored = ws.query("SELECT account_id, call, note, user_name FROM renewal_calls WHERE source = 'app'").values.tolist()
    close_workspace(demo_workspace_path)
    assert stored == [[account, "at_risk", "Champion left last week", "Browser CSM"]]
