"""The activation first days (sql/onboarding/first_day_<kind>.sql, issue 14) equal the definition
they replace: the full per-day series of the onboarding_series macro as migration 045 wrote it
(kept verbatim below as OLD_SERIES, so a later change of the macro cannot move the reference),
and the independent pandas reference (tests/reference_onboarding.py), on random small usage:
usage before the start and after the as-of, zero values, NULL users, several metrics, thresholds
crossed mid-month and on month boundaries, accounts that never cross, bounded and unbounded days.
"""
from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import reference_onboarding as ref
from cs_analytics.core.db import close_workspace
from cs_analytics.onboarding import activation as act
from cs_analytics.onboarding.rule import ANY_METRIC, ActivationRule
from cs_analytics.core.derived import rebuild
from factories import build_workspace, insert_canonical

OLD_SERIES = """
CREATE OR REPLACE TEMP MACRO old_onboarding_series(ids, start_dates, as_of_day, max_day, only_metric) AS TABLE
    WITH starts AS (
        SELECT unnest(CAST(ids AS VARCHAR[])) AS account_id, unnest(CAST(start_dates AS DATE[])) AS start_date
    ),
    events AS (
        SELECT u.account_id, u.metric, u.user_id, u.value,
               CAST(datediff('day', s.start_date, u.event_date) AS INTEGER) AS day
        FROM usage u
        JOIN starts s ON s.account_id = u.account_id
        WHERE u.event_date >= s.start_date
          AND u.event_date <= CAST(as_of_day AS DATE)
          AND datediff('day', s.start_date, u.event_date) < max_day
    ),
    keyed AS (
        SELECT account_id, metric AS metric_key, user_id, value, day FROM events
        WHERE only_metric IS NULL OR metric = only_metric
        UNION ALL
        SELECT account_id, '(any)' AS metric_key, user_id, value, day FROM events
        WHERE only_metric IS NULL OR only_metric = '(any)'
    ),
    daily AS (
        SELECT account_id, metric_key, day, sum(value) AS day_value,
               CASE WHEN bool_or(value > 0) THEN 1 ELSE 0 END AS active
        FROM keyed
        GROUP BY account_id, metric_key, day
    ),
    user_firsts AS (
        SELECT account_id, metric_key, user_id, min(day) AS day
        FROM keyed
        WHERE value > 0 AND user_id IS NOT NULL
        GROUP BY account_id, metric_key, user_id
    ),
    new_users AS (
        SELECT account_id, metric_key, day, count(*) AS added
        FROM user_firsts
        GROUP BY account_id, metric_key, day
    )
    SELECT account_id, metric_key, 'sum' AS kind, day,
           CAST(sum(day_value) OVER (PARTITION BY account_id, metric_key ORDER BY day) AS DOUBLE) AS cum
    FROM daily
    UNION ALL
    SELECT account_id, metric_key, 'active_days' AS kind, day,
           CAST(sum(active) OVER (PARTITION BY account_id, metric_key ORDER BY day) AS DOUBLE) AS cum
    FROM daily
    WHERE active = 1
    UNION ALL
    SELECT account_id, metric_key, 'users' AS kind, day,
           CAST(sum(added) OVER (PARTITION BY account_id, metric_key ORDER BY day) AS DOUBLE) AS cum
    FROM new_users
"""
OLD_FIRST_DAY = """
SELECT account_id, min(day) AS first_day
FROM old_onboarding_series($ids, $start_dates, $as_of, $max_day, $metric_key)
WHERE metric_key = $metric_key AND kind = $kind AND cum >= $threshold
GROUP BY account_id
"""

OLD_CANDIDATE_TOTALS = """
SELECT account_id, metric_key, kind, max(cum) AS total
FROM old_onboarding_series($ids, $start_dates, $as_of, $max_day, NULL)
GROUP BY account_id, metric_key, kind
"""
OLD_CANDIDATE_FIRST_DAYS = """
WITH candidates AS (
    SELECT unnest(CAST($t_metric AS VARCHAR[])) AS metric_key, unnest(CAST($t_kind AS VARCHAR[])) AS kind,
           unnest(CAST($t_threshold AS DOUBLE[])) AS threshold
)
SELECT c.metric_key, c.kind, c.threshold, s.account_id, min(s.day) AS first_day
FROM old_onboarding_series($ids, $start_dates, $as_of, $max_day, NULL) s
JOIN candidates c ON c.metric_key = s.metric_key AND c.kind = s.kind AND s.cum >= c.threshold
GROUP BY c.metric_key, c.kind, c.threshold, s.account_id
"""

