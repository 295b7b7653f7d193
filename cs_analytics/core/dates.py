"""Calendar months and the as-of date (metrics.md, Time): the one home of the date maths.

A month is named by its first day. The *last complete month* of an as-of date is its own month
when the as-of is that month's last day, else the month before; monthly figures stop there. The
as-of in force is, in this order: an explicit date (a link, `--as-of`, a library argument), the
workspace's setting, the data's own as-of.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


def month_start(day: dt.date) -> dt.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def add_months(month: dt.date, months: int) -> dt.date:
    """First day of the month `months` after `month`'s month."""
    index = month.year * 12 + (month.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    """The last day of `month`'s month."""
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def last_complete_month(as_of: dt.date) -> dt.date:
    """as_of's month when as_of is that month's last day, else the month before (first day)."""
    if as_of == month_end(as_of):
        return month_start(as_of)
    return add_months(month_start(as_of), -1)


def to_date(value: object) -> dt.date | None:
    """The one date normaliser: a date from a date, a datetime or pandas Timestamp, ISO text
    (YYYY-MM-DD) or a numpy datetime64; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def partial_month_note(as_of: dt.date | None) -> str | None:
    """The sentence explaining a partial last month, or None when as_of is its month's last day.

    Monthly figures stop at the last complete month L and MRR is a month-end snapshot
    (metrics.md, Time and Revenue): a contract ending on L's last day or later is lost in the
    month after L, so that churn shows only once that month is complete."""
    if as_of is None or as_of == month_end(as_of):
        return None
    complete = last_complete_month(as_of)
    partial = add_months(complete, 1)
    return (f"The last complete month is {complete:%B %Y}; churn dated {month_end(complete):%Y-%m-%d} or later "
            f"(a contract ending on {complete:%B}'s last day is lost in {partial:%B}) shows once "
            f"{partial:%B %Y} is complete (as of {month_end(partial):%Y-%m-%d}).")


AS_OF_SOURCES = {
    "link": "from this link, for this session only (the workspace setting is unchanged)",
    "workspace": "the workspace setting",
    "data": "the data's own (latest date in the data)",
}


@dataclass(frozen=True)
class AsOfInForce:
    """The as-of a view uses and where it came from: 'link' (any explicit date), 'workspace'
    (the workspace's setting) or 'data' (the data's own as-of)."""

    day: dt.date | None
    source: str

    @property
    def override(self) -> dt.date | None:
        """The date to pass to library functions: None when the data's own as-of is in force."""
        return None if self.source == "data" else self.day

    def describe(self) -> str:
        return AS_OF_SOURCES[self.source]


def as_of_in_force(link: dt.date | None, setting: dt.date | None, data: dt.date | None) -> AsOfInForce:
    """An explicit (link) as-of wins for its session, then the workspace setting, then the data's own."""
    if link is not None:
        return AsOfInForce(link, "link")
    if setting is not None:
        return AsOfInForce(setting, "workspace")
    return AsOfInForce(data, "data")
