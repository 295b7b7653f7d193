"""The fitted scorecard (binned logistic regression) against a plain logistic regression, on a
one-snapshot churn-list set with a cliff, and its honest evaluation (never offered when it loses)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from cs_analytics.health.evaluation import evaluate_fitted
from cs_analytics.health.fitted import fit_scorecard, scorecard_score

ACCOUNTS = 5_000


def telco_like(seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """5,000 accounts, one snapshot, four usage metrics; service calls >= 4 -> about 50% churn
    against about 11% for the rest (the public telco set's cliff); day minutes a smooth signal."""
    rng = np.random.default_rng(seed)
    calls = rng.poisson(1.5, ACCOUNTS)
    day = rng.normal(180, 50, ACCOUNTS)
    logit = -2.3 + 0.012 * (day - 180) + np.where(calls >= 4, 2.2, 0.0)
    churned = (rng.random(ACCOUNTS) < 1 / (1 + np.exp(-logit))).astype(int)
    raw = pd.DataFrame({"service_calls": calls, "day_minutes": day,
                        "evening_minutes": rng.normal(200, 50, ACCOUNTS),
                        "intl_calls": rng.poisson(4, ACCOUNTS)}).astype(float)
    return raw, churned


def cross_validated_auc(raw: pd.DataFrame, y: np.ndarray, fit_and_risk) -> float:
    """Pooled out-of-fold AUC over stratified 5 folds (the reference the product must match)."""
    risk = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(raw, y):
        risk[test] = fit_and_risk(raw.iloc[train], y[train], raw.iloc[test])
    return roc_auc_score(y, risk)


def plain_logistic(train, y, test) -> np.ndarray:
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(train, y).predict_proba(test)[:, 1]


def fitted(train, y, test) -> np.ndarray:
    return fit_scorecard(train, y).risk(test)


@pytest.fixture(scope="module")
def telco():
    return telco_like()


def test_the_synthetic_set_has_the_cliff(telco):
    raw, y = telco
    high = raw["service_calls"] >= 4
    assert 0.40 <= y[high].mean() <= 0.60 and 0.08 <= y[~high].mean() <= 0.14


def test_fitted_scorecard_matches_plain_logistic_regression_and_beats_it_on_the_cliff(telco):
    raw, y = telco
    fitted_auc = cross_validated_auc(raw, y, fitted)
    reference_auc = cross_validated_auc(raw, y, plain_logistic)
    assert fitted_auc >= reference_auc + 0.015
    # the gain is the cliff: without service calls both models see smooth signals and tie
    smooth = raw.drop(columns="service_calls")
    assert abs(cross_validated_auc(smooth, y, fitted) - cross_validated_auc(smooth, y, plain_logistic)) < 0.01


def test_the_cliff_becomes_a_step_in_the_thresholds(telco):
    raw, y = telco
    measure = {m.name: m for m in fit_scorecard(raw, y).measures}["service_calls"]
    assert measure.direction == "lower"
    points = dict(measure.thresholds)
    assert points[3.0] - points[4.0] >= 50  # the step is where the churn rate jumps
    assert points[0.0] == points[3.0]  # below the cliff the bins merged: no invented slope


def test_the_scorecard_ranks_as_the_regression_does(telco):
    """sum_j w_j s_j is an increasing function of the regression's logit (module docstring)."""
    raw, y = telco
    model = fit_scorecard(raw, y)
    score = scorecard_score(raw, model.measures)
    points = sum(np.interp(raw[m.name], *zip(*m.thresholds)) * m.weight for m in model.measures) / 100
    assert np.allclose(score, points, atol=1e-6)
    assert sum(m.weight for m in model.measures) == pytest.approx(100.0)


def test_noise_measures_get_no_weight(telco):
    raw, y = telco
    weights = fit_scorecard(raw, y).weights
    assert weights.get("evening_minutes", 0.0) < 5.0


def _evaluation_frame(raw: pd.DataFrame, y: np.ndarray, active_score: np.ndarray) -> pd.DataFrame:
    frame = raw.copy()
    frame["as_of"], frame["account_id"] = pd.Timestamp("2024-06-30").date(), [f"A{i}" for i in range(len(y))]
    frame["churned"], frame["score"] = y, active_score
    return frame


def test_offered_when_it_clearly_beats_the_active_score(telco):
    raw, y = telco
    weak_active = 100 - np.random.default_rng(0).random(len(y)) * 100  # a score that knows nothing
    ev = evaluate_fitted(_evaluation_frame(raw, y, weak_active), list(raw.columns), [pd.Timestamp("2024-06-30").date()],
                         resamples=100)
    assert ev.kind == "cv" and ev.heldout_rows == ACCOUNTS
    assert ev.difference_interval[0] > 0 and ev.offered
    assert ev.verdict.startswith("The fitted scorecard beats your scorecard")


def test_never_offered_when_it_loses(telco):
    """The active score knows the truth better than any measure: the fitted score loses, is not
    offered, and the sentence says so with both AUCs and the interval."""
    raw, y = telco
    noise = np.random.default_rng(5).normal(0, 0.3, len(y))
    oracle_active = 100 - 100 * np.clip(y * 0.6 + 0.2 + noise, 0, 1)
    ev = evaluate_fitted(_evaluation_frame(raw, y, oracle_active), list(raw.columns), [pd.Timestamp("2024-06-30").date()],
                         resamples=100)
    assert ev.model_auc < ev.active_auc
    assert not ev.offered
    assert "does not beat your scorecard on held-out data" in ev.verdict
    assert f"AUC {ev.model_auc:.3f} vs {ev.active_auc:.3f}" in ev.verdict


def test_the_fast_weighted_auc_equals_sklearns():
    from cs_analytics.health.evaluation import weighted_auc

    rng = np.random.default_rng(4)
    y = (rng.random(2_000) < 0.2).astype(int)
    risk = np.round(rng.normal(size=2_000) + y, 1)  # ties on purpose
    weights = rng.integers(0, 4, 2_000).astype(float)
    values, groups = np.unique(risk, return_inverse=True)
    assert weighted_auc(groups, y, weights, len(values)) == pytest.approx(
        roc_auc_score(y[weights > 0], risk[weights > 0], sample_weight=weights[weights > 0]), abs=1e-12)


def test_the_fitted_scorecard_reads_back_from_the_editors_text(telco):
    """Continuous measures give bins whose edges are close: the thresholds must survive the editor's
    text (format_thresholds, 6 significant digits) and validate as the same scorecard."""
    from cs_analytics.health.scorecard import format_thresholds, parse_thresholds

    raw, y = telco
    for m in fit_scorecard(raw * 1.0000001 + 1000, y).measures:  # large values, close neighbours
        text = format_thresholds(m.thresholds)
        assert parse_thresholds(text) == [(float(f"{r:g}"), float(f"{s:g}")) for r, s in m.thresholds]
        back = parse_thresholds(text)
        assert all(b[0] > a[0] for a, b in zip(back, back[1:]))
        assert back == m.thresholds
