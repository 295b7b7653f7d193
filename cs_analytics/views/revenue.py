"""The Revenue page's numbers: the MRR bridge, KPI tiles against a year before, the month table
and the drill-down months, as one typed result (see retention/revenue.py for the definitions)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.filters import AccountFilter
from cs_analytics.core.outcomes import churn_list_reasons, reason_breakdown
from cs_analytics.retention import revenue
from cs_analytics.retention.months import window
from cs_analytics.views.kpi_tiles import KpiTile, kpi_tile

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

LOWER_IS_BETTER = ("logo_churn_12m",)
MONTH_TABLE_LABELS = {
    "month": "Month", "mrr": "MRR", "customers": "Customers", "new": "New", "reactivation": "Reactivation",
    "expansion": "Expansion", "contraction": "Contraction", "churn": "Churn", "grr_12m": "GRR (12m)",
    "nrr_12m": "NRR (12m)", "logo_retention_12m": "Logo retention (12m)",
}


@dataclass(frozen=True)
class RevenueView:
    """as_of and last_month of the window (None without data); bridge: revenue.mrr_bridge;
    tiles: the KPI tiles of the last complete month; month_table: the CLI columns (months as
    YYYY-MM); drill_months: the months a movement can be listed for, newest first."""

    as_of: dt.date | None
    last_month: dt.date | None
    bridge: pd.DataFrame
    tiles: tuple[KpiTile, ...]
    month_table: pd.DataFrame
    drill_months: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return self.bridge.empty


def revenue_view(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None) -> RevenueView:
    """The Revenue page for the filter and as-of date."""
    win = window(ws, as_of)
    bridge = revenue.mrr_bridge(ws, account_filter, as_of)
    table = revenue.kpis(ws, bridge=bridge)
    tiles = tuple(kpi_tile(row.metric, row.label, row.value, row.change,
                           higher_is_better=row.metric not in LOWER_IS_BETTER) for row in table.itertuples())
    month_table = revenue.cli_frame(bridge) if not bridge.empty else pd.DataFrame(columns=list(revenue.CLI_COLUMNS))
    months = tuple(bridge["month"].dt.strftime("%Y-%m").tolist()[::-1]) if not bridge.empty else ()
    return RevenueView(as_of=None if win is None else win.as_of, last_month=None if win is None else win.last_month,
                       bridge=bridge, tiles=tiles, month_table=month_table, drill_months=months)


def movement_drilldown(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None,
                       month: str, movement: str) -> pd.DataFrame:
    """The accounts in `movement` in `month` (revenue.movement_accounts); churned accounts carry
    the churn list's reason (blank when the list gives none or there is no list)."""
    accounts = revenue.movement_accounts(ws, month, movement, account_filter, as_of)
    if movement != "churn":
        return accounts
    reasons = churn_list_reasons(ws).rename(columns={"reason": "churn_reason"})
    return accounts.merge(reasons, on="account_id", how="left")


def churn_reasons(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None, month: str) -> pd.DataFrame:
    """Churn reason, accounts, MRR lost (the month before's MRR) of the accounts that churned in
    `month`; empty when no churned account has a reason in the churn list."""
    return churn_reason_table(movement_drilldown(ws, account_filter, as_of, month, "churn"))


def churn_reason_table(accounts: pd.DataFrame) -> pd.DataFrame:
    """`churn_reasons` of the churned accounts `movement_drilldown` gave (the page has them already:
    computing them again took 0.5-0.6 s at 100k accounts)."""
    if accounts.empty or accounts["churn_reason"].isna().all():
        return pd.DataFrame(columns=["Churn reason", "Accounts", "MRR lost"])
    rows = accounts.rename(columns={"churn_reason": "reason", "mrr_before": "mrr"})
    return reason_breakdown(rows).rename(columns={"reason": "Churn reason", "accounts": "Accounts", "mrr": "MRR lost"})
