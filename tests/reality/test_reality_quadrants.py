"""Quadrants, CSM sentiment, overrides and the track record on hand-made cases."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.reality.flags import current_flags, flag_account, withdraw_flag
from cs_analytics.reality.quadrants import (
    AGREE_AT_RISK,
    AGREE_HEALTHY,
    GREEN_BUT_FAILING,
    RED_BUT_FINE,
    UNASSESSED,
    quadrant_of,
    quadrants,
)
from cs_analytics.reality.overrides import apply_overrides
from cs_analytics.reality.sentiment import csm_sentiment_at
from cs_analytics.reality.track_record import track_record
from factories import build_workspace

AS_OF = dt.date(2024, 6, 30)


@pytest.mark.parametrize("band, sentiment, flagged, expected", [
    ("green", "green", False, AGREE_HEALTHY),
    ("green", "yellow", False, AGREE_HEALTHY),
    ("green", "yellow", True, GREEN_BUT_FAILING),
    ("green", "red", False, GREEN_BUT_FAILING),
    ("yellow", "green", False, AGREE_HEALTHY),
    ("yellow", "yellow", False, AGREE_AT_RISK),
    ("yellow", "red", True, AGREE_AT_RISK),
    ("red", "green", False, RED_BUT_FINE),
    ("red", "yellow", False, AGREE_AT_RISK),
    ("red", "red", False, AGREE_AT_RISK),
    ("green", None, True, UNASSESSED),
    ("red", float("nan"), False, UNASSESSED),
])
def test_quadrant_table(band, sentiment, flagged, expected):
    assert quadrant_of(band, sentiment, flagged) == expected


def _scores(rows: dict[str, tuple[float, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"account_id": a, "score": s, "band": b, "mrr": 100.0} for a, (s, b) in rows.items()])


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "reality.duckdb"
    ids = ["STALE", "YFLAG", "YPLAIN", "GBF", "RBF", "NONE", "WD"]
    workspace = build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": ids, "account_name": [i.title() for i in ids],
                               "csm_owner": ["Ann"] * 4 + ["Bob"] * 3, "segment": "SMB"}),
        contracts=pd.DataFrame({"account_id": ids, "start_date": "2023-01-01",
                                "end_date": "2024-12-31", "mrr": 100.0}),
        usage=pd.DataFrame({"account_id": ["GBF"], "event_date": [AS_OF], "value": [1.0]}),
        assessments=pd.DataFrame({
            "account_id": ["STALE", "YFLAG", "YPLAIN", "GBF", "RBF", "WD"],
            "assessed_at": ["2024-02-01", "2024-06-01", "2024-06-01", "2024-06-10", "2024-05-15", "2024-06-01"],
            "sentiment": ["red", "yellow", "yellow", "red", "green", "green"],
        }),
    )
    yield workspace
    close_workspace(path)


SCORES = _scores({"STALE": (80, "green"), "YFLAG": (78, "green"), "YPLAIN": (75, "green"),
                  "GBF": (90, "green"), "RBF": (20, "red"), "NONE": (50, "yellow"), "WD": (72, "green")})


def test_quadrants_on_hand_made_cases(ws):
    flag_account(ws, "YFLAG", reason="champion_left", user="Ann", sentiment="yellow",
                 now=dt.datetime(2024, 6, 20, 10))
    flag_account(ws, "WD", reason="budget_cut", user="Bob", now=dt.datetime(2024, 6, 21, 10))
    withdraw_flag(ws, "WD", user="Bob", now=dt.datetime(2024, 6, 22, 10))
    frame = quadrants(ws, as_of=AS_OF, scores=SCORES).set_index("account_id")
    assert frame["quadrant"].to_dict() == {
        "STALE": UNASSESSED, "YFLAG": GREEN_BUT_FAILING, "YPLAIN": AGREE_HEALTHY,
        "GBF": GREEN_BUT_FAILING, "RBF": RED_BUT_FINE, "NONE": UNASSESSED, "WD": AGREE_HEALTHY,
    }
    assert frame.loc["STALE", "stale"] and not frame.loc["NONE", "stale"]
    assert pd.isna(frame.loc["STALE", "csm_sentiment"])
    assert frame.loc["STALE", "assessed_at"] == dt.date(2024, 2, 1)
    assert frame.loc["STALE", "last_sentiment"] == "red"
    assert frame.loc["YFLAG", "flagged"] and frame.loc["YFLAG", "reason"] == "champion_left"
    assert frame.loc["WD", "csm_sentiment"] == "green" and not frame.loc["WD", "flagged"]
    assert frame.loc["GBF", "renewal_date"] == dt.date(2024, 12, 31)
    assert frame.loc["YFLAG", "override_label"] == "CSM override: yellow (metric: green 78)"
    assert frame.loc["YFLAG", "effective_band"] == "yellow"
    assert not frame.loc["GBF", "is_override"] and frame.loc["GBF", "effective_band"] == "green"
    # A longer max age makes the old assessment count again.
    longer = quadrants(ws, as_of=AS_OF, scores=SCORES, max_age_days=200).set_index("account_id")
    assert longer.loc["STALE", "quadrant"] == GREEN_BUT_FAILING


def test_override_shows_both_values_until_review_by(ws):
    flag_account(ws, "GBF", reason="business_decline", user="Ann", review_by=dt.date(2024, 7, 15),
                 now=dt.datetime(2024, 6, 20, 9))
    scores = _scores({"GBF": (78, "green"), "RBF": (20, "red")})
    before = apply_overrides(ws, scores, as_of=dt.date(2024, 7, 15)).set_index("account_id")
    assert before.loc["GBF", "override_label"] == "CSM override: red (metric: green 78)"
    assert before.loc["GBF", "band"] == "green" and before.loc["GBF", "effective_band"] == "red"
    assert not before.loc["RBF", "is_override"] and before.loc["RBF", "override_label"] is None
    after = apply_overrides(ws, scores, as_of=dt.date(2024, 7, 16)).set_index("account_id")
    assert not after.loc["GBF", "is_override"] and after.loc["GBF", "effective_band"] == "green"
    assert current_flags(ws, as_of=dt.date(2024, 7, 16))["status"].tolist() == ["expired"]
    # Before the flag existed there is nothing to override.
    assert not apply_overrides(ws, scores, as_of=dt.date(2024, 6, 19))["is_override"].any()


def test_withdraw_clears_the_flags_signal(ws):
    flag_account(ws, "RBF", reason="competitor", user="Bob", now=dt.datetime(2024, 6, 1, 9))
    flagged = csm_sentiment_at(ws, dt.date(2024, 6, 5)).set_index("account_id")
    assert flagged.loc["RBF", "csm_sentiment"] == "red" and flagged.loc["RBF", "flagged"]
    withdraw_flag(ws, "RBF", user="Bob", now=dt.datetime(2024, 6, 10, 9))
    cleared = csm_sentiment_at(ws, dt.date(2024, 6, 12)).set_index("account_id")
    assert cleared.loc["RBF", "csm_sentiment"] == "green"  # back to the 2024-05-15 assessment
    assert not cleared.loc["RBF", "flagged"]
    assert cleared.loc["RBF", "assessed_at"] == dt.date(2024, 5, 15)
    # Point in time: on 2024-06-05 the flag still counted.
    again = csm_sentiment_at(ws, dt.date(2024, 6, 5)).set_index("account_id")
    assert again.loc["RBF", "flagged"]


def test_current_view_sees_a_flag_made_after_the_data_as_of(ws):
    """The data ends on AS_OF; a flag made today must show at once in the current view."""
    flag_account(ws, "YPLAIN", reason="budget_cut", user="Ann", sentiment="yellow")
    frame = quadrants(ws, scores=SCORES).set_index("account_id")
    assert frame.loc["YPLAIN", "quadrant"] == GREEN_BUT_FAILING
    assert frame.loc["YPLAIN", "is_override"]
    # ...but not as of the data's date, which is before the flag.
    assert quadrants(ws, as_of=AS_OF, scores=SCORES).set_index("account_id").loc["YPLAIN", "quadrant"] == AGREE_HEALTHY


def test_filter_applies_to_given_scores(ws):
    from cs_analytics.core.filters import AccountFilter

    frame = quadrants(ws, as_of=AS_OF, scores=SCORES, account_filter=AccountFilter.of(csm_owner="Bob"))
    assert sorted(frame["account_id"]) == ["NONE", "RBF", "WD"]


# -- track record ---------------------------------------------------------------------------------

T = dt.date(2024, 1, 31)


@pytest.fixture
def record_ws(tmp_path):
    path = tmp_path / "record.duckdb"
    ends = {"G1": "2024-02-15", "G2": None, "B1": "2024-03-10", "B2": None, "B3": None,
            "B4": "2024-05-15", "R1": None, "R2": "2024-04-20", "R3": None, "N1": "2024-01-15"}
    ids = list(ends)
    workspace = build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": ids, "account_name": ids}),
        contracts=pd.DataFrame({"account_id": ids, "start_date": "2023-01-01",
                                "end_date": list(ends.values()), "mrr": 100.0}),
        usage=pd.DataFrame({"account_id": ["B2"], "event_date": ["2024-06-30"], "value": [1.0]}),
        assessments=pd.DataFrame({
            "account_id": ["G1", "G2", "B1", "B2", "R1", "R2"],
            "assessed_at": ["2024-01-10", "2024-01-20", "2024-01-05", "2024-01-05", "2024-01-05", "2024-01-05"],
            "sentiment": ["red", "red", "green", "yellow", "green", "red"],
        }),
    )
    yield workspace
    close_workspace(path)


def test_track_record_lift_on_hand_made_case(record_ws):
    bands = {"G1": "green", "G2": "green", "B1": "green", "B2": "green", "B3": "green",
             "B4": "green", "R1": "red", "R2": "red", "R3": "red", "N1": "green"}
    scores_long = pd.DataFrame([{"as_of": T, "account_id": a, "score": 50.0, "band": b}
                                for a, b in bands.items()])
    record = track_record(record_ws, horizon_days=90, as_of=AS_OF, scores_long=scores_long)
    assert record.snapshots == [T]
    # N1 ended before T: not a customer at T, so not counted anywhere.
    assert (record.green_but_failing.accounts, record.green_but_failing.churned) == (2, 1)
    assert (record.green_no_red.accounts, record.green_no_red.churned) == (4, 1)  # B4 churns after T+90
    assert record.lift == pytest.approx(2.0)
    assert (record.red_but_fine.accounts, record.red_but_fine.churned) == (1, 0)
    assert (record.red_not_green.accounts, record.red_not_green.churned) == (2, 1)
    assert record.red_but_fine_ratio == pytest.approx(0.0)
    assert record.sentence() == (
        "Accounts CSMs called green-but-failing churned 2.0x as often as metric-green accounts "
        "with no red signal (1 of 2 vs 1 of 4).")
    frame = record.as_frame().set_index("group")
    assert frame.loc["green_but_failing", "churn_rate"] == pytest.approx(0.5)


def test_track_record_ignores_snapshots_without_a_full_horizon(record_ws):
    scores_long = pd.DataFrame([{"as_of": dt.date(2024, 5, 31), "account_id": "G2", "score": 80.0,
                                 "band": "green"}])
    record = track_record(record_ws, horizon_days=90, as_of=AS_OF, scores_long=scores_long)
    assert record.snapshots == [] and record.lift is None
    assert "no track record" in record.sentence()
