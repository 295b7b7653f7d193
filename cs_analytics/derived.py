"""Derived tables rebuilt after every load, so pages query small tables instead of raw events.

`account_month` (see sql/build_account_month.sql) holds, per account and calendar month, the
month-end MRR, the customer flag and the month's usage value, active days, active users and
distinct metrics. `workspace_info` holds as_of and the build time.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import duckdb

from cs_analytics.db import load_sql

if TYPE_CHECKING:
    from cs_analytics.db import Workspace


def rebuild(cur: duckdb.DuckDBPyConnection) -> dt.date | None:
    """Rebuild every derived table on `cur` (inside the caller's transaction); returns as_of."""
    cur.execute(load_sql("ensure_implicit_accounts"))
    as_of = cur.execute(load_sql("data_as_of")).fetchone()[0]
    if as_of is None:
        cur.execute("DELETE FROM account_month")
    else:
        cur.execute(load_sql("build_account_month"), {"as_of": as_of})
    _set_info(cur, "as_of", as_of.isoformat() if as_of else None)
    _set_info(cur, "derived_built_at", dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    return as_of


def _set_info(cur: duckdb.DuckDBPyConnection, key: str, value: str | None) -> None:
    cur.execute(
        "INSERT OR REPLACE INTO workspace_info (key, value) VALUES (?, ?)", [key, value]
    )


def rebuild_workspace(ws: "Workspace") -> dt.date | None:
    """Rebuild the derived tables of `ws` in one transaction."""
    with ws.transaction() as cur:
        return rebuild(cur)
