"""Activation per account and per start cohort (metrics.md, Onboarding and activation).

Start: the first day of the account's first customer month (month-end MRR > 0) when the workspace
has contracts; else its first day with a usage row of value > 0 (the "usage" basis). Day d since
start = date - start in days (the start is day 0). An account is activated on the first day d < W
on which the rule holds, counting usage from the start (usage before the start is ignored) through
the as-of. Status: activated; not_activated (observed for the whole window, start + W <= as-of,
and not activated); pending (not activated yet and the window not over).

Shares within N days are censored: only accounts with start + N days <= as-of count (blank when
none does). Time to activation: days to activation of the accounts observed for the whole
window that activated (median and 75th percentile). "Three months or never": of the accounts not
activated by W and observed for FOLLOW_UP_DAYS after start, the share whose rule (no window)
first holds on a day W <= d < FOLLOW_UP_DAYS.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.onboarding.rule import ActivationRule
from cs_analytics.retention.months import Window, selected_account_ids, window, window_params

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

SHARE_DAYS = (30, 60, 90)
FOLLOW_UP_DAYS = 365
UNBOUNDED_DAYS = 100_000
PREFIX_DAYS = 7  # first_days asks each start date's accounts about this many days first
MAX_PREFIX_QUERIES = 60  # ... when the starts fall on at most this many dates (else one query)
ALL_SEGMENTS = "all"
ACCOUNT_COLUMNS = ["account_id", "segment", "start_date", "observed_days", "first_day", "activation_day", "status"]
SEED_CLAIM = "A signed customer who has not activated within about three months is hard to activate later."


@dataclass(frozen=True)
class Starts:
    """The accounts with a start (account_id, start_date, segment), how starts were found
    ('contracts' or 'usage') and the reporting window (None without data)."""

    frame: pd.DataFrame
    basis: str
    win: Window | None


def start_basis(ws: "Workspace") -> str:
    """'contracts' when the workspace holds contracts, else 'usage' (starts from usage alone)."""
    return "contracts" if ws.row_count("contracts") > 0 else "usage"


def account_starts(ws: "Workspace", account_filter: AccountFilter = NO_FILTER,
                   as_of: dt.date | str | None = None) -> Starts:
    """Every account's start (sql/onboarding/starts.sql) for the filter and as-of."""
    basis = start_basis(ws)
    win = window(ws, as_of)
    if win is None:
        return Starts(pd.DataFrame(columns=["account_id", "start_date", "segment"]), basis, None)
    params = window_params(win, selected_account_ids(ws, account_filter))
    frame = ws.query_named("onboarding/starts", {**params, "basis": basis})
    frame["start_date"] = pd.to_datetime(frame["start_date"]).dt.date
    return Starts(frame, basis, win)


def series_params(starts: Starts, max_day: int) -> dict:
    """The bound parameters of the sql/onboarding/ first-day and finder queries for these starts."""
    return {"ids": starts.frame["account_id"].tolist(), "start_dates": starts.frame["start_date"].tolist(),
            "as_of": starts.win.as_of, "max_day": int(max_day)}


