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

The relation is the DuckDB table macro `retention_months` (migration 014), and every retention
statement under sql/retention/ is a complete query reading it (or the `account_movements` and
`cohort_cells` macros built on it) with bound named parameters (`window_params`).
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
    import pandas as pd

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


def months_relation(win: Window, account_filter: AccountFilter = NO_FILTER,
                    ws: "Workspace | None" = None) -> tuple[str, dict]:
    """(SELECT account_id, month, mrr, active ..., its bound parameters) for the window and filter.

    A non-empty filter needs `ws` to list the accounts it selects."""
    return load_sql("retention/months"), window_params(win, selected_account_ids(ws, account_filter))


def window_params(win: Window, account_ids: list[str] | None) -> dict:
    """The parameters every retention statement binds: $as_of, $last_month, $from_raw and
    $account_ids (the accounts the filter selects; None = every account)."""
    return {"as_of": win.as_of, "last_month": win.last_month, "from_raw": win.from_raw,
            "account_ids": account_ids}


def selected_account_ids(ws: "Workspace | None", account_filter: AccountFilter) -> list[str] | None:
    """The ids of the accounts the filter selects; None for the empty filter (every account)."""
    if account_filter.is_empty:
        return None
    if ws is None:
        raise ValueError("A workspace is needed to resolve a non-empty account filter.")
    sub_sql, sub_params = account_filter.subquery()
    return ws.query(sub_sql, sub_params)["account_id"].tolist()


def retention_query(ws: "Workspace", name: str, win: Window, account_filter: AccountFilter = NO_FILTER,
                    **params) -> "pd.DataFrame":
    """Run the complete statement `sql/retention/<name>.sql` for the window, the filter and the
    statement's own named parameters."""
    ids = selected_account_ids(ws, account_filter)
    return ws.query(load_sql(f"retention/{name}"), {**window_params(win, ids), **params})


def month_label(month: dt.date) -> str:
    """YYYY-MM."""
    return f"{month:%Y-%m}"
