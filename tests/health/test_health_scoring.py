"""Scoring maths, measures' raw values, scorecard versions and the point-in-time rule."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_analytics.health import scoring as health
from cs_analytics.core.db import close_workspace
from cs_analytics.core.filters import AccountFilter
from cs_analytics.health.bands import band_for
from cs_analytics.health.scorecard import (
    MeasureSetting,
    Scorecard,
    active_scorecard,
    default_scorecard,
    diff_scorecards,
    normalise_percentile,
    normalise_thresholds,
    parse_thresholds,
    save_scorecard,
    scorecard_history,
)
from factories import build_workspace, insert_canonical
from health_cases import T, measures_case


# -- normalisation -----------------------------------------------------------------------------

def test_thresholds_interpolate_linearly_and_clamp_at_the_ends():
    points = [(0.5, 0.0), (1.0, 70.0), (1.5, 100.0)]
    out = normalise_thresholds([0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 9.0, np.nan], points)
    assert out[:7].tolist() == pytest.approx([0.0, 0.0, 35.0, 70.0, 85.0, 100.0, 100.0])
    assert np.isnan(out[7])


def test_thresholds_lower_is_better():
    out = normalise_thresholds([0, 7, 10.5, 14, 100], [(0, 100), (7, 80), (14, 50), (60, 0)])
    assert out.tolist() == pytest.approx([100, 80, 65, 50, 0])


def test_percentile_ranks_with_ties_sharing_their_average_rank():
    raw = pd.Series([10.0, 20.0, 20.0, 30.0, np.nan])
    out = normalise_percentile(raw, "higher")
    # ranks 1, 2.5, 2.5, 4 of n = 4 -> (rank - 1) / 3 * 100
    assert out[:4].tolist() == pytest.approx([0.0, 50.0, 50.0, 100.0])
    assert np.isnan(out[4])
    assert normalise_percentile(raw, "lower")[:4].tolist() == pytest.approx([100.0, 50.0, 50.0, 0.0])


def test_percentile_is_per_group_and_single_value_scores_50():
    raw = pd.Series([1.0, 2.0, 5.0])
    groups = pd.Series(["a", "a", "b"])
    assert normalise_percentile(raw, "higher", groups).tolist() == pytest.approx([0.0, 100.0, 50.0])


def test_band_boundaries_exactly_at_40_and_70():
    assert band_for(70.0) == "green"
    assert band_for(69.999) == "yellow"
    assert band_for(40.0) == "yellow"
    assert band_for(39.999) == "red"
    assert band_for(69.99999999999999) == "green"  # points meant to sum to 70, float error
    assert band_for(float("nan")) is None
    assert band_for(50, green_min=50, yellow_min=20) == "green"


def test_weights_are_normalised_to_100():
    sc = default_scorecard()
    for m in sc.measures:
        m.weight *= 3
    sc.setting("nps").enabled = False
    weights = sc.normalised_weights()
    assert "nps" not in weights
    assert sum(weights.values()) == pytest.approx(100.0)
    assert weights["usage_trend"] == pytest.approx(25 * 100 / 90)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.1, max_value=1000), min_size=1, max_size=6))
def test_normalised_weights_always_sum_to_100(raw_weights):
    sc = Scorecard([MeasureSetting(name, True, w, "higher", "percentile")
                    for name, w in zip(("usage_trend", "active_users", "breadth", "nps", "revenue_trend", "recency"), raw_weights)])
    assert sum(sc.normalised_weights().values()) == pytest.approx(100.0)


# -- scorecard objects -----------------------------------------------------------------------

def test_scorecard_json_round_trip_and_validation():
    sc = default_scorecard()
    sc.setting("breadth").normalisation = "percentile"
    sc.green_min = 75
    again = Scorecard.from_json(sc.to_json())
    assert again.to_dict() == sc.to_dict()
    with pytest.raises(ValueError, match="Unknown measure"):
        Scorecard.from_dict({"measures": [{"name": "vibes"}]})
    with pytest.raises(ValueError, match="strictly increasing"):
        Scorecard.from_dict({"measures": [{"name": "nps", "thresholds": [[5, 0], [1, 100]]}]})
    with pytest.raises(ValueError, match="must not decrease"):
        Scorecard.from_dict({"measures": [{"name": "nps", "thresholds": [[0, 100], [10, 0]]}]})
    with pytest.raises(ValueError, match="positive weight|above 0"):
        Scorecard.from_dict({"measures": [{"name": "nps", "weight": 0}]})
    with pytest.raises(ValueError, match="valid JSON"):
        Scorecard.from_json("{nope")


def test_diff_names_every_change():
    a, b = default_scorecard(), default_scorecard()
    assert diff_scorecards(a, b) == "no changes"
    b.setting("nps").enabled = False
    b.setting("recency").weight = 40
    b.yellow_min = 45
    text = diff_scorecards(a, b)
    assert "nps: turned off" in text
    assert "recency: weight" in text
    assert "yellow band: >= 40 -> >= 45" in text


def test_parse_thresholds():
    assert parse_thresholds("0.5:0, 1:70; 1.3:100") == [(0.5, 0.0), (1.0, 70.0), (1.3, 100.0)]
    with pytest.raises(ValueError):
        parse_thresholds("1-70")


def test_save_versions_keeps_one_active(tmp_workspace):
    assert active_scorecard(tmp_workspace).version == 0
    first = default_scorecard()
    v1 = save_scorecard(tmp_workspace, first, "ann", "first")
    second = default_scorecard()
    second.setting("nps").weight = 30
    v2 = save_scorecard(tmp_workspace, second, "bob", "more nps")
    assert v2 > v1
    active = active_scorecard(tmp_workspace)
    assert active.version == v2 and active.created_by == "bob" and active.setting("nps").weight == 30
    history = scorecard_history(tmp_workspace)
    assert history["active"].tolist() == [False, True]
    assert history["change_summary"].tolist() == ["first", "more nps"]
    with pytest.raises(ValueError, match="name"):
        save_scorecard(tmp_workspace, second, "  ", "anonymous")


# -- measures on a hand-made workspace -------------------------------------------------------

@pytest.fixture
def case_ws(tmp_path):
    ws = measures_case(tmp_path / "m.duckdb")
    yield ws
    close_workspace(tmp_path / "m.duckdb")


def test_raw_values_match_the_definitions(case_ws):
    scores = health.score_accounts(case_ws, T, default_scorecard()).set_index("account_id")
    assert sorted(scores.index) == ["A", "B"]  # Z is no customer on T
    a, b = scores.loc["A"], scores.loc["B"]
    assert a["usage_trend_raw"] == pytest.approx(2.0)
    assert a["active_users_raw"] == 2
    assert a["breadth_raw"] == pytest.approx(2 / 3)
    assert a["recency_raw"] == 5
    assert a["nps_raw"] == 9
    assert a["revenue_trend_raw"] == pytest.approx(1.5)
    assert a["mrr"] == 150
    assert np.isnan(b["usage_trend_raw"]) and np.isnan(b["nps_raw"])
    assert b["active_users_raw"] == 0 and b["breadth_raw"] == 0 and b["recency_raw"] == 172
    assert b["revenue_trend_raw"] == pytest.approx(1.0)
    assert b["missing_measures"] == "usage_trend, nps"
    assert a["missing_measures"] == ""


def test_missing_measures_reweight_the_rest(case_ws):
    scores = health.score_accounts(case_ws, T, default_scorecard()).set_index("account_id")
    b = scores.loc["B"]
    # present for B: active_users 15, breadth 15, recency 20, revenue_trend 15 -> total 65
    assert b["recency_points"] == pytest.approx(20 * 100 / 65 * b["recency_score"] / 100)
    assert np.isnan(b["usage_trend_points"]) and np.isnan(b["nps_points"])
    points = scores.filter(like="_points").sum(axis=1)
    assert points.to_numpy() == pytest.approx(scores["score"].to_numpy())
    # recency 172 days -> 0; breadth 0 -> 0; active users percentile: B lowest -> 0;
    # revenue_trend 1.0 -> 70 -> score = 15/65*70
    assert b["score"] == pytest.approx(15 / 65 * 70)
    assert b["band"] == "red"
    # A: usage_trend 2.0 -> 100, active_users top -> 100, breadth 2/3 -> 70 + (2/3-.5)/.3*30,
    # recency 5 -> 100 - 5/7*20, nps 9 -> 87.5, revenue_trend 1.5 -> 100
    breadth = 70 + (2 / 3 - 0.5) / 0.3 * 30
    recency = 100 - 5 / 7 * 20
    expected = (25 * 100 + 15 * 100 + 15 * breadth + 20 * recency + 10 * 87.5 + 15 * 100) / 100
    assert scores.loc["A", "score"] == pytest.approx(expected)


def test_unavailable_measure_is_left_out_for_everyone(tmp_path):
    contracts = pd.DataFrame({"account_id": ["A"], "start_date": ["2024-01-01"], "mrr": [10.0]})
    usage = pd.DataFrame({"account_id": ["A", "A"], "event_date": ["2024-02-01", "2024-03-01"],
                          "metric": ["x", "x"], "value": [1.0, 1.0]})
    ws = build_workspace(tmp_path / "n.duckdb", contracts=contracts, usage=usage)
    scores = health.score_accounts(ws, None, default_scorecard())
    assert "active_users" in scores.loc[0, "missing_measures"] and "nps" in scores.loc[0, "missing_measures"]
    explanation = health.explain_account(ws, "A")
    assert "usage has no user_id" in explanation.missing["active_users"]
    assert "no NPS" in explanation.missing["nps"]
    close_workspace(tmp_path / "n.duckdb")


def test_account_filter_selects_rows_without_changing_percentiles(case_ws):
    all_scores = health.score_accounts(case_ws, T).set_index("account_id")
    only_a = health.score_accounts(case_ws, T, account_filter=AccountFilter.of(segment="SMB"))
    assert only_a["account_id"].tolist() == ["A"]
    assert only_a.iloc[0]["score"] == pytest.approx(all_scores.loc["A", "score"])


def test_snapshots_equal_single_date_scores(case_ws):
    dates = [dt.date(2024, 4, 30), dt.date(2024, 5, 31), T]
    long = health.score_snapshots(case_ws, dates)
    for day in dates:
        single = health.score_accounts(case_ws, day)
        part = long[long["as_of"] == day].drop(columns="as_of").reset_index(drop=True)
        pd.testing.assert_frame_equal(part, single.reset_index(drop=True))


def test_public_columns(case_ws):
    cols = health.score_accounts(case_ws, T).columns.tolist()
    assert cols[:8] == ["account_id", "account_name", "segment", "csm_owner", "mrr", "score", "band", "scorecard_version"]
    assert cols[8:11] == ["usage_trend_raw", "usage_trend_score", "usage_trend_points"]
    assert cols[-1] == "missing_measures"


def test_point_in_time_later_data_does_not_change_the_score(tmp_path):
    ws = measures_case(tmp_path / "p.duckdb")
    before = health.score_accounts(ws, T)
    later = {
        "usage": pd.DataFrame([("A", "2024-07-01", "export", 50.0, "u5"), ("B", "2024-07-15", "login", 3.0, "u1"),
                               ("Q", "2024-07-02", "new_metric", 1.0, "q1")],
                              columns=["account_id", "event_date", "metric", "value", "user_id"]),
        "nps": pd.DataFrame([("A", "2024-07-03", 0), ("B", "2024-07-03", 10)], columns=["account_id", "responded_at", "score"]),
        "contracts": pd.DataFrame([("C9", "A", "2024-07-01", None, 500.0), ("C10", "Q", "2024-07-02", None, 5.0)],
                                  columns=["contract_id", "account_id", "start_date", "end_date", "mrr"]),
    }
    from cs_analytics.core.derived import rebuild

    with ws.transaction() as cur:
        for table, frame in later.items():
            insert_canonical(cur, table, frame)
        rebuild(cur)
    after = health.score_accounts(ws, T)
    pd.testing.assert_frame_equal(before, after)
    assert not health.score_accounts(ws, dt.date(2024, 7, 31)).equals(before)
    close_workspace(tmp_path / "p.duckdb")


def test_previous_month_date():
    assert health.previous_month_date(dt.date(2024, 3, 31)) == dt.date(2024, 2, 29)
    assert health.previous_month_date(dt.date(2024, 3, 15)) == dt.date(2024, 2, 15)
    assert health.previous_month_date(dt.date(2024, 3, 30)) == dt.date(2024, 2, 29)
    assert health.previous_month_date(dt.date(2024, 1, 31)) == dt.date(2023, 12, 31)


def test_trend_and_band_changes(case_ws):
    trend = health.score_with_trend(case_ws, T).set_index("account_id")
    assert set(trend["trend"]) <= {"up", "down", "flat", "new"}
    assert trend["score_change"].to_numpy() == pytest.approx((trend["score"] - trend["previous_score"]).to_numpy())
    strict = default_scorecard()
    strict.green_min, strict.yellow_min = 99.5, 99.0
    changes = health.band_changes(case_ws, strict, default_scorecard(), T)
    assert set(changes["account_id"]) == {"A"}  # B is red either way
    assert changes.iloc[0]["band_after"] == "red"


def test_empty_workspace_scores_nothing(tmp_workspace):
    assert health.score_accounts(tmp_workspace).empty
    with pytest.raises(ValueError):
        health.explain_account(tmp_workspace, "A")


def test_scorecard_file_round_trip(tmp_path):
    sc = default_scorecard()
    path = tmp_path / "sc.json"
    path.write_text(sc.to_json())
    assert json.loads(path.read_text())["bands"] == {"green_min": 70.0, "yellow_min": 40.0}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=4, max_size=4), max_size=40))
def test_missing_measures_text_names_each_rows_absent_scores_in_scorecard_order(rows):
    names = ["usage_trend", "nps", "a, b", "recency"]
    present = np.array(rows, dtype=bool).reshape(len(rows), 4)
    expected = [", ".join(n for n, p in zip(names, row) if not p) for row in rows]
    assert health.missing_measures_text(present, names) == expected
