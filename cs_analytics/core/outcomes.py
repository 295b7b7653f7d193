"""Churned within (T, T+H]: the one churn outcome (metrics.md, Outcomes).

Population at a snapshot date T: the customers in T's month (month-end MRR > 0). An account
churned within (T, T+H] when its month-end MRR is 0 at any month-end in (T, T+H]
(sql/outcomes/churned_within.sql, read from account_month).

Why month-end checks and not daily ones: MRR is a month-end snapshot everywhere else (metrics.md,
Revenue; the churn movement of the MRR bridge), so a one-day gap between two contracts inside a
month is not a churn there and must not be one here. The backtest, the track record, renewals and
onboarding call this function, so they cannot disagree about an account.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Sequence

import pandas as pd

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

OUTCOME_COLUMNS = ("as_of", "account_id", "churned", "churn_month")


def churn_outcomes(ws: "Workspace", snapshot_dates: Sequence[dt.date], horizon_days: int) -> pd.DataFrame:
    """(as_of, account_id, churned, churn_month) for every customer on each snapshot date T:
    churned = the month-end MRR is 0 at some month-end in (T, T + horizon_days]."""
    dates = [pd.Timestamp(d).date() for d in snapshot_dates]
    frame = ws.query_named("outcomes/churned_within",
                           {"snapshot_dates": dates, "horizon_days": int(horizon_days)})
    for column in ("as_of", "churn_month"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["churned"] = frame["churned"].astype(bool)
    return frame
