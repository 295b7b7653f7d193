"""Four user journeys in Debian's Chromium against `streamlit run app.py` on 127.0.0.1.

Each asserts what a person would check on screen; `wait_for_app` fails on any Streamlit
exception element after every step.
"""
from __future__ import annotations

import re
import urllib.parse

import pytest

from cs_analytics.core.db import close_workspace, open_workspace
from conftest import choose_option, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STEP_MS = 120_000

CONTRACTS_WITH_HUMAN_HEADERS = """\
Customer ID,Subscription ID,Start Date,End Date,Monthly Fee,Currency
ACME-001,SUB-1,2024-01-15,,1250.00,EUR
ACME-002,SUB-2,2024-02-01,2025-01-31,550.00,EUR
ACME-003,SUB-3,2024-03-01,,-40.00,EUR
ACME-004,SUB-4,2024-05-01,2024-04-01,900.00,EUR
ACME-005,SUB-5,2024-06-01,,300.00,EUR
"""


def metric_text(page, label: str) -> str:
    return page.locator("[data-testid='stMetric']").filter(has_text=label).first.inner_text()


def click_grid_link(page, grid, row: int, x_px: int = 40, row_height: int = 35) -> None:
    """Click the link text in the first column of a Streamlit dataframe (a canvas grid)."""
    box = grid.bounding_box()
    x, y = box["x"] + x_px, box["y"] + row_height * row + row_height / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(200)
    page.mouse.click(x, y)


