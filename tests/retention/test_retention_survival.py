"""Kaplan-Meier customer lifetimes (metrics.md survival view) against a hand computation."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import chi2, norm

import reference_retention as ref
from cs_analytics.charts import retention as charts
from cs_analytics.retention import survival as sv
from cs_analytics.core.db import close_workspace
from cs_analytics.core.filters import AccountFilter
from factories import build_workspace

AS_OF = "2023-12-31"  # last complete month L = December 2023


@pytest.fixture
def five_ws(tmp_path):
    # p: customer Jan-Mar, not in Apr            -> lifetime 3, churned
    # q: customer Jan-Dec                        -> censored at L - s = 11
    # r: customer Mar-Apr, gone May, back Aug-Dec -> lifetime 2 (first churn counts)
    # s: customer Jun-Dec                        -> censored at 6
    # t: customer Feb-Jun, gone Jul              -> lifetime 5, churned
    # x: a contract inside one month (never a month-end customer) -> not in the population
    ws = build_workspace(
        tmp_path / "w.duckdb",
        contracts=pd.DataFrame({
            "account_id": ["p", "q", "r", "r", "s", "t", "x"],
            "start_date": ["2023-01-10", "2023-01-01", "2023-03-05", "2023-08-01", "2023-06-30", "2023-02-01", "2023-05-02"],
            "end_date": ["2023-04-15", None, "2023-05-30", None, None, "2023-07-30", "2023-05-28"],
            "mrr": [10.0, 20.0, 30.0, 30.0, 40.0, 50.0, 60.0],
        }),
        accounts=pd.DataFrame({"account_id": list("pqrstx"), "segment": ["SMB", "SMB", "SMB", "ENT", "ENT", "ENT"]}),
    )
    yield ws
    close_workspace(ws.path)


def test_lifetimes_follow_the_definition(five_ws):
    life = sv.lifetimes(five_ws, as_of=AS_OF).set_index("account_id")
    assert life["duration_months"].to_dict() == {"p": 3, "q": 11, "r": 2, "s": 6, "t": 5}
    assert life["churned"].to_dict() == {"p": True, "q": False, "r": True, "s": False, "t": True}


def test_kaplan_meier_matches_a_hand_computation(five_ws):
    curve = sv.km_curves(five_ws, as_of=AS_OF).set_index("month")
    # S(2) = 4/5; S(3) = 4/5 * 3/4; S(5) = 0.6 * 2/3; censored at 6 and 11 leave it at 0.4
    expected = {0: 1.0, 1: 1.0, 2: 0.8, 3: 0.6, 4: 0.6, 5: 0.4, 6: 0.4, 11: 0.4}
    for month, value in expected.items():
        assert curve.at[month, "survival"] == pytest.approx(value)
    assert curve.at[2, "at_risk"] == 5 and curve.at[3, "at_risk"] == 4 and curve.at[5, "at_risk"] == 3
    assert curve["churned"].sum() == 3 and curve["censored"].sum() == 2
    # exponential Greenwood band at month 5 (lifelines' default), by hand
    greenwood = 1 / (5 * 4) + 1 / (4 * 3) + 1 / (3 * 2)
    log_s = math.log(0.4)
    spread = norm.ppf(0.975) * math.sqrt(greenwood / log_s**2)
    assert curve.at[5, "ci_lower"] == pytest.approx(0.4 ** math.exp(spread), rel=1e-6)
    assert curve.at[5, "ci_upper"] == pytest.approx(0.4 ** math.exp(-spread), rel=1e-6)
    medians = sv.medians_from(sv.lifetimes(five_ws, as_of=AS_OF))
    assert medians.iloc[0]["median_lifetime_months"] == 5.0


def test_log_rank_matches_a_hand_computation(five_ws):
    life = sv.lifetimes(five_ws, by="segment", as_of=AS_OF)
    result = sv.logrank_from(life, "segment")
    # SMB = {p, q, r}, ENT = {s, t}; events at 2 (SMB), 3 (SMB), 5 (ENT)
    observed, expected, variance = 2, 3 / 5 + 2 / 4 + 1 / 3, 0.24 + 0.25 + 2 / 9
    statistic = (observed - expected) ** 2 / variance
    assert result.test_statistic == pytest.approx(statistic, rel=1e-6)
    assert result.p_value == pytest.approx(chi2.sf(statistic, 1), rel=1e-6)
    assert result.statement.startswith("No evidence that lifetimes differ between segments (log-rank p = ")


def test_statement_wording():
    assert sv.logrank_statement("segments", 0.003) == "Lifetimes differ between segments (log-rank p = 0.003)."
    assert "p < 0.001" in sv.logrank_statement("plans", 1e-9)


def test_groups_filter_and_cli_columns(five_ws):
    table = sv.survival_table(five_ws, by="segment", as_of=AS_OF)
    assert list(table.columns) == list(sv.CLI_COLUMNS)
    assert set(table["group"]) == {"SMB", "ENT"}
    smb = sv.lifetimes(five_ws, account_filter=AccountFilter.of(segment="SMB"), as_of=AS_OF)
    assert sorted(smb["account_id"]) == ["p", "q", "r"]
    with pytest.raises(ValueError, match="Unknown account column or attribute"):
        sv.lifetimes(five_ws, by="favourite_colour")
    fig = charts.km_figure(sv.km_curves(five_ws, by="segment", as_of=AS_OF))
    assert {t.name for t in fig.data if t.showlegend is not False} == {"SMB", "ENT"}
    assert any(t.fill == "tonexty" for t in fig.data)


def test_multivariate_log_rank_for_more_than_two_groups(demo_ws):
    result = sv.survival_analysis(demo_ws, by="segment")
    assert len(result.logrank.groups) == 3
    assert 0 <= result.logrank.p_value <= 1
    assert "segments (log-rank p" in result.logrank.statement
    assert set(result.medians["group"]) == set(result.logrank.groups)


def test_demo_lifetimes_match_the_reference(demo_ws):
    contracts_df = demo_ws.query("SELECT account_id, start_date, end_date, mrr FROM contracts")
    usage_df = demo_ws.query("SELECT account_id, min(event_date) AS event_date FROM usage GROUP BY 1")
    from cs_analytics.retention.months import window

    mrr = ref.month_end_mrr(contracts_df, usage_df, window(demo_ws).as_of)
    expected = ref.lifetimes(mrr).set_index("account_id").sort_index()
    got = sv.lifetimes(demo_ws).set_index("account_id").sort_index()
    assert got["duration_months"].tolist() == expected["duration_months"].tolist()
    assert got["churned"].tolist() == expected["churned"].tolist()


def test_empty_workspace(tmp_workspace):
    result = sv.survival_analysis(tmp_workspace)
    assert result.lifetimes.empty and result.curves.empty
