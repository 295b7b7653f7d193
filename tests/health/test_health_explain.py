"""The explanation is exact: points add up to the score; changes add up to the score change."""
from __future__ import annotations

import numpy as np
import pytest

from cs_analytics.health import scoring as health
from cs_analytics.core.db import close_workspace
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.scorecard import default_scorecard
from health_cases import T, measures_case


@pytest.fixture
def case_ws(tmp_path):
    ws = measures_case(tmp_path / "m.duckdb")
    yield ws
    close_workspace(tmp_path / "m.duckdb")


def _check_exact(ws, explanation, scores_row):
    if np.isnan(explanation.score):  # no measure at all: unscored, every measure named missing
        assert np.isnan(scores_row["score"]) and explanation.band is None
        assert (explanation.table["status"] == "missing").all()
        return
    counted = explanation.table[explanation.table["status"] == "counted"]
    assert counted["points"].sum() == pytest.approx(explanation.score, abs=1e-9)
    assert counted["weight"].sum() == pytest.approx(100.0)
    assert explanation.score == pytest.approx(scores_row["score"], abs=1e-9)
    assert explanation.band == scores_row["band"]
    missing = [m for m in scores_row["missing_measures"].split(", ") if m]
    assert sorted(explanation.missing) == sorted(missing)
    if explanation.previous_score is not None:
        assert explanation.change["change"].sum() == pytest.approx(explanation.score_change, abs=1e-9)


def test_explanation_of_a_hand_made_account(case_ws):
    e = health.explain_account(case_ws, "B", T)
    scores = health.score_accounts(case_ws, T).set_index("account_id")
    _check_exact(case_ws, e, scores.loc["B"])
    assert e.missing["usage_trend"] == "no value for this account at this date"
    rec = e.table.set_index("measure").loc["recency"]
    assert rec["raw"] == 172 and rec["weight"] == pytest.approx(20 * 100 / 65)
    # vs_portfolio: B's active_users score 0 vs mean of (100, 0) = 50
    assert e.table.set_index("measure").loc["active_users", "vs_portfolio"] == pytest.approx(-50.0)
    assert "B" in e.text() and "missing" in e.text()
    assert list(e.cli_table().columns) == ["measure", "raw", "score", "weight", "points", "vs_portfolio",
                                          "definition", "unit"]
    assert e.cli_table().set_index("measure").loc["recency", "unit"] == "days"


def test_explanation_errors(case_ws):
    with pytest.raises(ValueError, match="not a customer"):
        health.explain_account(case_ws, "Z", T)
    with pytest.raises(ValueError, match="no account"):
        health.explain_account(case_ws, "NOPE", T)


def test_change_since_last_month_attributed(case_ws):
    e = health.explain_account(case_ws, "A", T)
    assert e.previous_as_of.isoformat() == "2024-05-31"
    assert e.previous_score is not None
    assert e.change["change"].sum() == pytest.approx(e.score - e.previous_score)


def test_every_demo_account_is_explained_exactly(demo_ws):
    sc = default_scorecard()
    as_of = resolve_as_of(demo_ws, None)
    scores = health.score_accounts(demo_ws, as_of, sc).set_index("account_id")
    assert len(scores) > 100
    points = scores.filter(like="_points").sum(axis=1, min_count=1)
    assert points.to_numpy() == pytest.approx(scores["score"].to_numpy(), abs=1e-9, nan_ok=True)
    assert scores["score"].notna().mean() > 0.99
    frame, _ = health.score_frame(demo_ws, [health.previous_month_date(as_of), as_of], sc)
    weights = frame[frame["score"].notna()].filter(like="_weight").sum(axis=1)
    assert weights.to_numpy() == pytest.approx(100.0)
    explanations = health.explain_accounts(demo_ws, list(scores.index), as_of, sc)
    assert len(explanations) == len(scores)
    for account_id, e in explanations.items():
        _check_exact(demo_ws, e, scores.loc[account_id])
