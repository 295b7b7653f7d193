"""One churn outcome (metrics.md, Outcomes): the backtest and the track record agree per account."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.core.outcomes import churn_outcomes
from cs_analytics.health import backtest as bt
from cs_analytics.reality import track_record as quadrants
from factories import build_workspace
from health_cases import backtest_case, nps_only_scorecard

SNAPSHOT = dt.date(2024, 1, 31)


@pytest.mark.parametrize("account", ["A", "B", "C", "D"])
def test_backtest_and_track_record_agree_on_the_same_account_and_snapshot(tmp_path, account):
    ws = backtest_case(tmp_path / "b.duckdb")
    data = bt.run_backtest(ws, 90, nps_only_scorecard()).data
    row = data[(data["account_id"] == account) & (data["as_of"] == SNAPSHOT)]
    assert len(row) == 1
    # The account alone, called metric-green with no CSM signal: the track record's
    # "green, no red signal" group is exactly this account-snapshot.
    scores = pd.DataFrame({"as_of": [SNAPSHOT], "account_id": [account], "score": [80.0], "band": ["green"]})
    record = quadrants.track_record(ws, 90, scores_long=scores, snapshot_dates=[SNAPSHOT])
    assert record.green_no_red.accounts == 1
    assert record.green_no_red.churned == int(row["churned"].iloc[0])
    close_workspace(tmp_path / "b.duckdb")


def test_churn_is_read_at_month_ends(tmp_path):
    """H (one day without a contract inside March) keeps MRR at every month-end: retained.
    J's MRR is 0 at the end of February: churned, first in February."""
    contracts = pd.DataFrame([
        ("H", "2024-01-01", "2024-03-10"), ("H", "2024-03-12", None),
        ("J", "2024-01-01", "2024-02-20"), ("J", "2024-03-05", None),
    ], columns=["account_id", "start_date", "end_date"])
    contracts["mrr"] = 5.0
    usage = pd.DataFrame({"account_id": ["H"], "event_date": ["2024-05-01"]})
    ws = build_workspace(tmp_path / "m.duckdb", contracts=contracts, usage=usage)
    out = churn_outcomes(ws, [SNAPSHOT], 60).set_index("account_id")
    assert out["churned"].to_dict() == {"H": False, "J": True}
    assert out.loc["J", "churn_month"] == dt.date(2024, 2, 1)
    assert bt.churn_outcomes is quadrants.churn_outcomes is churn_outcomes
    close_workspace(tmp_path / "m.duckdb")
