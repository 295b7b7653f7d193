"""A deliberately simple pandas re-implementation of onboarding activation from RAW frames
(docs/spec/metrics.md, Onboarding and activation), to check the DuckDB results independently:
starts by walking month-ends over the contracts, cumulative facts by sorting each account's rows."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def last_complete_month_end(as_of: dt.date) -> dt.date:
    following = (pd.Timestamp(as_of) + pd.Timedelta(days=1))
    if following.day == 1:
        return as_of
    return (pd.Timestamp(as_of.year, as_of.month, 1) - pd.Timedelta(days=1)).date()


def starts_from_contracts(contracts: pd.DataFrame, as_of: dt.date) -> dict[str, dt.date]:
    """account -> first day of the first month whose month-end MRR > 0 (month-ends <= last complete).

    With positive MRRs, a month-end has MRR > 0 when some contract covers it; the first month-end a
    contract can cover is the end of its start month, so each contract's candidate is its start
    month when it is still running on that month-end (an empty end runs through the as-of)."""
    last_end = pd.Timestamp(last_complete_month_end(as_of))
    c = contracts[contracts["mrr"] > 0]
    starts = pd.to_datetime(c["start_date"])
    month_end = starts + pd.offsets.MonthEnd(0)
    ends = pd.to_datetime(c["end_date"]).fillna(pd.Timestamp(as_of))
    covered = (ends >= month_end) & (month_end <= last_end)
    firsts = (month_end - pd.offsets.MonthBegin(1))[covered]
    return {a: d.date() for a, d in firsts.groupby(c.loc[covered, "account_id"]).min().items()}


def starts_from_usage(usage: pd.DataFrame, as_of: dt.date) -> dict[str, dt.date]:
    u = usage.assign(event_date=pd.to_datetime(usage["event_date"]).dt.date)
    u = u[(u["value"] > 0) & (u["event_date"] <= as_of)]
    return u.groupby("account_id")["event_date"].min().to_dict()


def first_day(usage: pd.DataFrame, start: dt.date, as_of: dt.date, metric: str, kind: str, threshold: float):
    """The first day d since start on which the cumulative value reaches threshold (None: never);
    `usage` holds one account's rows of the rule's metric, event_date as datetime64."""
    u = usage[(usage["event_date"] >= pd.Timestamp(start)) & (usage["event_date"] <= pd.Timestamp(as_of))]
    if u.empty:
        return None
    u = u.assign(day=(u["event_date"] - pd.Timestamp(start)).dt.days)
    if kind == "sum":
        cum = u.groupby("day")["value"].sum().sort_index().cumsum()
    elif kind == "active_days":
        days = sorted(set(u.loc[u["value"] > 0, "day"]))
        cum = pd.Series(range(1, len(days) + 1), index=days, dtype=float)
    else:
        firsts = u[(u["value"] > 0) & u["user_id"].notna()].groupby("user_id")["day"].min()
        cum = firsts.value_counts().sort_index().cumsum().astype(float)
    hit = cum[cum >= threshold]
    return None if hit.empty else int(hit.index[0])


def activation(usage: pd.DataFrame, starts: dict, as_of: dt.date, metric: str, kind: str, threshold: float,
               window_days: int) -> pd.DataFrame:
    """account_id, start_date, observed_days, first_day, activation_day, status per account with a start."""
    rows = []
    usage = usage.assign(event_date=pd.to_datetime(usage["event_date"]))
    if metric != "any":
        usage = usage[usage["metric"] == metric]
    by_account = dict(tuple(usage.groupby("account_id")))
    empty = usage.iloc[0:0]
    for account, start in sorted(starts.items()):
        fd = first_day(by_account.get(account, empty), start, as_of, metric, kind, threshold)
        act = fd if fd is not None and fd < window_days else None
        observed = (as_of - start).days
        status = "activated" if act is not None else ("not_activated" if observed >= window_days else "pending")
        rows.append((account, start, observed, np.nan if fd is None else fd, np.nan if act is None else act, status))
    return pd.DataFrame(rows, columns=["account_id", "start_date", "observed_days", "first_day", "activation_day",
                                       "status"])


def share_within(frame: pd.DataFrame, days: int):
    observed = frame[frame["observed_days"] >= days]
    return (np.nan if observed.empty else (observed["activation_day"] < days).mean()), len(observed)


def later(frame: pd.DataFrame, window_days: int, follow_up: int = 365) -> tuple[int, int]:
    late = frame[(frame["status"] == "not_activated") & (frame["observed_days"] >= follow_up)]
    return len(late), int(((late["first_day"] >= window_days) & (late["first_day"] < follow_up)).sum())
