"""A shared Cohorts link with filters and as-of, opened in a fresh Chromium context, shows the
same numbers as the CLI with the same --where and --as-of."""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import pytest

from conftest import ROOT, wait_for_app

COHORT, PERIOD, AS_OF = "2025-03", 6, "2026-03-31"


def cli_cohorts(workspace, *args: str) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "cs_analytics", "cohorts", "--workspace", str(workspace), "--format", "csv", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
    ).stdout
    return list(csv.DictReader(io.StringIO(out)))


@pytest.mark.browser
@pytest.mark.slow
def test_shared_cohorts_link_with_filters_and_as_of_matches_the_cli(shared_demo_server, browser_page, demo_workspace_path):
    # the CLI reads a private copy of the demo, the app serves another copy of the same file
    rows = cli_cohorts(demo_workspace_path, "--basis", "logo", "--where", "segment=Enterprise", "--as-of", AS_OF)
    cell = next(r for r in rows if r["cohort"] == COHORT and int(r["period"]) == PERIOD)
    size, retained = int(cell["cohort_size"]), round(float(cell["value"]) * int(cell["cohort_size"]))
    unfiltered = cli_cohorts(demo_workspace_path, "--basis", "logo", "--as-of", AS_OF)
    assert next(int(r["cohort_size"]) for r in unfiltered if r["cohort"] == COHORT) > size  # the filter matters

    server = shared_demo_server  # reads only
    page = browser_page  # a fresh browser context: nothing from an earlier session
    page.goto(f"{server.url}/cohorts?basis=logo&cohort={COHORT}&period={PERIOD}"
              f"&f.segment=Enterprise&as_of={AS_OF}")
    wait_for_app(page, timeout_ms=120_000)
    caption = page.get_by_text(re.compile(rf"Cohort {COHORT}, period {PERIOD}: \d+ retained, \d+ lost of \d+"))
    caption.first.wait_for()
    assert f"{retained} retained, {size - retained} lost of {size}." in caption.first.inner_text()
    sidebar = page.locator("[data-testid='stSidebar']")
    assert "from this link" in sidebar.inner_text() and AS_OF in sidebar.inner_text()
    assert page.get_by_text("segment = Enterprise", exact=False).count() >= 1
    assert "observed through 2026-03" in page.locator("[data-testid='stMain']").inner_text()
    for part in ("f.segment=Enterprise", f"as_of={AS_OF}", "basis=logo", f"cohort={COHORT}", f"period={PERIOD}"):
        assert part in page.url
    # moving to another page keeps the view in the URL and in the numbers
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Revenue").first.click()
    wait_for_app(page, timeout_ms=120_000)
    page.get_by_text(re.compile(r"months through 2026-03 \(the last complete month; as of 2026-03-31\)")).first.wait_for()
    assert "f.segment=Enterprise" in page.url and f"as_of={AS_OF}" in page.url and "cohort=" not in page.url
