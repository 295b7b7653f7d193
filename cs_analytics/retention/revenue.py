"""Revenue retention for leaders: the MRR bridge, movements, trailing-12-month GRR/NRR/logo
retention, expansion rate, KPIs of the last complete month and the accounts behind a movement.

Definitions (docs/spec/metrics.md, Revenue):
- MRR(a, M) is the month-end snapshot of account a's active contracts; a customer has MRR > 0.
- Movements from M-1 to M, one class per account: new (MRR(M-1) = 0, never a customer before),
  reactivation (MRR(M-1) = 0, a customer before), expansion / contraction (both > 0, up / down),
  churn (MRR(M-1) > 0, MRR(M) = 0), flat. The bridge reconciles every month:
  MRR(M) = MRR(M-1) + new + reactivation + expansion - contraction - churn.
- Over the base B = accounts with MRR(a, M-12) > 0:
  GRR = sum min(MRR(M), MRR(M-12)) / sum MRR(M-12); NRR = sum MRR(M) / sum MRR(M-12);
  logo retention = (accounts of B with MRR(a, M) > 0) / (accounts in B); logo churn = 1 - logo retention;
  expansion rate = sum max(MRR(M) - MRR(M-12), 0) / sum MRR(M-12).
Months are reported from the first data month through the last complete month only.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.retention.months import month_label, retention_query, window
from cs_analytics.core.dates import add_months

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churn")
NEGATIVE_MOVEMENTS = ("contraction", "churn")
RATE_COLUMNS = ("grr_12m", "nrr_12m", "logo_retention_12m", "expansion_rate_12m")
CLI_COLUMNS = ("month", "mrr", "customers", *MOVEMENTS, "grr_12m", "nrr_12m", "logo_retention_12m")

BRIDGE_COLUMNS = (
    "month", "mrr", "customers", *MOVEMENTS, *(f"{m}_accounts" for m in MOVEMENTS),
    "base_mrr_12m", "base_accounts_12m", *RATE_COLUMNS,
)

KPI_LABELS = {
    "mrr": "MRR",
    "customers": "Customers",
    "grr_12m": "GRR (12m)",
    "nrr_12m": "NRR (12m)",
    "logo_retention_12m": "Logo retention (12m)",
    "logo_churn_12m": "Logo churn (12m)",
    "expansion_rate_12m": "Expansion rate (12m)",
}

DEFINITIONS = {
    "mrr": "MRR is what an account pays per month at the end of the month: the sum of its contracts "
    "active on the month's last day, `MRR(a, M) = sum of mrr over a's contracts active on last_day(M)`. "
    "An account is a customer in M when `MRR(a, M) > 0`.",
    "movements": "Each month every account falls in exactly one movement from the month before: new "
    "(no MRR last month and never a customer before), reactivation (no MRR last month, a customer "
    "before), expansion or contraction (MRR both months, up or down), churn (MRR last month, none now) "
    "or flat. The movements add up: `MRR(M) = MRR(M-1) + new + reactivation + expansion - contraction "
    "- churn`. The first month of the data has no month before it, so its MRR is shown as the "
    "opening MRR, not as new business.",
    "rates": "Trailing-12-month rates compare month M with the same accounts twelve months earlier: "
    "the base B is the accounts with MRR in M-12. GRR is the share of the base's MRR kept, each "
    "account capped at its earlier MRR: `GRR(M) = sum over B of min(MRR(a, M), MRR(a, M-12)) / sum "
    "over B of MRR(a, M-12)`. NRR counts expansion too: `NRR(M) = sum over B of MRR(a, M) / sum over "
    "B of MRR(a, M-12)`. Logo retention is the share of the base's accounts still paying: "
    "`logo retention(M) = (accounts of B with MRR(a, M) > 0) / (accounts in B)`; logo churn = 1 - "
    "logo retention. The expansion rate is the growth of the accounts that grew: `sum over B of "
    "max(MRR(a, M) - MRR(a, M-12), 0) / sum over B of MRR(a, M-12)`.",
}


def mrr_bridge(
    ws: "Workspace", account_filter: AccountFilter = NO_FILTER, as_of: dt.date | str | None = None
) -> pd.DataFrame:
    """One row per month (first data month .. last complete month): MRR, customers, movement
    amounts (all positive; contraction and churn subtract), accounts per movement, the 12m base
    and GRR / NRR / logo retention / expansion rate (null while M-12 has no customers)."""
    win = window(ws, as_of)
    if win is None:
        return _empty_bridge()
    frame = retention_query(ws, "mrr_bridge", win, account_filter)
    if frame.empty:
        return _empty_bridge()
    frame["month"] = pd.to_datetime(frame["month"])
    for col in ("customers", *(f"{m}_accounts" for m in MOVEMENTS), "base_accounts_12m"):
        frame[col] = frame[col].astype("int64")
    for col in ("mrr", *MOVEMENTS, "base_mrr_12m", *RATE_COLUMNS):
        frame[col] = frame[col].astype("float64")
    return frame[list(BRIDGE_COLUMNS)].reset_index(drop=True)


def _empty_bridge() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in BRIDGE_COLUMNS})
    frame["month"] = pd.Series(dtype="datetime64[ns]")
    return frame


def mrr_table(
    ws: "Workspace", account_filter: AccountFilter = NO_FILTER, as_of: dt.date | str | None = None
) -> pd.DataFrame:
    """The `mrr` CLI output: month (YYYY-MM), mrr, customers, movements, 12m ratios as fractions."""
    return cli_frame(mrr_bridge(ws, account_filter, as_of))


def cli_frame(bridge: pd.DataFrame) -> pd.DataFrame:
    """The CLI columns of a bridge, months as YYYY-MM."""
    out = bridge[list(CLI_COLUMNS)].copy()
    out["month"] = pd.to_datetime(bridge["month"]).dt.strftime("%Y-%m")
    return out.reset_index(drop=True)


def movements_long(bridge: pd.DataFrame) -> pd.DataFrame:
    """month, movement, amount (signed: contraction and churn negative), accounts — for charts."""
    rows = []
    for movement in MOVEMENTS:
        sign = -1.0 if movement in NEGATIVE_MOVEMENTS else 1.0
        rows.append(pd.DataFrame({
            "month": bridge["month"],
            "movement": movement,
            "amount": sign * bridge[movement],
            "accounts": bridge[f"{movement}_accounts"],
        }))
    if not rows:
        return pd.DataFrame(columns=["month", "movement", "amount", "accounts"])
    return pd.concat(rows, ignore_index=True)


def kpis(
    ws: "Workspace", account_filter: AccountFilter = NO_FILTER, as_of: dt.date | str | None = None,
    bridge: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """KPIs of the last complete month next to the same month a year before.

    Columns: metric, label, month, value, year_before, change (value - year_before; null when
    either is undefined). Metrics: mrr, customers, grr_12m, nrr_12m, logo_retention_12m,
    logo_churn_12m, expansion_rate_12m."""
    if bridge is None:
        bridge = mrr_bridge(ws, account_filter, as_of)
    columns = ["metric", "label", "month", "value", "year_before", "change"]
    if bridge.empty:
        return pd.DataFrame(columns=columns)
    frame = bridge.set_index("month")
    frame["logo_churn_12m"] = 1.0 - frame["logo_retention_12m"]
    last = frame.index.max()
    before = pd.Timestamp(add_months(last.date(), -12))
    rows = []
    for metric, label in KPI_LABELS.items():
        value = _value(frame, last, metric)
        prior = _value(frame, before, metric)
        change = None if value is None or prior is None else value - prior
        rows.append([metric, label, last, value, prior, change])
    return pd.DataFrame(rows, columns=columns)


def _value(frame: pd.DataFrame, month: pd.Timestamp, metric: str) -> float | None:
    if month not in frame.index:
        return None
    value = frame.at[month, metric]
    return None if pd.isna(value) else float(value)


def movement_accounts(
    ws: "Workspace", month: dt.date | str, movement: str,
    account_filter: AccountFilter = NO_FILTER, as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """The accounts in `movement` from the month before `month` to `month` (YYYY-MM or a date):
    account_id, account_name, segment, plan, csm_owner, movement, mrr_before, mrr_after, change.
    Empty when the month is after the last complete month."""
    if movement not in (*MOVEMENTS, "flat"):
        raise ValueError(f"Unknown movement {movement!r}; choose one of {', '.join(MOVEMENTS)}.")
    month_first = parse_month(month)
    win = window(ws, as_of)
    if win is None or month_first > win.last_month:
        return pd.DataFrame(columns=["account_id", "account_name", "segment", "plan", "csm_owner",
                                     "movement", "mrr_before", "mrr_after", "change"])
    return retention_query(ws, "movement_accounts", win, account_filter, month=month_first, movement=movement)


def parse_month(month: dt.date | str | pd.Timestamp) -> dt.date:
    """First day of a month given as YYYY-MM, YYYY-MM-DD, a date or a Timestamp."""
    if isinstance(month, pd.Timestamp):
        month = month.date()
    if isinstance(month, dt.datetime):
        month = month.date()
    if isinstance(month, dt.date):
        return month.replace(day=1)
    text = str(month).strip()
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01")
        return dt.date.fromisoformat(text).replace(day=1)
    except ValueError:
        raise ValueError(f"Expected a month as YYYY-MM, got {month!r}.") from None


__all__ = [
    "MOVEMENTS", "mrr_bridge", "mrr_table", "cli_frame", "movements_long", "kpis", "movement_accounts",
    "parse_month", "month_label", "DEFINITIONS",
]
