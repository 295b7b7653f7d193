"""Measure definitions against an independent pandas reference on a hand-built workspace.

Point-in-time: rows dated after T are planted with huge values, so any leak shows. Hostile metric
names (quotes, ';', unicode) are plain data: bound values, never SQL.
"""
import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.health.definitions import (
    MeasureDefinition,
    builtin_definitions,
    compute_raw_values,
    numeric_attributes,
    unavailable_reason,
    usage_metrics,
)
from tests.factories import build_workspace

HOSTILE = "x'; DROP TABLE usage; --"
UNICODE = "Ünï\"cødé 🚀"
METRICS = ["api_call", HOSTILE, UNICODE]
ACCOUNTS = [f"A{i}" for i in range(8)]
T1, T2 = dt.date(2026, 3, 31), dt.date(2026, 4, 17)
DATES = [dt.date(2026, 2, 28), T1, T2]  # month-ends read usage_month only: both kinds


def _usage() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = []
    start = dt.date(2025, 10, 1)
    for account in ACCOUNTS[:-1]:  # the last account has no usage at all
        first = rng.integers(0, 150)
        for day in range(first, 200):
            if rng.random() < 0.35:
                continue
            for metric in METRICS:
                if rng.random() < 0.5:
                    value = float(rng.choice([0.0, 1.0, 2.0, 5.0, 3.5]))
                    user = rng.choice(["u1", "u2", "u3", None])
                    rows.append((account, start + dt.timedelta(days=int(day)), metric, value, user))
    # after both T: must never count
    for account in ACCOUNTS[:-1]:
        rows.append((account, T2 + dt.timedelta(days=1), "api_call", 1e9, "leak"))
    return pd.DataFrame(rows, columns=["account_id", "event_date", "metric", "value", "user_id"])


@pytest.fixture(scope="module")
def hand_built(tmp_path_factory):
    usage = _usage()
    contracts = pd.DataFrame({
        "account_id": ACCOUNTS + ["A1", "A2"],
        "start_date": [dt.date(2025, 9, 1)] * 8 + [dt.date(2026, 2, 1), dt.date(2026, 4, 18)],
        "end_date": [None] * 8 + [None, None],
        "mrr": [100.0 * (i + 1) for i in range(8)] + [50.0, 1e9],
    })
    nps = pd.DataFrame({
        "account_id": ["A0", "A0", "A0", "A1", "A2", "A3"],
        "responded_at": [dt.date(2025, 12, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2025, 2, 1),
                         dt.date(2026, 4, 20), dt.date(2026, 4, 1)],
        "score": [3, 9, 6, 10, 0, 7],
    })
    path = tmp_path_factory.mktemp("defs") / "ws.duckdb"
    ws = build_workspace(path, usage=usage, contracts=contracts, nps=nps)
    attrs = [(a, "seats", str(i % 4)) for i, a in enumerate(ACCOUNTS)] + [
        ("A0", "employees", "120"), ("A1", "employees", " 7.5 "), ("A2", "employees", ""),
        ("A0", "tier", "gold"), ("A1", "tier", "3")]
    with ws.transaction() as cur:
        cur.executemany("INSERT INTO account_attributes VALUES (?, ?, ?)", attrs)
    yield ws, usage, contracts, nps, dict(((a, n), v) for a, n, v in attrs)
    close_workspace(path)


# -- the pandas reference ---------------------------------------------------------------------

def _window(frame, T, days, back=0):
    hi = T - dt.timedelta(days=days * back)
    return frame[(frame["event_date"] > hi - dt.timedelta(days=days)) & (frame["event_date"] <= hi)]


def _usage_value(usage, d, T, account, back=0):
    rows = usage[(usage["account_id"] == account) & (usage["event_date"] <= T)]
    metric_rows = rows if d.metric is None else rows[rows["metric"] == d.metric]
    win = _window(metric_rows, T, d.window_days, back)
    active = win[win["value"] > 0]
    if d.aggregation == "sum":
        value = win["value"].sum()
    elif d.aggregation == "avg_per_active_day":
        days = active["event_date"].nunique()
        value = win["value"].sum() / days if days else 0.0
    elif d.aggregation == "active_days":
        value = active["event_date"].nunique()
    elif d.aggregation == "distinct_users":
        value = active["user_id"].dropna().nunique()
    else:  # distinct_metrics_share
        catalogue = usage[(usage["event_date"] <= T) & (usage["value"] > 0)]["metric"].nunique()
        value = active["metric"].nunique() / catalogue if catalogue else np.nan
    if d.per == "user":
        users_win = _window(rows, T, d.window_days, back)
        users = users_win[users_win["value"] > 0]["user_id"].dropna().nunique()
        value = value / users if users else np.nan
    return float(value)


