"""Derived tables rebuilt after every load and every change of the as-of setting, so pages query
small tables instead of raw events.

`account_month` (see sql/build_account_month.sql) holds, per account and calendar month, the
month-end MRR, the customer flag and the month's usage value, active days, active users and
distinct metrics, through the month of the as-of date in force at build time (the workspace's
`as_of` setting when set, else the data's own as-of), open-ended contracts running through it.
`usage_day`, `usage_month` and `usage_metric_first` (see migrations/050_usage_derived.sql) hold
usage pre-aggregated per account, metric, day and user, the first / last usage date per account
and month, and each metric's first positive date: the health measures read them, not raw usage.
The first two hold accounts as integer keys, which `usage_account` names (migration 060).
`workspace_info` holds `as_of` (the data's as-of, metrics.md Time), `built_as_of` (the as-of
`account_month` was built through) and `derived_built_at` (the build time).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import duckdb

from cs_analytics.core.config import AS_OF_FROM_DATA
from cs_analytics.core.db import load_sql

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


def rebuild(cur: duckdb.DuckDBPyConnection, today: dt.date | None = None, *,
            usage_changed: bool = True, usage_unique: bool = False) -> dt.date | None:
    """Rebuild every derived table on `cur` (inside the caller's transaction); returns the data's
    as-of. `today` (default: the machine's date) is the day of the load: later dates never count.
    `usage_changed=False` (a write that left the usage table as it was: another table, the as-of
    setting) keeps the usage tables, which depend on usage alone and cost most to rebuild.
    `usage_unique=True` says the usage table holds one upload's daily facts (a replace-mode usage
    ingest, or none), which are unique per account, metric, day and user (ingest/facts.py), so
    `usage_day` need not group them again (issue 14: a 100M-row grouping saved)."""
    if usage_changed:
        cur.execute(usage_derived_sql(usage_unique))
    cur.execute(load_sql("ensure_implicit_accounts"))  # reads usage_account, built with usage_day
    day = today or dt.date.today()
    data_day = cur.execute(load_sql("data_as_of"), {"today": day}).fetchone()[0]
    in_force = _as_of_setting(cur) or data_day
    if in_force is None:
        cur.execute("DELETE FROM account_month")
    else:
        cur.execute(load_sql("build_account_month"), {"as_of": in_force})
    _set_info(cur, "as_of", data_day.isoformat() if data_day else None)
    _set_info(cur, "built_as_of", in_force.isoformat() if in_force else None)
    _set_info(cur, "derived_built_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"))
    return data_day


def usage_derived_sql(usage_unique: bool = False) -> str:
    """sql/build_usage_derived.sql; with `usage_unique`, its grouping of usage rows per account,
    metric, day and user is left out (each group would be one row: the same sum and flag)."""
    sql = load_sql("build_usage_derived")
    if usage_unique:
        assert GROUPED_USAGE in sql, "build_usage_derived.sql no longer groups usage as expected"
        sql = sql.replace(GROUPED_USAGE, UNGROUPED_USAGE)
    return sql


GROUPED_USAGE = "sum(value) AS value, bool_or(value > 0) AS positive\n    FROM keyed\n    GROUP BY ALL"
UNGROUPED_USAGE = "value, value > 0 AS positive\n    FROM keyed"


def _as_of_setting(cur: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The `as_of` setting in force, read on the caller's cursor (it may be uncommitted yet)."""
    row = cur.execute(
        "SELECT value FROM settings WHERE key = 'as_of' ORDER BY setting_id DESC LIMIT 1"
    ).fetchone()
    if row is None or row[0] is None or row[0] == AS_OF_FROM_DATA:
        return None
    return dt.date.fromisoformat(row[0])


def _set_info(cur: duckdb.DuckDBPyConnection, key: str, value: str | None) -> None:
    cur.execute(
        "INSERT OR REPLACE INTO workspace_info (key, value) VALUES (?, ?)", [key, value]
    )


def rebuild_workspace(ws: "Workspace", today: dt.date | None = None) -> dt.date | None:
    """Rebuild the derived tables of `ws` in one transaction; returns the data's as-of."""
    with ws.transaction() as cur:
        return rebuild(cur, today)


def data_stamp(ws: "Workspace") -> str | None:
    """When the input tables were last rebuilt into the derived ones (`derived_built_at`): it
    changes on every data write (ingest, clear, demo, as-of setting) and on nothing else, so work
    that reads only the input tables can be kept per stamp (a flag or a call does not change it)."""
    return ws.scalar("SELECT value FROM workspace_info WHERE key = ?", ["derived_built_at"])

