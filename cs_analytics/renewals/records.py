"""Renewals and their outcomes: what was due, what renewed, and the renewal rates (metrics.md, Renewals).

- A renewal is an account and a due date: a contract is due at its renewal_date, else its
  end_date. Expiring MRR = the MRR of the account's contracts due that day.
- Renewed: the renewal MRR is > 0, read at the month-end of the outcome month (the month after
  the later of the due date and the due contracts' end date; sql/renewals/renewals.sql).
- Gross renewal rate = sum(min(renewal MRR, expiring MRR)) / sum(expiring MRR);
  net renewal rate = sum(renewal MRR) / sum(expiring MRR); logo renewal rate = renewed / due.
- First-year renewal: the account's first due date; reported apart from later ones.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.core.workspace import resolve_as_of

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

RENEWAL_COLUMNS = ["account_id", "account_name", "csm_owner", "segment", "due_date", "expiring_mrr",
                   "contracts", "service_end", "outcome_month", "first_year", "outcome_known",
                   "renewal_mrr", "renewed"]
HISTORY_COLUMNS = ["quarter", "first_year", "due", "renewed", "expiring_mrr", "renewed_mrr_capped",
                   "renewal_mrr", "gross_rate", "net_rate", "logo_rate"]


def renewals(ws: "Workspace", as_of=None, account_filter: AccountFilter = NO_FILTER) -> pd.DataFrame:
    """Every renewal seen at as_of (default: the as-of in force), RENEWAL_COLUMNS, by due date.

    renewed is True/False where the outcome is known (outcome month ended by as_of), else NA."""
    day = resolve_as_of(ws, as_of)
    if day is None:
        return pd.DataFrame(columns=RENEWAL_COLUMNS)
    frame = ws.query_named("renewals/renewals", {"as_of_day": day})
    for column in ("due_date", "service_end", "outcome_month"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["first_year"] = frame["first_year"].astype(bool)
    frame["outcome_known"] = frame["outcome_known"].astype(bool)
    frame["renewal_mrr"] = frame["renewal_mrr"].astype(float)
    frame["renewed"] = pd.array(
        [bool(m > 0) if known else pd.NA for m, known in zip(frame["renewal_mrr"], frame["outcome_known"])],
        dtype="boolean")
    details = ws.query_named("renewals/account_details")
    frame = frame.merge(details, on="account_id", how="left")
    frame = keep_filtered(ws, frame, account_filter)
    return frame[RENEWAL_COLUMNS].reset_index(drop=True)


def past_renewals(frame: pd.DataFrame) -> pd.DataFrame:
    """The renewals whose outcome is known."""
    return frame[frame["outcome_known"]].reset_index(drop=True)


def upcoming_renewals(frame: pd.DataFrame, as_of: dt.date, within_days: int) -> pd.DataFrame:
    """Renewals due in (as_of, as_of + within_days]."""
    last = as_of + dt.timedelta(days=int(within_days))
    due = frame["due_date"]
    return frame[(due > as_of) & (due <= last)].reset_index(drop=True)


def rates(frame: pd.DataFrame) -> dict:
    """due, renewed, expiring_mrr, renewed_mrr_capped, renewal_mrr, gross_rate, net_rate,
    logo_rate of past renewals (rates None when nothing was due)."""
    known = frame[frame["outcome_known"]]
    expiring = float(known["expiring_mrr"].sum())
    renewal = known["renewal_mrr"].astype(float)
    capped = float(np.minimum(renewal, known["expiring_mrr"]).sum())
    due = int(len(known))
    renewed = int(known["renewed"].astype(bool).sum())
    return {
        "due": due, "renewed": renewed, "expiring_mrr": expiring, "renewed_mrr_capped": capped,
        "renewal_mrr": float(renewal.sum()),
        "gross_rate": capped / expiring if expiring > 0 else None,
        "net_rate": float(renewal.sum()) / expiring if expiring > 0 else None,
        "logo_rate": renewed / due if due else None,
    }


def quarter_of(day: dt.date) -> str:
    """'2025-Q3' for a date in July-September 2025."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def history(frame: pd.DataFrame) -> pd.DataFrame:
    """Renewal rates per quarter of due date, first-year renewals apart from later ones:
    HISTORY_COLUMNS, oldest quarter first, first-year row before the later one."""
    known = past_renewals(frame)
    if known.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    known = known.assign(quarter=[quarter_of(d) for d in known["due_date"]])
    rows = []
    for (quarter, first_year), group in known.groupby(["quarter", "first_year"], sort=True):
        rows.append({"quarter": quarter, "first_year": bool(first_year), **rates(group)})
    out = pd.DataFrame(rows)
    out = out.sort_values(["quarter", "first_year"], ascending=[True, False]).reset_index(drop=True)
    return out[HISTORY_COLUMNS]


def rates_by_group(frame: pd.DataFrame, column: str, order: tuple[str, ...] = ()) -> pd.DataFrame:
    """Past renewals' rates per value of `column` (e.g. the band 90 days before the due date):
    column, due, renewed, logo_rate, gross_rate, net_rate; rows in `order` first."""
    known = past_renewals(frame)
    values = list(order) + sorted(v for v in known[column].dropna().unique() if v not in order)
    rows = []
    for value in values:
        group = known[known[column] == value]
        r = rates(group)
        rows.append({column: value, "due": r["due"], "renewed": r["renewed"], "logo_rate": r["logo_rate"],
                     "gross_rate": r["gross_rate"], "net_rate": r["net_rate"]})
    return pd.DataFrame(rows, columns=[column, "due", "renewed", "logo_rate", "gross_rate", "net_rate"])