METRICS = ("m1", "m2", "m3")
USERS = ("u1", "u2", "u3", "u4", None)
FIRST = dt.date(2024, 1, 20)
SPAN_DAYS = 110  # 2024-01-20 .. 2024-05-08: four month boundaries
BOUNDARY_OFFSETS = [(d - FIRST).days for d in (dt.date(2024, 1, 31), dt.date(2024, 2, 1), dt.date(2024, 2, 29),
                                               dt.date(2024, 3, 1), dt.date(2024, 3, 31), dt.date(2024, 4, 1))]
RULES = [ActivationRule(metric=m, kind=k, threshold=t)
         for m, k, t in itertools.product((ANY_METRIC, "m1"), ("sum", "active_days", "users"), (0.5, 2.5, 9))]

usage_rows = st.lists(st.tuples(
    st.sampled_from(("a", "b", "c", "d")),
    st.one_of(st.integers(0, SPAN_DAYS), st.sampled_from(BOUNDARY_OFFSETS)),
    st.sampled_from(METRICS), st.sampled_from((0.0, 0.5, 1.0, 2.0, 3.0)), st.sampled_from(USERS)),
    min_size=0, max_size=60)
start_offsets = st.fixed_dictionaries({a: st.integers(0, 60) for a in ("a", "b", "c", "d", "e")})


def _usage(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["account_id", "offset", "metric", "value", "user_id"])
    frame["event_date"] = [FIRST + dt.timedelta(days=int(o)) for o in frame["offset"]]
    return frame.drop(columns="offset")


def _starts(offsets: dict, as_of: dt.date) -> act.Starts:
    frame = pd.DataFrame({"account_id": list(offsets), "segment": "(none)",
                          "start_date": [FIRST + dt.timedelta(days=o) for o in offsets.values()]})
    return act.Starts(frame, "contracts", SimpleNamespace(as_of=as_of))


def _old_first_days(ws, starts: act.Starts, rule: ActivationRule, max_day: int) -> pd.Series:
    with ws.cursor() as cur:
        cur.execute(OLD_SERIES)
        frame = cur.execute(OLD_FIRST_DAY, {**act.series_params(starts, max_day), "metric_key": rule.metric_key,
                                            "kind": rule.kind, "threshold": float(rule.threshold)}).df()
    return frame.set_index("account_id")["first_day"].astype("float64").sort_index()


def _finder_queries_agree(ws, starts: act.Starts, max_day: int) -> None:
    """The finder's two queries (sql/onboarding/candidate_*.sql) equal the old ones row for row."""
    candidates = list(itertools.product(("(any)", *METRICS), ("sum", "active_days", "users"), (0.5, 2.0, 2.5, 9.0)))
    params = act.series_params(starts, max_day)
    lists = {"t_metric": [c[0] for c in candidates], "t_kind": [c[1] for c in candidates],
             "t_threshold": [c[2] for c in candidates]}
    with ws.cursor() as cur:
        cur.execute(OLD_SERIES)
        old_totals = cur.execute(OLD_CANDIDATE_TOTALS, params).df()
        old_days = cur.execute(OLD_CANDIDATE_FIRST_DAYS, {**params, **lists}).df()
    for new, old, keys in ((ws.query_named("onboarding/candidate_totals", params), old_totals,
                            ["account_id", "metric_key", "kind"]),
                           (ws.query_named("onboarding/candidate_first_days", {**params, **lists}), old_days,
                            ["metric_key", "kind", "threshold", "account_id"])):
        value = "total" if "total" in old else "first_day"
        new = new.astype({value: "float64"}).sort_values(keys).reset_index(drop=True)
        old = old.astype({value: "float64"}).sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(new[keys + [value]], old[keys + [value]])


def _reference(usage: pd.DataFrame, starts: act.Starts, rule: ActivationRule, max_day: int) -> pd.Series:
    rows = usage if rule.metric == ANY_METRIC else usage[usage["metric"] == rule.metric]
    rows = rows.assign(event_date=pd.to_datetime(rows["event_date"]))
    out = {}
    for account, start in zip(starts.frame["account_id"], starts.frame["start_date"]):
        day = ref.first_day(rows[rows["account_id"] == account], start, starts.win.as_of, rule.metric,
                            rule.kind, rule.threshold)
        if day is not None and day < max_day:
            out[account] = float(day)
    return pd.Series(out, dtype="float64").sort_index()