def first_days(ws: "Workspace", starts: Starts, rule: ActivationRule, max_day: int = UNBOUNDED_DAYS) -> pd.Series:
    """account_id -> the first day since start (< max_day) on which the rule's cumulative value
    reaches its threshold, without the window; absent when it never does.

    One query per kind (sql/onboarding/first_day_<kind>.sql) looks for the crossing alone in
    usage_day, never the whole per-day series (issue 14, docs/performance.md "Activation at
    100M"). When the starts fall on few dates (contracts: first days of months; at most
    MAX_PREFIX_QUERIES dates whose prefixes cover at most half of the days since the first
    start), the accounts of each start date are first asked about their first PREFIX_DAYS days
    only, a date range the scan reads alone (usage_day is in date order); the accounts still open
    are then asked with the full bound. The cumulative value on day d depends only on days <= d, so a first day found
    within the prefix is the first day."""
    if starts.frame.empty:
        return pd.Series(dtype="float64")
    prefix_days = min(max_day, PREFIX_DAYS)
    dates = sorted(set(starts.frame["start_date"]))
    span_days = (starts.win.as_of - dates[0]).days + 1
    if len(dates) > MAX_PREFIX_QUERIES or 2 * len(dates) * prefix_days > span_days or max_day <= prefix_days:
        return _first_days_within(ws, starts, rule, max_day)  # the prefixes would read much of the data
    found = [_first_days_within(ws, _starting_on(starts, day), rule, prefix_days) for day in dates]
    settled = pd.concat(found) if found else pd.Series(dtype="float64")
    open_starts = starts.frame[~starts.frame["account_id"].isin(settled.index)]
    if open_starts.empty:
        return settled
    return pd.concat([settled, _first_days_within(ws, Starts(open_starts, starts.basis, starts.win), rule, max_day)])


def _starting_on(starts: Starts, day: dt.date) -> Starts:
    return Starts(starts.frame[starts.frame["start_date"] == day], starts.basis, starts.win)


def _first_days_within(ws: "Workspace", starts: Starts, rule: ActivationRule, max_day: int) -> pd.Series:
    """first_days from one query over the usage dated from the earliest start to its day
    max_day - 1 (at most the day after the as-of)."""
    first_start = min(starts.frame["start_date"])
    last_day = min(max(starts.frame["start_date"]) + dt.timedelta(days=min(max_day, UNBOUNDED_DAYS)),
                   starts.win.as_of + dt.timedelta(days=1))
    frame = ws.query_named(f"onboarding/first_day_{rule.kind}", {
        **series_params(starts, max_day), "metric_key": rule.metric_key, "threshold": float(rule.threshold),
        "scan_from": first_start, "scan_to": max(last_day, first_start)})
    return frame.set_index("account_id")["first_day"].astype("float64")


def account_activation(ws: "Workspace", rule: ActivationRule, account_filter: AccountFilter = NO_FILTER,
                       as_of: dt.date | str | None = None) -> tuple[pd.DataFrame, Starts]:
    """One row per account with a start: ACCOUNT_COLUMNS (activation_day NaN when not activated)."""
    starts = account_starts(ws, account_filter, as_of)
    if starts.frame.empty:
        return pd.DataFrame(columns=ACCOUNT_COLUMNS), starts
    return classify(starts.frame, first_days(ws, starts, rule), rule.window_days, starts.win.as_of), starts


def classify(starts: pd.DataFrame, first_day: pd.Series, window_days: int, as_of: dt.date) -> pd.DataFrame:
    """The status of each account from its start, its first day and the as-of (module docstring)."""
    frame = starts.copy()
    frame["observed_days"] = [(as_of - s).days for s in frame["start_date"]]
    frame["first_day"] = frame["account_id"].map(first_day).astype("float64")
    frame["activation_day"] = frame["first_day"].where(frame["first_day"] < window_days)
    activated = frame["activation_day"].notna()
    frame["status"] = np.where(activated, "activated",
                               np.where(frame["observed_days"] >= window_days, "not_activated", "pending"))
    return frame[ACCOUNT_COLUMNS].sort_values("account_id").reset_index(drop=True)


def cohort_of(start: dt.date, grain: str) -> str:
    """'2024-03' (month) or '2024-Q1' (quarter)."""
    return f"{start:%Y-%m}" if grain == "month" else f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def shares(accounts: pd.DataFrame, window_days: int) -> dict:
    """The figures of one group: accounts; per N in SHARE_DAYS the accounts observed N days and
    the share of them activated within N days (NaN when none is observed); median and 75th
    percentile days to activation (accounts observed for the window that activated)."""
    observed_days = accounts["observed_days"].to_numpy(float)
    day = accounts["activation_day"].to_numpy(float)
    out: dict = {"accounts": int(len(accounts))}
    for days in SHARE_DAYS:
        observed = observed_days >= days
        count = int(observed.sum())
        out[f"observed_{days}_days"] = count
        out[f"activated_within_{days}_days"] = float((day[observed] < days).sum() / count) if count else np.nan
    days_to = day[(observed_days >= window_days) & ~np.isnan(day)]
    out["median_days_to_activation"] = float(np.median(days_to)) if len(days_to) else np.nan
    out["p75_days_to_activation"] = float(np.quantile(days_to, 0.75)) if len(days_to) else np.nan
    return out


