"""A hostile workspace in a real browser: no link off 127.0.0.1, no image, no request elsewhere."""
from __future__ import annotations

import urllib.parse

import pytest

import hostile
from conftest import wait_for_app
from cs_analytics.core.db import close_workspace

PAGES = ["", "revenue", "cohorts?basis=logo&grain=month&cohort=2023-01&period=%C2%B2", "health", "reality",
         "reality?tab=Flags", "reality?tab=" + urllib.parse.quote("Spikes before renewal"),
         "account?account=" + urllib.parse.quote(hostile.SPIKE_ID),
         # the contract chart: the hostile contract ids are its axis labels (plotly's HTML subset)
         "account?account=" + urllib.parse.quote(hostile.SPIKE_ID) + "&tab=" + urllib.parse.quote("Contracts and MRR"),
         "account?account=" + urllib.parse.quote("[Your session expired - log in again](https://evil.example)"),
         "data"]
# every anchor, HTML or SVG (plotly draws a label's <a> as an SVG anchor with xlink:href)
OFF_HOST_LINKS = """() => [...document.querySelectorAll('a, img[src], image, iframe[src]')]
    .map(e => (e.href && e.href.baseVal !== undefined ? e.href.baseVal : (e.href || e.src || ''))
              || e.getAttribute('href') || e.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '')
    .filter(u => u && !u.startsWith(location.origin) && !u.startsWith('data:') && !u.startsWith('blob:'))"""

CHARTS_DRAWN = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
    .every(c => c.querySelector('.main-svg'))"""


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_workspace_makes_no_off_host_link_or_request(app_server, browser_page, tmp_path):
    path = tmp_path / "hostile.duckdb"
    hostile.build_hostile_workspace(path)
    close_workspace(path)  # the server process needs the file
    server = app_server(path)
    page = browser_page
    off_host: list[str] = []
    page.on("request", lambda r: off_host.append(r.url)
            if urllib.parse.urlsplit(r.url).hostname not in ("127.0.0.1", None) else None)
    for target in PAGES:
        page.goto(f"{server.url}/{target}")
        wait_for_app(page, timeout_ms=120_000)
        # every chart drawn (its SVG is where a link or image would be); a moment for image requests
        page.wait_for_function(CHARTS_DRAWN, timeout=120_000)
        page.wait_for_timeout(300)
        links = page.evaluate(OFF_HOST_LINKS)
        assert not links, f"{target}: links or images off 127.0.0.1: {links[:5]}"
        if target == "":  # open the sidebar's "More filters": the attribute header is a widget label
            page.get_by_text("More filters").click()
            page.wait_for_timeout(500)
            assert not page.evaluate(OFF_HOST_LINKS)
            for label, typed in (("Tier", "gold"), ("CSM owner", "Casey")):  # option lists hold file values
                page.locator("[data-testid='stMultiSelect']").filter(has_text=label).first.click()
                page.keyboard.type(typed)
                option = page.get_by_role("option").filter(has_text=typed).first
                option.wait_for()
                assert "](https://" in option.inner_text()  # shown literally
                assert not page.evaluate(OFF_HOST_LINKS)
                page.keyboard.press("Escape")
                page.keyboard.press("Escape")
        visible = page.locator("[data-testid='stApp']").inner_text().replace("\u2060", "")
        if target == "":
            assert hostile.ATTRIBUTE_HEADER in visible
        if target.startswith("account?account=ACME"):
            assert hostile.LINK_NAME in visible
        if "session" in target:
            assert "[Your session expired - log in again](https://evil.example)" in visible
    assert not off_host, f"requests to other hosts: {sorted(set(off_host))}"
