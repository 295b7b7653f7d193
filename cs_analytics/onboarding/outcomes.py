"""Activated versus not activated (metrics.md, Onboarding and activation): retention by month
since start, the 12-month retention the activation finder separates, and Kaplan-Meier survival
with a log-rank test (reusing retention/survival.py).

Retention at month k since start: logo retention (month-end MRR > 0 in the start month + k) when
the workspace has contracts, activity retention (any usage of value > 0 in that month) from
usage alone. Only accounts observed at month k (start month + k <= last complete month) count.
12-month retention with contracts = not churned within (start, start + 365 days] by
core.outcomes.churn_outcomes (the one churn definition), observed when start + 365 days is on or
before the last complete month's last day; from usage alone = active in the start month + 12.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.core.outcomes import churn_outcomes
from cs_analytics.onboarding.activation import Starts
from cs_analytics.retention import survival as sv
from cs_analytics.retention.months import window_params

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

RETENTION_DAYS = 365
RETENTION_MONTHS = 12
GROUPS = ("activated", "not_activated")
GROUP_LABELS = {"activated": "Activated", "not_activated": "Not activated"}
LOGRANK_BY = "activation group"


def retained_by_month(ws: "Workspace", starts: Starts) -> pd.DataFrame:
    """account_id, month_since_start, retained (module docstring) for every account with a start."""
    if starts.frame.empty:
        return pd.DataFrame(columns=["account_id", "month_since_start", "retained"])
    params = {**window_params(starts.win, None), "basis": starts.basis,
              "ids": starts.frame["account_id"].tolist(), "start_dates": starts.frame["start_date"].tolist()}
    frame = ws.query_named("onboarding/retained_by_month", params)
    frame["retained"] = frame["retained"].astype(bool)
    return frame


def retention_curves(monthly: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """group (activated / not_activated), month_since_start, accounts (observed then), retained,
    share; pending accounts are left out."""
    status = accounts.set_index("account_id")["status"]
    frame = monthly.assign(group=monthly["account_id"].map(status))
    frame = frame[frame["group"].isin(GROUPS)]
    if frame.empty:
        return pd.DataFrame(columns=["group", "month_since_start", "accounts", "retained", "share"])
    out = frame.groupby(["group", "month_since_start"], sort=True).agg(
        accounts=("retained", "size"), retained=("retained", "sum")).reset_index()
    out["share"] = out["retained"] / out["accounts"]
    return out


def twelve_month_retention(ws: "Workspace", starts: Starts, monthly: pd.DataFrame | None = None) -> pd.DataFrame:
    """account_id, start_date, retained_12m for the accounts whose 12 months are observed."""
    columns = ["account_id", "start_date", "retained_12m"]
    if starts.frame.empty:
        return pd.DataFrame(columns=columns)
    last_day = (pd.Timestamp(starts.win.last_month) + pd.offsets.MonthEnd(0)).date()
    frame = starts.frame[[s + dt.timedelta(days=RETENTION_DAYS) <= last_day for s in starts.frame["start_date"]]]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if starts.basis == "contracts":
        outcomes = churn_outcomes(ws, sorted(set(frame["start_date"])), RETENTION_DAYS)
        outcomes = outcomes.rename(columns={"as_of": "start_date"})
        merged = frame.merge(outcomes, on=["account_id", "start_date"], how="inner")
        merged["retained_12m"] = ~merged["churned"]
    else:
        monthly = retained_by_month(ws, starts) if monthly is None else monthly
        at_12 = monthly[monthly["month_since_start"] == RETENTION_MONTHS].set_index("account_id")["retained"]
        merged = frame.assign(retained_12m=frame["account_id"].map(at_12))
        merged = merged[merged["retained_12m"].notna()]
        merged["retained_12m"] = merged["retained_12m"].astype(bool)
    return merged[columns].reset_index(drop=True)


def activation_survival(ws: "Workspace", accounts: pd.DataFrame, account_filter: AccountFilter = NO_FILTER,
                        as_of: dt.date | str | None = None) -> sv.SurvivalResult:
    """Kaplan-Meier customer lifetimes (retention/survival.py) of activated versus not activated
    accounts, with the log-rank test; pending accounts are left out."""
    life = sv.lifetimes(ws, None, account_filter, as_of)
    status = accounts.set_index("account_id")["status"]
    life = life.assign(group=life["account_id"].map(status).map(GROUP_LABELS))
    life = life[life["group"].notna()].reset_index(drop=True)
    return sv.SurvivalResult(by=LOGRANK_BY, lifetimes=life, curves=sv.km_curves_from(life),
                             medians=sv.medians_from(life), logrank=sv.logrank_from(life, LOGRANK_BY))
