"""The page benchmark's synthetic book (bench/pages.py `ensure_workspace`): the sizes it promises,
assessments that load without a quarantined row, and every Reality quadrant present."""
from __future__ import annotations

import sys

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.reality.quadrants import quadrants
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))


def test_the_synthetic_book_has_its_rows_assessments_and_every_quadrant(tmp_path):
    import pages as bench_pages

    path = bench_pages.ensure_workspace(tmp_path / "book.duckdb", 400)
    ws = open_workspace(path)
    try:
        assert ws.scalar("SELECT count(*) FROM accounts") == 400
        usage_rows = ws.scalar("SELECT count(*) FROM usage")
        assert abs(usage_rows - 400 * bench_pages.USAGE_ROWS_PER_ACCOUNT) < 0.02 * usage_rows
        assessed = ws.query("SELECT account_id, assessed_at FROM assessments")
        assert 0.6 < assessed["account_id"].nunique() / 400 < 0.8
        assert ws.scalar("SELECT count(*) FROM quarantine") == 0
        contracts = ws.query("SELECT account_id, start_date, end_date FROM contracts").set_index("account_id")
        within = assessed.join(contracts, on="account_id")
        assert (within["assessed_at"] >= within["start_date"]).all()
        assert (within["assessed_at"] <= within["end_date"].fillna(within["assessed_at"])).all()
        found = set(quadrants(ws)["quadrant"])
        assert {"green_but_failing", "agree_at_risk", "agree_healthy", "unassessed"} <= found, found
    finally:
        close_workspace(path)
