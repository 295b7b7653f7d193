"""Backtest: outcomes, AUC on a hand-made case, the model's time split, and evidence on the demo."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cs_analytics.health import backtest as bt
from cs_analytics.health import scoring as health
from cs_analytics.core.db import close_workspace
from cs_analytics.health.scorecard import default_scorecard
from factories import build_workspace
from health_cases import backtest_case, nps_only_scorecard, synthetic_workspace

# Documented in docs/health.md ("Evidence on the demo").
MODEL_AUC_TOLERANCE = 0.02
MIN_DEMO_AUC = 0.6
ONBOARDING_NOT_GREEN_MIN = 0.65


def test_hand_made_case_has_the_known_auc_and_band_counts(tmp_path):
    ws = backtest_case(tmp_path / "b.duckdb")
    result = bt.run_backtest(ws, 90, nps_only_scorecard())
    assert result.snapshot_dates == [dt.date(2024, 1, 31)]
    assert result.auc == pytest.approx(0.75)
    bands = result.per_band.set_index("band")
    assert bands.loc["red"].tolist()[:2] == [1, 1]
    assert bands.loc["yellow"].tolist()[:2] == [2, 1]  # B at exactly 40 is yellow
    assert bands.loc["green"].tolist()[:2] == [1, 0]
    assert result.model_auc is None
    # one snapshot: cross-validation, which two churned accounts cannot feed
    assert "churn events" in result.too_small
    assert result.evaluation.kind == "cv" and not result.offered
    assert result.evaluation.verdict.startswith("No fitted scorecard")
    d = result.to_dict()
    assert d["auc"] == 0.75 and d["per_band"]["yellow"] == {"accounts": 2, "churned": 1, "churn_rate": 0.5}
    close_workspace(tmp_path / "b.duckdb")


def test_too_short_data_is_said_plainly(tmp_path):
    contracts = pd.DataFrame({"account_id": ["A"], "start_date": ["2024-01-01"], "mrr": [1.0]})
    usage = pd.DataFrame({"account_id": ["A"], "event_date": ["2024-02-10"]})
    ws = build_workspace(tmp_path / "s.duckdb", contracts=contracts, usage=usage)
    result = bt.run_backtest(ws, 90)
    assert result.auc is None and result.snapshot_dates == []
    assert "too short" in result.too_small
    close_workspace(tmp_path / "s.duckdb")


def test_churn_outcome_rules(tmp_path):
    """T = 2024-01-31, H = 60 -> checks Feb 29, Mar 31 (month-ends in (T, T+H]) and T+H = Mar 31.
    E ends on Mar 31 (active on its last day): retained. F ends Mar 30: churned (Mar 31 has 0).
    G gap Feb 15 - Mar 1 (reactivated): churned (Feb 29 has 0). K ends Apr 1: retained."""
    contracts = pd.DataFrame([
        ("E", "2024-01-01", "2024-03-31"), ("F", "2024-01-01", "2024-03-30"),
        ("G", "2024-01-01", "2024-02-15"), ("G", "2024-03-01", None), ("K", "2024-01-01", "2024-04-01"),
    ], columns=["account_id", "start_date", "end_date"])
    contracts["mrr"] = 5.0
    usage = pd.DataFrame({"account_id": ["K"], "event_date": ["2024-04-01"]})
    ws = build_workspace(tmp_path / "o.duckdb", contracts=contracts, usage=usage)
    out = bt.churn_outcomes(ws, [dt.date(2024, 1, 31)], 60).set_index("account_id")["churned"]
    assert out.to_dict() == {"E": False, "F": True, "G": True, "K": False}
    assert bt.snapshot_dates(ws, 60) == [dt.date(2024, 1, 31)]
    close_workspace(tmp_path / "o.duckdb")


def test_fitted_scorecard_is_judged_out_of_time_on_the_same_rows(tmp_path):
    ws = synthetic_workspace(tmp_path / "syn.duckdb")
    calls = []
    result = bt.run_backtest(ws, 90, default_scorecard(), progress=lambda f, m: calls.append(f))
    assert len(result.snapshot_dates) >= 20
    assert max(result.train_dates) < min(result.test_dates)
    assert set(result.train_dates) | set(result.test_dates) == set(result.snapshot_dates)
    assert result.auc > 0.7  # the generator's churners fade out before leaving
    ev = result.evaluation
    assert ev.kind == "out_of_time"
    assert result.model_auc >= result.test_auc - MODEL_AUC_TOLERANCE
    low, high = ev.difference_interval
    assert low <= result.model_auc - result.test_auc <= high
    assert ev.model_auc_interval[0] <= result.model_auc <= ev.model_auc_interval[1]
    # offered exactly when the interval's lower bound is above 0, and the page's sentence says which
    assert result.offered == (low > 0)
    assert ("does not beat" in ev.verdict) == (not result.offered)
    # the fitted scorecard is a scorecard: weights summing to 100, monotone thresholds, valid
    assert result.measures["fitted_weight"].sum() == pytest.approx(100.0)
    assert (result.measures["fitted_weight"] >= 0).all()
    candidate = ev.fitted.to_scorecard(default_scorecard()).validate()
    assert sum(candidate.normalised_weights().values()) == pytest.approx(100.0)
    assert result.calibration["accounts"].sum() == result.observations
    assert calls[-1] == 1.0 and calls == sorted(calls)
    # nothing is applied: the active scorecard is unchanged
    assert health.score_accounts(ws)["scorecard_version"].eq(0).all()
    d = result.to_dict()
    assert d["evaluation"] == "out_of_time" and d["offered"] == result.offered
    assert d["model_auc_interval"][0] <= d["model_auc"] <= d["model_auc_interval"][1]
    close_workspace(tmp_path / "syn.duckdb")


def test_calibration_deciles():
    score = pd.Series(np.arange(100, dtype=float))
    churned = pd.Series((np.arange(100) < 30).astype(int))
    table = bt.calibration_table(score, churned)
    assert table["decile"].tolist() == list(range(1, 11))
    assert table["accounts"].tolist() == [10] * 10
    assert table["churn_rate"].tolist() == [1, 1, 1] + [0] * 7


# -- evidence on the demo ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_backtest(demo_ws):
    return bt.run_backtest(demo_ws, 90, default_scorecard())


def test_demo_score_predicts_churn_and_the_model_matches_or_beats_it(demo_backtest):
    r = demo_backtest
    assert r.too_small is None
    assert r.auc >= MIN_DEMO_AUC
    assert r.model_auc >= r.test_auc - MODEL_AUC_TOLERANCE
    rates = r.per_band.set_index("band")["churn_rate"]
    assert rates["red"] > rates["yellow"] > rates["green"]


def test_demo_onboarding_failures_score_red_or_yellow_early(demo_ws):
    truth = demo_ws.query(
        "SELECT t.account_id, t.planted_case, min(c.start_date) AS start FROM demo_truth t "
        "JOIN contracts c USING (account_id) GROUP BY ALL")
    assert (truth["planted_case"] == "onboarding_failure").sum() > 20
    dates = health.month_end_dates(demo_ws, None, 36)
    scores = health.score_snapshots(demo_ws, dates, default_scorecard()).merge(truth, on="account_id")
    age = (pd.to_datetime(scores["as_of"]) - pd.to_datetime(scores["start"])).dt.days
    early = scores[(age >= 20) & (age <= 90)]
    failing = early[early["planted_case"] == "onboarding_failure"]
    others = early[early["planted_case"].isna()]
    failing_share = (failing["band"] != "green").mean()
    others_share = (others["band"] != "green").mean()
    assert failing_share >= ONBOARDING_NOT_GREEN_MIN
    assert failing_share > others_share + 0.3
