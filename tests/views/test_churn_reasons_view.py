"""Churn reasons on the Revenue page's churn drill-down (views/revenue.py) and the Health backtest."""
from __future__ import annotations

import pandas as pd

from cs_analytics.core.db import close_workspace
from cs_analytics.core.filters import NO_FILTER
from cs_analytics.views.revenue import churn_reasons, movement_drilldown
from factories import build_workspace


def _case(path):
    """F (10) and H (5) end in February (churn in 2024-02), G (20) runs on. The list gives F
    'budget', H no reason; G is listed too but contracts say it did not churn."""
    contracts = pd.DataFrame([("F", "2024-01-01", "2024-02-10", 10.0), ("H", "2024-01-01", "2024-02-12", 5.0),
                              ("G", "2024-01-01", None, 20.0)], columns=["account_id", "start_date", "end_date", "mrr"])
    outcomes = pd.DataFrame({"account_id": ["F", "G", "H"], "churned": [True, True, True],
                             "reason": ["budget", "merger", None]})
    usage = pd.DataFrame({"account_id": ["G"], "event_date": ["2024-06-30"]})
    return build_workspace(path, contracts=contracts, usage=usage, outcomes=outcomes)


def test_churned_accounts_carry_their_reason_and_the_breakdown_adds_up(tmp_path):
    ws = _case(tmp_path / "r.duckdb")
    accounts = movement_drilldown(ws, NO_FILTER, None, "2024-02", "churn").set_index("account_id")
    assert sorted(accounts.index) == ["F", "H"]
    assert accounts.loc["F", "churn_reason"] == "budget" and pd.isna(accounts.loc["H", "churn_reason"])
    table = churn_reasons(ws, NO_FILTER, None, "2024-02")
    assert table.to_dict(orient="records") == [
        {"Churn reason": "(no reason given)", "Accounts": 1, "MRR lost": 5.0},
        {"Churn reason": "budget", "Accounts": 1, "MRR lost": 10.0},
    ]
    assert "churn_reason" not in movement_drilldown(ws, NO_FILTER, None, "2024-02", "new").columns
    close_workspace(tmp_path / "r.duckdb")


def test_no_churn_list_means_no_reason_table(tmp_path):
    contracts = pd.DataFrame([("F", "2024-01-01", "2024-02-10", 10.0)], columns=["account_id", "start_date", "end_date", "mrr"])
    usage = pd.DataFrame({"account_id": ["F"], "event_date": ["2024-06-30"]})
    ws = build_workspace(tmp_path / "n.duckdb", contracts=contracts, usage=usage)
    assert churn_reasons(ws, NO_FILTER, None, "2024-02").empty
    assert movement_drilldown(ws, NO_FILTER, None, "2024-02", "churn")["churn_reason"].isna().all()
    close_workspace(tmp_path / "n.duckdb")


def test_a_reason_code_reads_as_its_label_like_everywhere_else():
    from cs_analytics.core.config import reason_label
    from cs_analytics.core.outcomes import reason_breakdown

    rows = pd.DataFrame({"account_id": ["A", "B"], "reason": ["budget_cut", "Went bankrupt"], "mrr": [1.0, 2.0]})
    assert set(reason_breakdown(rows)["reason"]) == {reason_label("budget_cut"), "Went bankrupt"}
    assert reason_label("budget_cut") != "budget_cut"
