"""The Cohorts page in Chromium: pick a heatmap cell and see its accounts; deep links work."""
from __future__ import annotations

import re

import pytest

from conftest import choose_option, wait_for_app


def _cell_caption(page):
    return page.get_by_text(re.compile(r"Cohort \d{4}-\d{2}, period \d+: \d+ retained, \d+ lost"))


@pytest.mark.browser
@pytest.mark.slow
def test_select_a_heatmap_cell_and_see_its_accounts(shared_demo_server, browser_page):
    server = shared_demo_server  # reads only
    page = browser_page
    page.goto(f"{server.url}/cohorts")
    wait_for_app(page, timeout_ms=120_000)
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    # a click into the heatmap, on period 0 of a cohort half-way down (always observed)
    caption = _cell_caption(page).first
    for _ in range(3):  # plotly binds its click handler a moment after drawing: under load a click can come first
        box = page.locator("[data-testid='stPlotlyChart'] .nsewdrag").first.bounding_box()
        page.mouse.click(box["x"] + 10, box["y"] + box["height"] / 2)
        wait_for_app(page, timeout_ms=60_000)
        try:
            caption.wait_for(timeout=15_000)
            break
        except Exception:  # noqa: BLE001 (playwright's TimeoutError: click again)
            continue
    caption.wait_for()
    assert re.search(r"period 0: \d+ retained, 0 lost", caption.inner_text())
    assert re.search(r"cohort=\d{4}-\d{2}&period=0", page.url)  # shareable by URL
    # the select fallback picks another cell
    choose_option(page, "Cohort", "2024-01")
    wait_for_app(page, timeout_ms=60_000)
    page.get_by_text(re.compile(r"Cohort 2024-01, period 0: \d+ retained")).first.wait_for()
    assert "cohort=2024-01" in page.url
    assert page.get_by_text(re.compile(r"^Retained \(\d+\)$")).count() == 1
    assert page.get_by_text(re.compile(r"^Lost \(\d+\)$")).count() == 1
    grid = page.locator("[data-testid='stDataFrame']").filter(has=page.locator("canvas")).first
    grid.wait_for()


@pytest.mark.browser
@pytest.mark.slow
def test_cell_deep_link(shared_demo_server, browser_page):
    server = shared_demo_server  # reads only
    page = browser_page
    page.goto(f"{server.url}/cohorts?basis=nrr&cohort=2024-03&period=6")
    wait_for_app(page, timeout_ms=120_000)
    page.get_by_text(re.compile(r"Cohort 2024-03, period 6: \d+ retained, \d+ lost")).first.wait_for()
    assert page.get_by_text("Net revenue retention by month cohort", exact=False).count() >= 1
    assert "basis=nrr" in page.url and "period=6" in page.url
