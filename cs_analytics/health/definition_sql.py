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

_MAIN_AGGREGATE = {
    "sum": "sum(u.value) FILTER (WHERE {cond})",
    "avg_per_active_day": "sum(u.value) FILTER (WHERE {cond})",
    "active_days": "count(DISTINCT u.event_date) FILTER (WHERE {cond} AND u.value > 0)",
    "distinct_users": "count(DISTINCT u.user_id) FILTER (WHERE {cond} AND u.value > 0)",
    "distinct_metrics_share": "count(DISTINCT u.metric) FILTER (WHERE {cond} AND u.value > 0)",
}


def _window_condition(i: int, which: str, metric: str | None) -> str:
    cond = f"d.k < $window_{i}" if which == "now" else f"d.k >= $window_{i} AND d.k < 2 * $window_{i}"
    return cond + (f" AND u.metric = $metric_{i}" if metric is not None else "")


def _window_value(i: int, d: MeasureDefinition, which: str) -> str:
    """The SQL expression of definition i's value over one window (`now` or `prev`)."""
    main = f"coalesce(w.v{i}_{which}, 0)"
    if d.aggregation == "avg_per_active_day":
        days = f"coalesce(w.d{i}_{which}, 0)"
        value = f"CASE WHEN {days} > 0 THEN {main} / {days} ELSE 0 END"
    elif d.aggregation == "distinct_metrics_share":
        value = f"CASE WHEN c.metrics > 0 THEN {main} / c.metrics END"
    else:
        value = main
    if d.per == "user":
        users = f"coalesce(w.u{i}_{which}, 0)"
        value = f"CASE WHEN {users} > 0 THEN ({value}) / {users} END"
    return f"CAST({value} AS DOUBLE)"


def usage_window_sql(defs: Sequence[MeasureDefinition]) -> tuple[str, dict]:
    """The one query for all window definitions: SQL text and its parameters (without dates)."""
    aggregates, outputs, params = [], [], {}
    for i, d in enumerate(defs):
        params[f"window_{i}"] = int(d.window_days)
        if d.metric is not None:
            params[f"metric_{i}"] = d.metric
        for which in ("now", "prev") if d.trend else ("now",):
            cond = _window_condition(i, which, d.metric)
            aggregates.append(f"{_MAIN_AGGREGATE[d.aggregation].format(cond=cond)} AS v{i}_{which}")
            if d.aggregation == "avg_per_active_day":
                aggregates.append(
                    f"count(DISTINCT u.event_date) FILTER (WHERE {cond} AND u.value > 0) AS d{i}_{which}")
            if d.per == "user":
                users_cond = _window_condition(i, which, None)
                aggregates.append(
                    f"count(DISTINCT u.user_id) FILTER (WHERE {users_cond} AND u.value > 0) AS u{i}_{which}")
        now = _window_value(i, d, "now")
        if d.trend:
            prev = _window_value(i, d, "prev")
            outputs.append(f"CASE WHEN {prev} > 0 THEN {now} / {prev} END AS c{i}")
        else:
            outputs.append(f"{now} AS c{i}")
    params["max_days"] = max(d.window_days * (2 if d.trend else 1) for d in defs)
    sql = (load_sql("measures/usage_window")
           .replace("/*aggregates*/", ",\n           ".join(aggregates))
           .replace("/*outputs*/", ",\n       ".join(outputs)))
    return sql, params


def single_sql(d: MeasureDefinition) -> tuple[str, dict]:
    """The query of one definition that is not a usage-window one: SQL text and parameters."""
    metric_filter = "AND metric = $metric" if d.metric is not None else ""
    params: dict = {"metric": d.metric} if d.metric is not None else {}
    if d.source == "usage" and d.aggregation == "days_since_last":
        name = "days_since_last"
    elif d.source == "usage" and d.aggregation == "latest":
        name, params["window_days"] = "usage_latest", d.window_days
    elif d.source == "nps":
        name, params = "nps_latest", {"window_days": d.window_days}
    elif d.source == "revenue":
        name, params = "revenue_mrr", {"months_back": d.trend_months, "trend": bool(d.trend)}
    else:
        name, params = "attribute_value", {"attribute": d.attribute}
    sql = load_sql(f"measures/{name}").replace("/*metric_filter*/", metric_filter)
    return sql, params


def _is_window(d: MeasureDefinition) -> bool:
    return d.source == "usage" and d.aggregation in WINDOW_AGGREGATIONS


def _query(ws: "Workspace", sql: str, params: dict, dates: Sequence[dt.date]) -> pd.DataFrame:
    return ws.query(sql, {**params, "as_of_dates": list(dates)})


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
        sql, params = single_sql(d)
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