def reference(hand, d: MeasureDefinition, T: dt.date, account: str) -> float:
    _, usage, contracts, nps, attrs = hand
    if d.source == "usage":
        mine = usage[(usage["account_id"] == account) & (usage["event_date"] <= T)]
        if d.aggregation == "days_since_last":
            rows = mine if d.metric is None else mine[mine["metric"] == d.metric]
            value = (T - rows["event_date"].max()).days if len(rows) else np.nan
        elif d.aggregation == "latest":
            rows = _window(mine if d.metric is None else mine[mine["metric"] == d.metric], T, d.window_days)
            value = rows[rows["event_date"] == rows["event_date"].max()]["value"].sum() if len(rows) else np.nan
        elif mine.empty:
            value = np.nan
        else:
            value = _usage_value(usage, d, T, account)
            if d.trend:
                prev = _usage_value(usage, d, T, account, back=1)
                value = value / prev if prev > 0 else np.nan
    elif d.source == "nps":
        rows = nps[(nps["account_id"] == account) & (nps["responded_at"] <= T)
                   & (nps["responded_at"] >= T - dt.timedelta(days=d.window_days))]
        value = rows[rows["responded_at"] == rows["responded_at"].max()]["score"].mean() if len(rows) else np.nan
    elif d.source == "revenue":
        def mrr(day):
            c = contracts[(contracts["account_id"] == account) & (contracts["start_date"] <= day)]
            return c["mrr"].sum()
        value = mrr(T)
        if d.trend:
            before = (pd.Timestamp(T).to_period("M") - d.trend_months).to_timestamp(how="end").date()
            value = value / mrr(before) if mrr(before) > 0 else np.nan
    else:
        raw = attrs.get((account, d.attribute), "").strip()
        value = float(raw) if raw else np.nan
    if d.per == "seat":
        seats = float(attrs[(account, "seats")])
        value = value / seats if seats > 0 else np.nan
    return float(value)


DEFINITIONS = [
    *builtin_definitions().values(),
    *(MeasureDefinition(f"u_{agg}_{i}_{w}_{int(trend)}", "usage", metric=metric, aggregation=agg,
                        window_days=w, trend=trend)
      for agg in ("sum", "avg_per_active_day", "active_days", "distinct_users")
      for i, metric in enumerate([None, *METRICS]) for w, trend in ((7, False), (30, True))
      if metric in (None, HOSTILE) or trend),
    MeasureDefinition("share_14", "usage", aggregation="distinct_metrics_share", window_days=14, trend=True),
    MeasureDefinition("sum_per_user", "usage", metric="api_call", aggregation="sum", per="user"),
    MeasureDefinition("days_per_user_trend", "usage", aggregation="active_days", per="user", trend=True),
    MeasureDefinition("sum_per_seat", "usage", metric=HOSTILE, aggregation="sum", per="seat", window_days=60),
    MeasureDefinition("last_hostile", "usage", metric=HOSTILE, aggregation="days_since_last"),
    MeasureDefinition("last_unicode", "usage", metric=UNICODE, aggregation="days_since_last"),
    MeasureDefinition("latest_api", "usage", metric="api_call", aggregation="latest", window_days=7),
    MeasureDefinition("latest_all", "usage", aggregation="latest", window_days=10, per="seat"),
    MeasureDefinition("nps_90", "nps", aggregation="latest", window_days=90),
    MeasureDefinition("mrr_now", "revenue", aggregation="mrr"),
    MeasureDefinition("mrr_per_seat", "revenue", aggregation="mrr", per="seat"),
    MeasureDefinition("mrr_trend_1m", "revenue", aggregation="mrr", window_days=30, trend=True),
    MeasureDefinition("employees", "attribute", attribute="employees", aggregation="value"),
]


