"""The page-settle benchmark harness (bench/pages.py) on the 200-account demo: every page settles,
every interaction works, the table is produced. No timed assertion (timings depend on the machine)."""
from __future__ import annotations

import shutil
import sys

import pytest

from conftest import ROOT, require_browser

sys.path.insert(0, str(ROOT / "bench"))
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_every_page_and_interaction_settles_and_the_table_is_written(small_demo_master_path, tmp_path):
    require_browser()
    import pages as bench_pages

    workspace = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master_path, workspace)
    timings = bench_pages.run_benchmark(workspace, repeats=1, progress=lambda line: None,
                                        first_view_pages=("Overview",))
    expected_pages = [spec[0] for spec in bench_pages.PAGES]
    assert list(timings.warm)[:len(expected_pages)] == expected_pages
    assert list(timings.first) == ["Overview"]
    interactions = set(timings.warm) - set(expected_pages)
    assert interactions == {"Cohorts: basis NRR", "Cohorts: filter segment", "Revenue: drill-down churn",
                            "Cohorts: drill-down cell", "Account: open from a table link"}
    table = bench_pages.table_markdown(timings)
    assert table.count("\n") == 1 + len(timings.warm)
    assert "| Ping (reference floor) | - |" in table
    assert all(seconds > 0 for values in timings.warm.values() for seconds in values)
