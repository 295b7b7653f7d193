"""The planted onboarding signal (docs/demo.md, "Onboarding signal"), applied to the generated usage
after the fact with its own random stream, so every other number of the demo keeps its draws.

Start: the first day of the account's first customer month (docs/onboarding.md); the first
SIGNAL_DAYS days since that start are days 0..SIGNAL_DAYS-1. Retained: the account is a customer
at each of the month-ends of its first 12 months (start month included) up to the as-of, which is
the onboarding finder's 12-month retention (core.outcomes, month-end MRR > 0).

- A retained account creates at least SIGNAL_REPORTS reports (`report_created`, summed) in its
  first SIGNAL_DAYS days with probability SIGNAL_PROBABILITY: missing reports are added, one per
  day on the account's first customer days in the window, by its first user.
- A non-retained account creates none then with probability SIGNAL_PROBABILITY: its
  `report_created` rows in those days are removed, and it reaches SIGNAL_REPORTS reports only
  later, on SIGNAL_REPORTS random customer days in days SIGNAL_DAYS..LATE_DAYS-1 (fewer when it
  is a customer on fewer of them), so the signal is the time to value, not reports ever created.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cs_analytics.demo.model import AS_OF, START, Account, day_of, month_index

SIGNAL_METRIC = "report_created"
SIGNAL_DAYS = 30
SIGNAL_REPORTS = 3
SIGNAL_PROBABILITY = 0.9
LATE_DAYS = 90
RETENTION_MONTHS = 12


def _month_first_day(month: int) -> int:
    """Day index of the first day of month `month` (0 = START's month)."""
    index = START.year * 12 + START.month - 1 + month
    return day_of(dt.date(index // 12, index % 12 + 1, 1))


def start_month_day(a: Account) -> int:
    """Day index of the first day of the account's start month."""
    return _month_first_day(month_index(a.start_day))


def retained_first_year(a: Account) -> bool:
    """A customer at every month-end of its first 12 months that is on or before the as-of."""
    first = month_index(a.start_day)
    for month in range(first, first + RETENTION_MONTHS):
        month_end = _month_first_day(month + 1) - 1
        if month_end > day_of(AS_OF):
            break
        if not any(lo <= month_end <= hi for lo, hi in a.live_spans):
            return False
    return True


def plant_onboarding_signal(rng: np.random.Generator, usage: pd.DataFrame, book: list[Account]) -> pd.DataFrame:
    """The usage frame with the onboarding signal planted (module docstring); input untouched.
    Added reports fall on days the account already uses the product (its login user-days), so
    they add no active day, except for a retained account without any active day in the window."""
    follows = dict(zip((a.account_id for a in book), rng.random(len(book)) < SIGNAL_PROBABILITY))
    group = {a.account_id: ("early" if retained_first_year(a) else "late") if follows[a.account_id] else "none"
             for a in book}
    day = ((usage["event_date"] - pd.Timestamp(START)).dt.days).to_numpy()
    since = day - usage["account_id"].map({a.account_id: start_month_day(a) for a in book}).to_numpy()
    kind = usage["account_id"].map(group).to_numpy()
    reports = (usage["metric"] == SIGNAL_METRIC).to_numpy() & (since >= 0) & (since < SIGNAL_DAYS)
    out = usage[~(reports & (kind == "late"))].reset_index(drop=True)
    had = usage[reports].groupby("account_id")["value"].sum()
    logins = usage[(usage["metric"] == "login").to_numpy() & (since >= 0) & (since < LATE_DAYS) & (kind != "none")]
    logins = logins.assign(since=since[(usage.index.get_indexer(logins.index))])
    logins = logins.drop_duplicates(["account_id", "since"])[["account_id", "event_date", "user_id", "since"]]
    early = [a for a in book if group[a.account_id] == "early" and had.get(a.account_id, 0) < SIGNAL_REPORTS]
    added = pd.concat([_early_reports(logins, early, had), _late_reports(rng, logins, group)], ignore_index=True)
    return _add_reports(out, added.assign(metric=SIGNAL_METRIC))


def _early_reports(logins: pd.DataFrame, accounts: list[Account], had: pd.Series) -> pd.DataFrame:
    """The reports a retained account lacks in its first SIGNAL_DAYS days, spread over its first
    active user-days (round robin); on its first customer day when it has none in the window."""
    missing = pd.Series({a.account_id: SIGNAL_REPORTS - int(had.get(a.account_id, 0)) for a in accounts}, dtype=int)
    days = logins[(logins["since"] < SIGNAL_DAYS) & logins["account_id"].isin(missing.index)]
    days = days.assign(rank=days.groupby("account_id").cumcount(),
                       active=days.groupby("account_id")["since"].transform("size"))
    need = days["account_id"].map(missing)
    days = days[days["rank"] < need]
    rows = days.assign(value=np.ceil((need[days.index] - days["rank"]) / days["active"]).astype(float))
    bare = []
    for a in accounts:
        if a.account_id in set(days["account_id"]):
            continue
        first = next((d for d in range(start_month_day(a), start_month_day(a) + SIGNAL_DAYS)
                      if any(s <= d <= e for s, e in a.live_spans)), None)
        if first is not None:
            bare.append((a.account_id, pd.Timestamp(START) + pd.Timedelta(days=first),
                         a.account_id.replace("ACC", "u") + "-000", float(missing[a.account_id])))
    bare_rows = pd.DataFrame(bare, columns=["account_id", "event_date", "user_id", "value"])
    return pd.concat([rows[bare_rows.columns], bare_rows], ignore_index=True)


def _late_reports(rng: np.random.Generator, logins: pd.DataFrame, group: dict) -> pd.DataFrame:
    """SIGNAL_REPORTS reports of a non-retained account on random active user-days in days
    SIGNAL_DAYS..LATE_DAYS-1 (one each; fewer when it has fewer active days then)."""
    late = logins[(logins["since"] >= SIGNAL_DAYS) & (logins["account_id"].map(group) == "late")]
    late = late.assign(draw=rng.random(len(late))).sort_values(["account_id", "draw"], kind="stable")
    late = late[late.groupby("account_id").cumcount() < SIGNAL_REPORTS]
    return late[["account_id", "event_date", "user_id"]].assign(value=1.0)


def _add_reports(usage: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """usage with `added` report rows: summed into an existing row of the same account, day, user
    and metric, appended otherwise."""
    key = ["account_id", "event_date", "metric", "user_id"]
    added = added.groupby(key, as_index=False)["value"].sum()
    existing = usage[usage["metric"] == SIGNAL_METRIC].reset_index()[key + ["index"]]
    matched = added.merge(existing, on=key, how="left")
    out = usage  # the caller's private copy, RangeIndex
    hit = matched["index"].notna()
    out.loc[matched.loc[hit, "index"].astype(int).to_numpy(), "value"] += matched.loc[hit, "value"].to_numpy()
    return pd.concat([out, matched.loc[~hit, usage.columns]], ignore_index=True)
