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
    """account -> first day of the first month whose month-end MRR > 0 (month-ends <= last complete)."""
    last_end = last_complete_month_end(as_of)
    c = contracts.copy()
    c["start_date"] = pd.to_datetime(c["start_date"]).dt.date
    c["end_date"] = [as_of if e is None or pd.isna(e) else pd.Timestamp(e).date() for e in c["end_date"]]
    first = min(c["start_date"])
    month_ends = pd.date_range(pd.Timestamp(first.year, first.month, 1), pd.Timestamp(last_end), freq="ME")
    out: dict[str, dt.date] = {}
    for account, rows in c.groupby("account_id"):
        for end in month_ends:
            day = end.date()
            mrr = rows[(rows["start_date"] <= day) & (rows["end_date"] >= day)]["mrr"].sum()
            if mrr > 0:
                out[account] = dt.date(day.year, day.month, 1)
                break
    return out


def starts_from_usage(usage: pd.DataFrame, as_of: dt.date) -> dict[str, dt.date]:
    u = usage.assign(event_date=pd.to_datetime(usage["event_date"]).dt.date)
    u = u[(u["value"] > 0) & (u["event_date"] <= as_of)]
    return u.groupby("account_id")["event_date"].min().to_dict()


def first_day(usage: pd.DataFrame, start: dt.date, as_of: dt.date, metric: str, kind: str, threshold: float):
    """The first day d since start on which the cumulative value reaches threshold (None: never);
    `usage` holds one account's rows with event_date as datetime.date."""
    u = usage[(usage["event_date"] >= start) & (usage["event_date"] <= as_of)]
    if metric != "any":
        u = u[u["metric"] == metric]
    if u.empty:
        return None
    u = u.assign(day=[(d - start).days for d in u["event_date"]])
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
    usage = usage.assign(event_date=pd.to_datetime(usage["event_date"]).dt.date)
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
