"""What a workspace holds: as-of date, last complete month, row counts, last upload."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cs_analytics.core.config import TABLE_NAMES

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


def data_as_of(ws: "Workspace") -> dt.date | None:
    """The data's own as-of (metrics.md, Time), as stored at the last derived build: the latest
    usage, assessment, NPS or contract start date on or before the day of that build."""
    return _info_date(ws, "as_of")


def built_as_of(ws: "Workspace") -> dt.date | None:
    """The as-of date the derived `account_month` table was built through (the one in force then)."""
    return _info_date(ws, "built_as_of") or data_as_of(ws)


def _info_date(ws: "Workspace", key: str) -> dt.date | None:
    value = ws.scalar("SELECT value FROM workspace_info WHERE key = ?", [key])
    return dt.date.fromisoformat(value) if value else None


def as_of_in_force(ws: "Workspace") -> dt.date | None:
    """The workspace's as-of setting when the user set one, else the data's as-of."""
    from cs_analytics.core.settings import as_of_setting  # late import: settings is a sibling module

    return as_of_setting(ws) or data_as_of(ws)


def resolve_as_of(ws: "Workspace", as_of: dt.date | str | None = None) -> dt.date | None:
    """An explicit as-of date when given, else the one in force (the setting, else the data's)."""
    if as_of is None:
        return as_of_in_force(ws)
    if isinstance(as_of, str):
        return dt.date.fromisoformat(as_of)
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    return as_of


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, months: int) -> dt.date:
    """First day of the month `months` after `month`'s month."""
    index = month.year * 12 + (month.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def last_complete_month(as_of: dt.date) -> dt.date:
    """as_of's month when as_of is that month's last day, else the month before (first day)."""
    if as_of == month_end(as_of):
        return month_start(as_of)
    return add_months(month_start(as_of), -1)


@dataclass(frozen=True)
class AsOfNotice:
    """What the pages say about the as-of date in force (metrics.md, Time).

    `source`: 'explicit' (a date passed in, e.g. a link or --as-of), 'setting' (the workspace's
    as-of setting) or 'data' (the data's own). `partial_month`: the first day of as_of's month when
    as_of is not that month's last day (the month is then incomplete and not reported), else None.
    `message`: one sentence for every page, or '' when there is nothing to say."""

    as_of: dt.date | None
    source: str
    data_as_of: dt.date | None
    last_complete_month: dt.date | None
    partial_month: dt.date | None
    message: str

    @property
    def is_partial(self) -> bool:
        return self.partial_month is not None


def as_of_notice(ws: "Workspace", as_of: dt.date | str | None = None) -> AsOfNotice:
    """Which as-of is in force and whether its month is partial, with the sentence pages show.

    When as_of is not a month's last day, its month is partial: figures stop at the month before
    (the last complete month L), and churn dated on L's last day (a contract ending then) shows
    only once the next month is complete; setting the as-of to that month's end shows it."""
    from cs_analytics.core.settings import as_of_setting

    setting = as_of_setting(ws)
    source = "explicit" if as_of is not None else ("setting" if setting else "data")
    day = resolve_as_of(ws, as_of)
    data_day = data_as_of(ws)
    if day is None:
        return AsOfNotice(None, source, data_day, None, None, "")
    last = last_complete_month(day)
    partial = None if day == month_end(day) else month_start(day)
    return AsOfNotice(day, source, data_day, last, partial, _notice_text(day, source, last, partial, data_day))


def _notice_text(day: dt.date, source: str, last: dt.date, partial: dt.date | None,
                 data_day: dt.date | None) -> str:
    origin = {"explicit": "as chosen", "setting": "as set for this workspace",
              "data": "the last date in the data"}[source]
    if source != "data" and data_day is not None and data_day != day:
        origin += f"; the data's last date is {data_day:%Y-%m-%d}"
    text = f"As of {day:%Y-%m-%d} ({origin}); monthly figures run through {last:%B %Y}, the last complete month."
    if partial is None:
        return text
    return (f"{text} {partial:%B %Y} is partial: churn dated {month_end(last):%Y-%m-%d} (contracts "
            f"ending that day) shows only once {partial:%B %Y} is complete; set the as-of to "
            f"{month_end(partial):%Y-%m-%d} to report it.")


@dataclass(frozen=True)
class WorkspaceStatus:
    as_of: dt.date | None
    row_counts: dict[str, int]
    last_upload_at: dt.datetime | None
    last_upload_file: str | None

    @property
    def is_empty(self) -> bool:
        return not any(self.row_counts.get(t, 0) for t in ("contracts", "usage"))


def status(ws: "Workspace") -> WorkspaceStatus:
    counts = {table: ws.row_count(table) for table in TABLE_NAMES}
    last = ws.query(
        "SELECT uploaded_at, file_name FROM uploads WHERE status = 'loaded' "
        "ORDER BY uploaded_at DESC LIMIT 1"
    )
    return WorkspaceStatus(
        as_of=data_as_of(ws),
        row_counts=counts,
        last_upload_at=None if last.empty else last.iloc[0]["uploaded_at"].to_pydatetime(),
        last_upload_file=None if last.empty else last.iloc[0]["file_name"],
    )
