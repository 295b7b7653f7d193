"""Discovery and the fitted scorecard on the demo (seed 7): the planted signals are recovered, the
AUC of a candidate matches a pandas reference, and the suggestion is offered only when it wins."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from cs_analytics.core.outcomes import churn_outcomes, outcome_plan
from cs_analytics.health import backtest as bt
from cs_analytics.health.discovery import DISCOVERY_SNAPSHOTS, discover
from cs_analytics.health.scoring import population

USAGE_LEVEL = ("_sum_30d", "_active_days_30d", "_users_30d")


@pytest.fixture(scope="module")
def found(demo_ws):
    return discover(demo_ws, 90)


def test_planted_low_usage_and_decline_rank_near_the_top(found):
    """Onboarding failures never ramp up and declining accounts fade before they leave: usage levels
    lead (higher is better), the all-metrics trend separates churners too, same direction."""
    table = found.candidates.set_index("measure")
    top = found.candidates.head(5)
    assert top["measure"].str.endswith(USAGE_LEVEL).all()
    assert (top["direction"] == "higher").all() and (top["auc"] >= 0.62).all()
    trend = table.loc["all_metrics_trend_30d"]
    assert trend["direction"] == "higher" and trend["auc"] > 0.55
    assert table.loc["all_metrics_days_since_last", "direction"] == "lower"
    # the weakest well-covered candidates are near chance
    assert found.candidates[found.candidates["well_covered"]]["auc"].min() < 0.58


def test_candidate_auc_matches_a_pandas_reference(demo_ws, found):
    """all_metrics_sum_30d recomputed from the raw usage rows in pandas (sum of value over the 30
    days ending T), on the population at T, against the one churn outcome."""
    dates = list(outcome_plan(demo_ws, 90, demo_ws.scalar("SELECT max(event_date) FROM usage")).dates)
    dates = dates[-DISCOVERY_SNAPSHOTS:]
    assert dates == found.snapshot_dates
    usage = demo_ws.query("SELECT account_id, event_date, value FROM usage")
    usage["event_date"] = pd.to_datetime(usage["event_date"]).dt.date
    rows = population(demo_ws, dates)[["as_of", "account_id"]].merge(
        churn_outcomes(demo_ws, dates, 90)[["as_of", "account_id", "churned"]], on=["as_of", "account_id"])
    sums = []
    for t in dates:
        window = usage[(usage["event_date"] > t - dt.timedelta(days=30)) & (usage["event_date"] <= t)]
        firsts = usage.groupby("account_id")["event_date"].min()
        present = set(firsts[firsts <= t].index)
        part = window.groupby("account_id")["value"].sum()
        sums.append(pd.DataFrame({"as_of": t, "account_id": sorted(present)}).assign(
            value=lambda f: f["account_id"].map(part).fillna(0.0)))
    ref = rows.merge(pd.concat(sums), on=["as_of", "account_id"])
    expected = 1 - roc_auc_score(ref["churned"].astype(int), ref["value"])  # higher usage, less churn
    assert found.candidates.set_index("measure").loc["all_metrics_sum_30d", "auc"] == pytest.approx(expected, abs=1e-9)


def test_demo_fitted_scorecard_is_offered_only_with_evidence(demo_ws):
    result = bt.run_backtest(demo_ws, 90)
    ev = result.evaluation
    assert ev.kind == "out_of_time"
    assert result.offered == (ev.difference_interval[0] > 0)
    if result.offered:
        assert result.fitted_scorecard.validate().version == 0
        assert result.model_auc > result.test_auc
    else:
        assert "does not beat your scorecard" in ev.verdict
