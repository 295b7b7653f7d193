"""The per-account-month relation every retention metric reads, and the reporting window.

Retention (revenue.py, cohorts.py, survival.py) reads one relation with columns
`account_id, month, mrr, active`: the month-end MRR snapshot and whether the account had any usage
row of value > 0 in the month, for every account and calendar month from the first data month
through the last complete month (metrics.md, Time), restricted to the account filter.

It comes from the derived `account_month` table whenever the requested as-of date is not after
the as-of that table was built through (the workspace's as-of setting, else the data's: the
snapshot of every month up to the last complete month is then identical); only for an explicit
later as-of date is it computed from the raw contracts and usage (slower, same definitions).
Setting the workspace as-of rebuilds the derived table (settings.set_setting), so the as-of in
force always reads the fast path.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cs_analytics.core.db import load_sql
from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.core.dates import last_complete_month
from cs_analytics.core.workspace import built_as_of, resolve_as_of

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


@dataclass(frozen=True)
class Window:
    """What a retention query covers: months up to `last_month` (first day of the last complete month)."""

    as_of: dt.date
    last_month: dt.date
    from_raw: bool = False


def window(ws: "Workspace", as_of: dt.date | str | None = None, force_raw: bool = False) -> Window | None:
    """The reporting window for `as_of` (default: the as-of in force); None when there is no data."""
    stored = built_as_of(ws)
    chosen = resolve_as_of(ws, as_of)
    if chosen is None:
        return None
    from_raw = force_raw or stored is None or chosen > stored
    return Window(as_of=chosen, last_month=last_complete_month(chosen), from_raw=from_raw)


def months_relation(win: Window, account_filter: AccountFilter = NO_FILTER) -> tuple[str, list]:
    """(SELECT account_id, month, mrr, active ..., positional params) for the window and filter."""
    sub_sql, sub_params = account_filter.subquery()
    if win.from_raw:
        sql = load_sql("retention/months_raw")
        params = [win.as_of, win.last_month]
    else:
        sql = load_sql("retention/months_account_month")
        params = [win.last_month]
    sql = _strip_comments(sql)
    if not account_filter.is_empty:
        sql += f" AND account_id IN ({sub_sql})"
        params = [*params, *sub_params]
    return sql, params


def compose(name: str, win: Window, account_filter: AccountFilter, *tail: str) -> tuple[str, list]:
    """The SQL file `retention/<name>` (plus `tail` files appended) with `{months}` filled in."""
    months_sql, params = months_relation(win, account_filter)
    text = "\n".join(_strip_comments(load_sql(f"retention/{n}")) for n in (name, *tail))
    return text.replace("{months}", months_sql), params


def _strip_comments(sql: str) -> str:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";")


def month_label(month: dt.date) -> str:
    """YYYY-MM."""
    return f"{month:%Y-%m}"