def map_header_in_editor(page, row: int, target: str, attempts: int = 4) -> None:
    """Set the mapping editor's canonical column of `row` to `target`, as a person would: double-click
    the cell, pick the option. Retried when a rerun moved the grid under the pointer."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(attempts):
        editor = page.locator("[data-testid='stDataFrame']").first
        editor.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        box = editor.bounding_box()
        page.mouse.dblclick(box["x"] + box["width"] * 0.5, box["y"] + 35 * row + 17)
        try:
            page.get_by_role("option", name=target, exact=True).click(timeout=10_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        wait_for_app(page, STEP_MS)
        try:  # the mapped preview redraws after the edit's rerun; under load that takes seconds
            page.get_by_text("Replace the table's rows").first.wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"could not map row {row} to {target} in the mapping editor")


def test_leader_reads_kpis_explores_nrr_cohorts_and_follows_an_account(shared_demo_server, browser_page):
    server = shared_demo_server  # reads only
    page = browser_page
    page.goto(server.url)
    wait_for_app(page, STEP_MS)
    assert re.search(r"\d+\.\d%", metric_text(page, "NRR (12m)"))
    assert "Target" in page.locator("[data-testid='stVerticalBlockBorderWrapper'], [data-testid='stVerticalBlock']").filter(has_text="NRR (12m)").first.inner_text()
    assert re.search(r"\d", metric_text(page, "Green but failing"))

    page.get_by_role("link", name="Cohorts").first.click()
    wait_for_app(page, STEP_MS)
    page.get_by_text("NRR", exact=True).first.click()
    wait_for_app(page, STEP_MS)
    page.get_by_text("Net revenue retention by month cohort").first.wait_for()
    choose_option(page, "Segment", "Enterprise")
    page.get_by_text(re.compile(r"accounts: segment = Enterprise")).first.wait_for()

    choose_option(page, "Cohort", "2024-0")
    period = page.get_by_label("Period")
    period.fill("3")
    period.press("Enter")
    wait_for_app(page, STEP_MS)
    caption = page.get_by_text(re.compile(r"Cohort \d{4}-\d{2}, period \d+: \d+ retained, \d+ lost")).first
    caption.wait_for()
    assert "basis=nrr" in page.url and "cohort=" in page.url
    retained_grid = page.locator("[data-testid='stDataFrame']").filter(
        has=page.locator("canvas")).nth(-2 if page.get_by_text(re.compile(r"^Lost \(\d+\)$")).count() else -1)
    retained_grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    with page.context.expect_page() as account_tab:
        click_grid_link(page, retained_grid, row=1)
    account_page = account_tab.value
    account_page.wait_for_load_state()
    wait_for_app(account_page, STEP_MS)
    assert "/account?" in account_page.url and "f.segment=Enterprise" in account_page.url  # the view rides along
    account_id = urllib.parse.parse_qs(urllib.parse.urlsplit(account_page.url).query)["account"][0]
    account_page.get_by_text(account_id).first.wait_for()
    account_page.get_by_text("Score history").first.wait_for()


def test_analyst_uploads_contracts_fixes_a_mapping_and_downloads_quarantine(app_server, browser_page, tmp_path):
    upload = tmp_path / "stripe_subscriptions.csv"
    upload.write_text(CONTRACTS_WITH_HUMAN_HEADERS, encoding="utf-8")
    server = app_server(tmp_path / "workspace.duckdb")
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1600})  # the whole mapping editor in view
    page.goto(f"{server.url}/data")
    wait_for_app(page, STEP_MS)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(upload))
    page.get_by_text("Monthly Fee").first.wait_for()
    wait_for_app(page, STEP_MS)
    # the amount header is not a known synonym: the page says so and offers no Load yet
    page.get_by_text(re.compile(r"mrr")).first.wait_for()
    assert page.get_by_role("button", name="Load", exact=True).count() == 0

    map_header_in_editor(page, row=5, target="mrr")  # row 5 of the editor: "Monthly Fee"
    page.get_by_text("Replace the table's rows").click()
    wait_for_app(page, STEP_MS)
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_text("Loaded 3 rows into contracts").wait_for(timeout=STEP_MS)
    wait_for_app(page, STEP_MS)
    assert "2" in metric_text(page, "Quarantined")
    body = page.locator("[data-testid='stMain']").inner_text()
    assert "Quarantined rows" in body
    wait_for_app(page, STEP_MS)
    with page.expect_download(timeout=STEP_MS) as download_info:
        page.get_by_role("button", name="Download quarantined rows (CSV)").click()
    csv_text = open(download_info.value.path(), encoding="utf-8").read()
    lines = csv_text.strip().splitlines()
    assert len(lines) == 3  # header + the two bad rows
    assert "negative" in csv_text.lower() and "end_date" in csv_text


def test_analyst_changes_a_weight_runs_the_backtest_and_judges_the_fitted_scorecard(shared_demo_server, browser_page):
    server = shared_demo_server  # reads only: the edited weights stay in the session, nothing is saved
    page = browser_page
    page.goto(f"{server.url}/health")
    wait_for_app(page, STEP_MS)
    page.get_by_role("tab", name="Scorecard").click()
    page.get_by_text(re.compile(r"\d+ accounts change band")).first.wait_for()
    weight = page.get_by_label("weight").first
    weight.fill("0")
    weight.press("Enter")
    wait_for_app(page, STEP_MS)
    page.wait_for_function("() => /[1-9]\\d* accounts change band/.test(document.body.innerText)", timeout=STEP_MS)

    page.get_by_role("tab", name="Does it predict churn?").click()
    page.get_by_role("button", name="Run backtest").click()
    wait_for_app(page, 300_000)
    auc = metric_text(page, "Score AUC (all snapshots)")
    assert re.search(r"0\.\d{3}", auc)
    assert re.search(r"0\.\d{3}", metric_text(page, "Fitted scorecard AUC (held out)"))
    page.get_by_text(re.compile(r"on held-out data on the later snapshots \(AUC 0\.\d{3} vs 0\.\d{3}")).first.wait_for()
    load = page.get_by_role("button", name="Load the fitted scorecard into the editor")
    if load.count():  # offered only when it beats the active score by more than the interval
        load.click()
        wait_for_app(page, STEP_MS)
        page.get_by_role("tab", name="Scorecard").click()
        page.get_by_text("Suggested weights loaded into the editor").wait_for()
        page.get_by_text(re.compile(r"\d+ accounts change band")).first.wait_for()


def test_csm_flags_green_but_failing_and_sees_the_override_on_the_account_page(app_server, browser_page, demo_workspace_path):
    from cs_analytics.reality.quadrants import quadrants

    ws = open_workspace(demo_workspace_path)
    quads = quadrants(ws)
    green = quads[(quads["band"] == "green") & (quads["quadrant"] == "agree_healthy")]
    account = green.sort_values("account_id")["account_id"].iloc[0]
    close_workspace(demo_workspace_path)  # the server process needs the file

    server = app_server(demo_workspace_path)
    page = browser_page
    page.goto(f"{server.url}/reality")
    wait_for_app(page, STEP_MS)
    page.get_by_label("Your name (recorded with every flag you make)").fill("Dana CSM")
    page.get_by_role("button", name="Use this name").click()
    wait_for_app(page, STEP_MS)
    page.get_by_role("tab", name="Flags").click()
    wait_for_app(page, STEP_MS)
    choose_option(page, "Account", account)
    choose_option(page, "Reason", "Champion left")
    page.get_by_label("Note").fill("Our champion left in October; the new VP is reviewing tools.")
    page.get_by_role("button", name="Flag", exact=True).click()
    wait_for_app(page, STEP_MS)
    page.get_by_text(f"Flagged {account}").wait_for()

    page.goto(f"{server.url}/account?account={account}")
    wait_for_app(page, STEP_MS)
    override = page.get_by_text(re.compile(r"CSM override: red \(metric: green \d+\)")).first
    override.wait_for()
    page.get_by_text("Our champion left in October", exact=False).first.wait_for()