def test_every_definition_matches_the_pandas_reference(hand_built):
    ws = hand_built[0]
    got = compute_raw_values(ws, DEFINITIONS, DATES).set_index(["as_of", "account_id"])
    assert got.notna().any(axis=1).all()
    mismatches = []
    for d, T, account in itertools.product(DEFINITIONS, DATES, ACCOUNTS):
        want = reference(hand_built, d, T, account)
        have = got[d.name].get((T, account), np.nan)
        if not (np.isnan(want) and np.isnan(have)) and not np.isclose(want, have, rtol=1e-9, atol=1e-12):
            mismatches.append((d.name, T, account, want, have))
    assert not mismatches, mismatches[:10]
    assert got.max(numeric_only=True).max() < 1e6  # the rows dated after T never counted


def test_one_date_gives_what_several_dates_give(hand_built):
    ws = hand_built[0]
    both = compute_raw_values(ws, DEFINITIONS, DATES)
    for day in DATES:
        alone = compute_raw_values(ws, DEFINITIONS, [day])
        pd.testing.assert_frame_equal(alone, both[both["as_of"] == day].reset_index(drop=True))


def test_no_row_after_T_counts(hand_built):
    ws = hand_built[0]
    d = MeasureDefinition("api_sum", "usage", metric="api_call", window_days=7)
    early = compute_raw_values(ws, [d], [T1])
    assert (early["api_sum"] < 1e6).all()
    late = compute_raw_values(ws, [d], [T2 + dt.timedelta(days=1)])
    assert (late["api_sum"] >= 1e9).sum() == len(ACCOUNTS) - 1  # the planted rows count from their day


def test_hostile_metric_names_are_bound_values(hand_built):
    ws = hand_built[0]
    assert set(METRICS) <= set(usage_metrics(ws))
    d = MeasureDefinition("hostile_sum", "usage", metric=HOSTILE, window_days=30)
    frame = compute_raw_values(ws, [d], [T2])
    assert frame["hostile_sum"].sum() > 0
    assert ws.scalar("SELECT count(*) FROM usage") > 0  # the table is still there
    missing = MeasureDefinition("nothing", "usage", metric="no such'metric", window_days=30)
    assert unavailable_reason(ws, missing, T2) == "no usage of metric 'no such'metric'"


def test_numeric_attributes_and_account_filter(hand_built):
    ws = hand_built[0]
    assert numeric_attributes(ws) == ["employees", "seats"]  # 'tier' has a non-number
    frame = compute_raw_values(ws, [DEFINITIONS[-1]], [T1], account_ids=["A1"])
    assert frame[["account_id", "employees"]].values.tolist() == [["A1", 7.5]]


def test_round_trip_to_and_from_dict():
    for d in DEFINITIONS:
        assert MeasureDefinition.from_dict(d.to_dict()) == d
        assert d.describe() and d.unit()
    trend = MeasureDefinition("api_trend", "usage", metric="api_call", window_days=30, trend=True)
    assert trend.describe() == "Sum of value of metric 'api_call' in the 30 days ending T, divided by the 30 days before"
    assert trend.unit() == "ratio"
    assert builtin_definitions()["recency"].unit() == "days"
    assert builtin_definitions()["nps"].unit() == "score 0-10"


@pytest.mark.parametrize("bad, message", [
    ({"name": "Bad Name", "source": "usage"}, "lower-case letters"),
    ({"name": "m", "source": "crm"}, "source must be one of"),
    ({"name": "m", "source": "usage", "aggregation": "median"}, "aggregates by"),
    ({"name": "m", "source": "usage", "window_days": 400}, "window_days must be a whole number from 7 to 365"),
    ({"name": "m", "source": "usage", "window_days": 6.5}, "whole number of days"),
    ({"name": "m", "source": "usage", "trend": "yes"}, "trend must be true or false"),
    ({"name": "m", "source": "usage", "aggregation": "days_since_last", "trend": True}, "a trend needs"),
    ({"name": "m", "source": "usage", "per": "team"}, "per must be"),
    ({"name": "m", "source": "nps", "aggregation": "latest", "per": "seat"}, "per seat applies"),
    ({"name": "m", "source": "attribute", "aggregation": "value"}, "needs the name of a numeric"),
    ({"name": "m", "source": "usage", "metric": ""}, "metric is a non-empty"),
    ({"name": "m", "source": "usage", "colour": "red"}, "Unknown key"),
    ({"source": "usage"}, "needs 'name'"),
    ("usage", "JSON object"),
])
def test_bad_definitions_get_one_clear_sentence(bad, message):
    with pytest.raises(ValueError, match=message):
        MeasureDefinition.from_dict(bad)