@pytest.fixture(scope="module")
def usage_ws(tmp_path_factory):
    """One workspace whose usage each example replaces (a new workspace per example costs more
    than the comparison)."""
    path = tmp_path_factory.mktemp("first_day_fast") / "w.duckdb"
    yield build_workspace(path)
    close_workspace(path)


def _load(ws, usage: pd.DataFrame) -> None:
    with ws.transaction() as cur:
        cur.execute("DELETE FROM usage")
        if len(usage):
            insert_canonical(cur, "usage", usage)
        rebuild(cur)


def _compare(ws, usage: pd.DataFrame, offsets: dict, as_of: dt.date, max_day: int) -> None:
    _load(ws, usage)
    starts = _starts(offsets, as_of)
    for rule in RULES:
        new = act.first_days(ws, starts, rule, max_day).sort_index()
        assert new.to_dict() == _old_first_days(ws, starts, rule, max_day).to_dict(), (rule, max_day)
        assert new.to_dict() == _reference(usage, starts, rule, max_day).to_dict(), (rule, max_day)
    _finder_queries_agree(ws, starts, min(max_day, 90))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=usage_rows, offsets=start_offsets, as_of_offset=st.integers(20, SPAN_DAYS + 5),
       max_day=st.sampled_from((act.UNBOUNDED_DAYS, 45, 12)))
@pytest.mark.slow
def test_first_days_equal_the_old_series_and_the_reference(usage_ws, rows, offsets, as_of_offset, max_day):
    _compare(usage_ws, _usage(rows), offsets, FIRST + dt.timedelta(days=as_of_offset), max_day)


def test_month_boundary_crossings(usage_ws):
    """Sums crossing on a month's first and last day, the crossing month's days after a month
    that reaches the threshold minus one, and an account that never crosses."""
    rows = [("a", (dt.date(2024, 1, 31) - FIRST).days, "m1", 3.0, "u1"),   # a: sum 3 by Jan 31
            ("a", (dt.date(2024, 2, 1) - FIRST).days, "m1", 1.0, "u2"),    # a: 4 on Feb 1
            ("b", (dt.date(2024, 2, 28) - FIRST).days, "m1", 3.5, "u1"),
            ("b", (dt.date(2024, 2, 29) - FIRST).days, "m1", 0.5, None),   # b: 4 on Feb 29
            ("b", (dt.date(2024, 3, 1) - FIRST).days, "m2", 9.0, "u3"),
            ("c", 0, "m1", 0.0, "u1"), ("c", 40, "m1", 0.0, "u2"),         # c: only zeros
            # d: several users and metrics on one day, a NULL user, a zero row, a repeated row
            ("d", 3, "m1", 1.0, "u1"), ("d", 3, "m1", 1.0, "u2"), ("d", 3, "m2", 1.0, "u3"),
            ("d", 4, "m1", 1.0, None), ("d", 4, "m1", 0.0, "u4"), ("d", 10, "m1", 1.0, "u1"),
            ("d", 10, "m1", 1.0, "u1"), ("d", 12, "m2", 1.0, "u4")]
    usage = _usage(rows)
    offsets = {"a": 0, "b": 0, "c": 0, "d": 3}
    _compare(usage_ws, usage, offsets, dt.date(2024, 5, 1), act.UNBOUNDED_DAYS)
    got = act.first_days(usage_ws, _starts(offsets, dt.date(2024, 5, 1)), ActivationRule("m1", "sum", 4.0))
    assert got.to_dict() == {"a": float((dt.date(2024, 2, 1) - FIRST).days),
                             "b": float((dt.date(2024, 2, 29) - FIRST).days), "d": 7.0}  # d: 2, 3, then 5
    starts = _starts(offsets, dt.date(2024, 5, 1))
    assert act.first_days(usage_ws, starts, ActivationRule("m1", "active_days", 2))["d"] == 1.0  # a day, not a row
    assert act.first_days(usage_ws, starts, ActivationRule("any", "users", 3))["d"] == 0.0  # u1, u2, u3 on day 0
    assert "d" not in act.first_days(usage_ws, starts, ActivationRule("m1", "users", 3))  # u1, u2 (u4 is zero)


@pytest.mark.parametrize("kind", ["sum", "active_days", "users"])
def test_empty_starts_and_empty_usage(usage_ws, kind):
    _load(usage_ws, _usage([]))
    starts = _starts({"a": 0}, dt.date(2024, 5, 1))
    assert act.first_days(usage_ws, starts, ActivationRule(kind=kind)).empty
    assert act.first_days(usage_ws, act.Starts(starts.frame.iloc[:0], "contracts", starts.win),
                          ActivationRule(kind=kind)).empty
