"""SQL for measure definitions, generated from the templates in `sql/measures/`.

Only fixed fragments written here go into the SQL text: column aliases are generated (`c0`,
`c1`, ...), metric names, attribute names and windows are always bound parameters. All usage
definitions aggregated over a window share one scan (`usage_window.sql`); the others run one
query per definition (`days_since_last`, `usage_latest`, `nps_latest`, `revenue_mrr`,
`attribute_value`). Per-seat division joins the `seats` attribute in pandas (vectorised).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterator, Sequence

import numpy as np
import pandas as pd

from cs_analytics.core.db import load_sql
from cs_analytics.health.definitions import SEATS_ATTRIBUTE, MeasureDefinition

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

WINDOW_AGGREGATIONS = ("sum", "avg_per_active_day", "active_days", "distinct_users", "distinct_metrics_share")

# the aggregate of each kind of spec over rows of usage_day (migrations/050_usage_derived.sql);
# {cond} = in the window (and of the metric), {end} = the window's last day. Distinct counts are
# counts of representative rows: a day once per (account[, metric], day), a user or a metric once
# when its last positive day up to {end} is in the window (next positive day after {end}).
_SPEC_AGGREGATE = {
    "sum": "sum(u.value) FILTER (WHERE {cond})",
    "days": "count(*) FILTER (WHERE {cond} AND u.day_rep_metric)",
    "all_days": "count(*) FILTER (WHERE {cond} AND u.day_rep_all)",
    "users": "count(*) FILTER (WHERE {cond} AND u.user_rep AND coalesce(u.user_next_day > {end}, TRUE))",
    "metric_users": "count(DISTINCT u.user_key) FILTER (WHERE {cond} AND u.positive)",
    "metrics": "count(*) FILTER (WHERE {cond} AND u.day_rep_metric AND coalesce(u.metric_next_day > {end}, TRUE))",
}
# a spec of all metrics that is not the metric-level aggregate summed over metrics
_ALL_METRICS_KIND = {"days": "all_days"}
_METRIC_KIND = {"users": "metric_users"}  # users of one metric: counted with DISTINCT (rarely used)
_MAIN_KIND = {"sum": "sum", "avg_per_active_day": "sum", "active_days": "days", "distinct_users": "users",
              "distinct_metrics_share": "metrics"}


def _roles(d: MeasureDefinition) -> list[tuple[str, str, bool]]:
    """(role, spec kind, over all metrics?) of the values a definition needs from one window."""
    roles = [("main", _MAIN_KIND[d.aggregation], d.metric is None)]
    if d.aggregation == "avg_per_active_day":
        roles.append(("days", "days", d.metric is None))
    if d.per == "user":
        roles.append(("users", "users", True))  # active users of the account, any metric
    return roles


def _window_value(d: MeasureDefinition, refs: dict[tuple[str, str], str], which: str) -> str:
    """The SQL expression of a definition's value over one window (`now` or `prev`), from the
    columns `refs` names for each (role, which)."""
    main = f"coalesce({refs['main', which]}, 0)"
    if d.aggregation == "avg_per_active_day":
        days = f"coalesce({refs['days', which]}, 0)"
        value = f"CASE WHEN {days} > 0 THEN {main} / {days} ELSE 0 END"
    elif d.aggregation == "distinct_metrics_share":
        value = f"CASE WHEN c.metrics > 0 THEN {main} / c.metrics END"
    else:
        value = main
    if d.per == "user":
        users = f"coalesce({refs['users', which]}, 0)"
        value = f"CASE WHEN {users} > 0 THEN ({value}) / {users} END"
    return f"CAST({value} AS DOUBLE)"


class _WindowQuery:
    """Collects the specs of the usage-window template: each distinct aggregate over a window, of
    one metric or over all metrics, once per account (`aggregates`), and the outputs. One grouping
    by (as_of, account): every kind is a sum or a count of representative rows, so a value over all
    metrics needs no per-metric step (a per-metric grouping first took 60% of the query: issue 14)."""

    def __init__(self) -> None:
        self.specs: dict[tuple[str, int, str, str | None], str] = {}
        self.windows: dict[int, int] = {}
        self.aggregates: list[str] = []
        self.params: dict = {}

    def _window(self, window_days: int) -> int:
        """n of the bound $spec_window_<n> holding this window length (added on first use)."""
        if window_days not in self.windows:
            n = len(self.windows)
            self.params[f"spec_window_{n}"] = int(window_days)
            self.windows[window_days] = n
        return self.windows[window_days]

    def spec(self, kind: str, window_days: int, which: str, metric: str | None) -> str:
        """The by_account column holding this spec (added on first use): the value of one metric
        ($spec_metric_<j>) or over all metrics, in the window ending on T (`now`) or before it."""
        key = (kind, int(window_days), which, metric)
        if key not in self.specs:
            j, n = len(self.specs), self._window(int(window_days))
            mapped = (_METRIC_KIND if metric is not None else _ALL_METRICS_KIND).get(kind, kind)
            cond = (f"u.k < $spec_window_{n}" if which == "now"
                    else f"u.k >= $spec_window_{n} AND u.k < 2 * $spec_window_{n}")
            if metric is not None:
                self.params[f"spec_metric_{j}"] = metric
                cond += f" AND u.metric = $spec_metric_{j}"
            end = "u.as_of" if which == "now" else f"u.as_of - CAST($spec_window_{n} AS INTEGER)"
            self.aggregates.append(f"{_SPEC_AGGREGATE[mapped].format(cond=cond, end=end)} AS s{j}")
            self.specs[key] = f"a.s{j}"
        return self.specs[key]

    def refs(self, d: MeasureDefinition, which: str) -> dict[tuple[str, str], str]:
        """{(role, which): column} of a definition's values over one window."""
        return {(role, which): self.spec(kind, d.window_days, which, None if over_all else d.metric)
                for role, kind, over_all in _roles(d)}