def by_cohort(accounts: pd.DataFrame, window_days: int, grain: str = "month", by_segment: bool = False) -> pd.DataFrame:
    """One row per start cohort (and segment when by_segment): cohort, segment, then `shares`."""
    if accounts.empty:
        return pd.DataFrame(columns=["cohort", "segment", *shares(accounts, window_days)])
    frame = accounts.assign(cohort=[cohort_of(s, grain) for s in accounts["start_date"]])
    if not by_segment:
        frame = frame.assign(segment=ALL_SEGMENTS)
    rows = [{"cohort": cohort, "segment": segment, **shares(group, window_days)}
            for (cohort, segment), group in frame.groupby(["cohort", "segment"], sort=True)]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class LaterActivation:
    """The "three months or never" test: not_activated = accounts not activated by W and observed
    FOLLOW_UP_DAYS after start; activated_later = those whose rule first holds on W <= d < follow-up."""

    window_days: int
    follow_up_days: int
    not_activated: int
    activated_later: int
    share: float | None
    statement: str


def later_activation(accounts: pd.DataFrame, window_days: int, follow_up_days: int = FOLLOW_UP_DAYS) -> LaterActivation:
    """The share of accounts not activated by the window that activate later (module docstring)."""
    if window_days >= follow_up_days:
        return LaterActivation(window_days, follow_up_days, 0, 0, None,
                               f"The window ({window_days} days) is not shorter than the {follow_up_days}-day "
                               "follow-up, so activation after the window cannot be tested.")
    late = accounts[(accounts["status"] == "not_activated") & (accounts["observed_days"] >= follow_up_days)]
    later = int(((late["first_day"] >= window_days) & (late["first_day"] < follow_up_days)).sum())
    share = later / len(late) if len(late) else None
    return LaterActivation(window_days, follow_up_days, len(late), later, share,
                           later_statement(len(late), later, share, window_days, follow_up_days))


def later_statement(count: int, later: int, share: float | None, window_days: int, follow_up_days: int) -> str:
    """The measured value in one sentence, to read beside the seed claim."""
    if not count:
        return (f"No account is both not activated within {window_days} days and observed for "
                f"{follow_up_days} days after its start, so the claim cannot be tested yet.")
    verdict = "holds here" if share <= 0.2 else "does not hold here"
    return (f"Of {count} accounts not activated within {window_days} days (observed {follow_up_days} days), "
            f"{later} activated later ({share:.0%}): the claim {verdict} (it holds when at most 20% do).")


def activation_curve(accounts: pd.DataFrame, window_days: int, by_segment: bool = False) -> pd.DataFrame:
    """Cumulative activation by day since start: group, day (0..W-1), accounts (observed for the
    whole window), activated (activation_day <= day), share."""
    frame = accounts[accounts["observed_days"] >= window_days]
    frame = frame.assign(group=frame["segment"] if by_segment else ALL_SEGMENTS)
    parts = []
    days = np.arange(window_days)
    for group, sub in frame.groupby("group", sort=True):
        act = np.sort(sub["activation_day"].dropna().to_numpy())
        hits = np.searchsorted(act, days, side="right")
        parts.append(pd.DataFrame({"group": str(group), "day": days, "accounts": len(sub),
                                   "activated": hits, "share": hits / len(sub)}))
    if not parts:
        return pd.DataFrame(columns=["group", "day", "accounts", "activated", "share"])
    return pd.concat(parts, ignore_index=True)
