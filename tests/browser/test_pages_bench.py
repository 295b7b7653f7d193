"""The page-settle benchmark harness (bench/pages.py) on the 200-account demo: every page settles,
every interaction works, the table is produced. No timed assertion (timings depend on the machine)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, require_browser

sys.path.insert(0, str(ROOT / "bench"))
pytestmark = [pytest.mark.browser, pytest.mark.slow]
# A few pages by direct link keep the test short; every page has its own browser journey.
DIRECT_PAGES = ("Ping", "Reality")


def test_every_page_and_interaction_settles_and_the_table_is_written(small_demo_master_path, tmp_path):
    require_browser()
    import pages as bench_pages

    workspace = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master_path, workspace)
    # In its own process: Playwright's sync API refuses to start beside the session's browser fixture.
    script = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[2]); import pages; "
        f"DIRECT = {DIRECT_PAGES!r}; "
        "t = pages.run_benchmark(Path(sys.argv[1]), repeats=1, progress=lambda line: None, "
        "first_view_pages=('Overview',), click_pages=('Overview', 'Reality'), "
        "direct_pages=DIRECT, page_warm=False, reading_seconds=(0.0,)); "
        "print(json.dumps({'warm': {k: list(v) for k, v in t.warm.items()}, 'first': list(t.first), "
        "'click': {k: list(v) for k, v in t.click.items()}, 'table': pages.table_markdown(t)}))")
    proc = subprocess.run([sys.executable, "-c", script, str(workspace), str(ROOT / "bench")],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    timings = json.loads(proc.stdout.strip().splitlines()[-1])
    expected_pages = [spec[0] for spec in bench_pages.PAGES if spec[0] in DIRECT_PAGES]
    # direct link (a new tab): the chosen pages, then the account opened from a table link
    assert list(timings["warm"]) == [*expected_pages, "Account: open from a table link"]
    assert timings["first"] == ["Overview"]
    # warm (click) in one open tab: the pages' sidebar links (Ping: the click back), then the interactions
    in_tab = {"Cohorts: basis NRR", "Cohorts: filter segment", "Revenue: drill-down churn", "Cohorts: drill-down cell"}
    first_chart = {"Revenue: first chart page of a tab, 0 s on the Overview"}
    assert set(timings["click"]) == {"Overview", "Reality", "Ping"} | in_tab | first_chart
    assert len(timings["click"]["Ping"]) == 2
    table = timings["table"]
    page_rows = set(DIRECT_PAGES) | {"Overview", "Reality"}  # by direct link, or clicked
    assert table.count("\n") == 1 + len(page_rows) + len(in_tab) + len(first_chart) + 1
    assert re.search(r"^\| Reality \| [0-9.]+ \| [0-9.]+ \| - \| 1 \|$", table, re.M)
    assert "| Revenue |" not in table
    assert table.splitlines()[0].startswith("| page or interaction | warm (click) s | direct link (warm server) s |")
    assert re.search(r"^\| Ping \(reference floor\) \| [0-9.]+ \| [0-9.]+ \| - \| \d+ \|$", table, re.M)
    assert re.search(r"^\| Account: open from a table link \| - \| [0-9.]+ \| - \| 1 \|$", table, re.M)
    assert all(seconds > 0 for values in [*timings["warm"].values(), *timings["click"].values()] for seconds in values)
