"""Snapshot dates of the point-in-time reports: the one place that lists them.

- Backtest and track record (metrics.md): month-ends T whose outcome is known, T + H <= as_of
  (H = horizon in days), from a first day's month on.
- Score history (Account page): as_of and the month-ends before it.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from cs_analytics.core.dates import add_months, month_end


def has_outcome(snapshot: dt.date, as_of: dt.date | None, horizon_days: int) -> bool:
    """True when the horizon after `snapshot` has fully passed: snapshot + horizon_days <= as_of."""
    return as_of is not None and snapshot + dt.timedelta(days=int(horizon_days)) <= as_of


def month_end_snapshots(first_day: dt.date | None, as_of: dt.date | None, horizon_days: int,
                        latest: int | None = None) -> list[dt.date]:
    """Month-ends T from `first_day`'s month on with T + horizon_days <= as_of, oldest first;
    only the latest `latest` of them when given."""
    if first_day is None or as_of is None:
        return []
    dates: list[dt.date] = []
    end = month_end(first_day)
    while has_outcome(end, as_of, horizon_days):
        dates.append(end)
        end = month_end(add_months(end, 1))
    return dates[-latest:] if latest else dates


def with_outcome(dates: Iterable[dt.date], as_of: dt.date | None, horizon_days: int) -> list[dt.date]:
    """The dates among `dates` whose horizon has passed by as_of, sorted, without repeats."""
    return sorted(d for d in set(dates) if has_outcome(d, as_of, horizon_days))


def recent_month_ends(first_day: dt.date | None, as_of: dt.date | None, months: int) -> list[dt.date]:
    """as_of and the month-ends before it not earlier than first_day, oldest first: `months`
    month-ends before as_of's month, or, when as_of is itself a month-end, the last `months`
    month-ends including as_of."""
    if as_of is None:
        return []
    dates = [as_of]
    end = month_end(add_months(as_of, -1))
    while len(dates) <= months and (first_day is None or end >= first_day):
        dates.append(end)
        end = month_end(add_months(end, -1))
    if as_of == month_end(as_of) and len(dates) > months:
        dates = dates[:-1]
    return sorted(set(dates))