def usage_window_sql(defs: Sequence[MeasureDefinition]) -> tuple[str, dict]:
    """The one query for all window definitions: SQL text and its parameters (without dates).

    The scan computes each distinct aggregate once per account, of one metric or over all metrics
    (distinct counts are counts of representative rows, so they add up across metrics)."""
    q = _WindowQuery()
    outputs = []
    for i, d in enumerate(defs):
        now = _window_value(d, q.refs(d, "now"), "now")
        if d.trend:
            prev = _window_value(d, q.refs(d, "prev"), "prev")
            outputs.append(f"CASE WHEN {prev} > 0 THEN {now} / {prev} END AS c{i}")
        else:
            outputs.append(f"{now} AS c{i}")
    q.params["max_days"] = max(d.window_days * (2 if d.trend else 1) for d in defs)
    sql = load_sql("measures/usage_window")
    sql = sql.replace("/*aggregates*/", ",\n           ".join(q.aggregates))
    return sql.replace("/*outputs*/", ",\n       ".join(outputs)), q.params


def single_sql(d: MeasureDefinition, n_dates: int = 2) -> tuple[str, dict]:
    """The query of one definition that is not a usage-window one: SQL text and parameters."""
    metric_filter = "AND metric = $metric" if d.metric is not None else ""
    params: dict = {"metric": d.metric} if d.metric is not None else {}
    if d.source == "usage" and d.aggregation == "days_since_last":
        name = "days_since_last_one_date" if n_dates == 1 else "days_since_last"
    elif d.source == "usage" and d.aggregation == "latest":
        name, params["window_days"] = "usage_latest", d.window_days
    elif d.source == "nps":
        name, params = "nps_latest", {"window_days": d.window_days}
    elif d.source == "revenue":
        name, params = "revenue_mrr", {"months_back": d.trend_months, "trend": bool(d.trend)}
    else:
        name, params = "attribute_value", {"attribute": d.attribute}
    # usage_month holds each metric's rows and, with metric NULL, the rows over all metrics
    month_filter = "AND metric = $metric" if d.metric is not None else "AND metric IS NULL"
    sql = load_sql(f"measures/{name}").replace("/*metric_filter*/", metric_filter)
    return sql.replace("/*month_metric_filter*/", month_filter), params


def _is_window(d: MeasureDefinition) -> bool:
    return d.source == "usage" and d.aggregation in WINDOW_AGGREGATIONS


def _scan_bounds(params: dict, dates: Sequence[dt.date]) -> dict:
    """The usage_day dates a template reads ($scan_from .. $scan_to): from the first window day
    of the earliest T to the latest T (templates with $max_days), or, for days since last usage,
    from the first day of the month of the earliest T that is not a month-end to the latest such T
    (an empty range when all are month-ends). usage_day is stored in date order, so DuckDB skips
    the other row groups."""
    if "max_days" in params:
        first = min(dates)
        return {"scan_from": first - dt.timedelta(days=int(params["max_days"]) - 1), "scan_to": max(dates)}
    inside = [d for d in dates if (d + dt.timedelta(days=1)).day != 1]  # a month-end reads usage_month only
    if not inside:
        return {"scan_from": max(dates) + dt.timedelta(days=1), "scan_to": max(dates)}  # nothing to read
    return {"scan_from": min(inside).replace(day=1), "scan_to": max(inside)}


def _query(ws: "Workspace", sql: str, params: dict, dates: Sequence[dt.date]) -> pd.DataFrame:
    bounds = _scan_bounds(params, dates) if "$scan_from" in sql else {}
    return ws.query(sql, {**params, **bounds, "as_of_dates": list(dates)})


def raw_value_frames(ws: "Workspace", defs: list[MeasureDefinition],
                     dates: Sequence[dt.date]) -> Iterator[pd.DataFrame]:
    """Frames of as_of, account_id and one column per definition (named after it)."""
    window = [d for d in defs if _is_window(d)]
    seats = _seats(ws, dates) if any(d.per == "seat" for d in defs) else None
    if window:
        sql, params = usage_window_sql(window)
        frame = _query(ws, sql, params, dates)
        frame = frame.rename(columns={f"c{i}": d.name for i, d in enumerate(window)})
        yield _per_seat(frame, [d for d in window if d.per == "seat"], seats)
    for d in defs:
        if _is_window(d):
            continue
        sql, params = single_sql(d, len(dates))
        frame = _query(ws, sql, params, dates).rename(columns={"raw": d.name})
        yield _per_seat(frame, [d] if d.per == "seat" else [], seats)


def _seats(ws: "Workspace", dates: Sequence[dt.date]) -> pd.DataFrame:
    frame = _query(ws, load_sql("measures/attribute_value"), {"attribute": SEATS_ATTRIBUTE}, dates)
    return frame.rename(columns={"raw": "_seats"})


def _per_seat(frame: pd.DataFrame, defs: list[MeasureDefinition], seats: pd.DataFrame | None) -> pd.DataFrame:
    """Divides each per-seat definition's column by the account's seats (missing when not > 0)."""
    if not defs or seats is None:
        return frame
    merged = frame.merge(seats, on=["as_of", "account_id"], how="left")
    divisor = merged["_seats"].where(merged["_seats"] > 0)
    for d in defs:
        merged[d.name] = merged[d.name].astype(float) / divisor.to_numpy(dtype=float)
    return merged.drop(columns="_seats").replace({np.inf: np.nan})
