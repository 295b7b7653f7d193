"""What a workspace holds: its data's as-of, the as-of in force, row counts, last upload."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cs_analytics.core.dates import (
    as_of_in_force, last_complete_month, month_end, month_start, partial_month_note, to_date,
)
from cs_analytics.core.formatting import count_noun
from cs_analytics.core.settings import as_of_setting
from cs_analytics.core.tables import TABLE_NAMES

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


def resolve_as_of(ws: "Workspace", as_of: dt.date | str | None = None) -> dt.date | None:
    """The as-of in force for a library call: `as_of` when given (a date, datetime or ISO text),
    else the workspace's setting, else the data's own as-of (dates.as_of_in_force)."""
    return as_of_in_force(to_date(as_of), as_of_setting(ws), data_as_of(ws)).day


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


_NOTICE_SOURCES = {"link": "explicit", "workspace": "setting", "data": "data"}


def as_of_notice(ws: "Workspace", as_of: dt.date | str | None = None) -> AsOfNotice:
    """Which as-of is in force and whether its month is partial, with the sentence a report shows:
    where the as-of comes from, then dates.partial_month_note when its month is partial."""
    data_day = data_as_of(ws)
    in_force = as_of_in_force(to_date(as_of), as_of_setting(ws), data_day)
    source, day = _NOTICE_SOURCES[in_force.source], in_force.day
    if day is None:
        return AsOfNotice(None, source, data_day, None, None, "")
    partial = None if day == month_end(day) else month_start(day)
    last = last_complete_month(day)
    message = f"As of {day:%Y-%m-%d} ({_origin(source, day, data_day)}); monthly figures run through {last:%B %Y}."
    note = partial_month_note(day)
    return AsOfNotice(day, source, data_day, last, partial, f"{message} {note}" if note else message)


def _origin(source: str, day: dt.date, data_day: dt.date | None) -> str:
    origin = {"explicit": "as chosen", "setting": "as set for this workspace",
              "data": "the last date in the data"}[source]
    if source != "data" and data_day is not None and data_day != day:
        origin += f"; the data's last date is {data_day:%Y-%m-%d}"
    return origin


ROW_NOUNS = {"accounts": ("account",), "contracts": ("contract",), "usage": ("daily usage fact",),
             "assessments": ("assessment",), "nps": ("NPS response",),
             "outcomes": ("churn list row",)}
"""What one row of each input table is called on screen (singular[, plural])."""
OPTIONAL_TABLES = ("outcomes",)
"""Input tables named in the row counts only when they hold rows (most workspaces have none)."""
DEMO_UPLOAD_PREFIX = "demo/"
"""The demo's tables are loaded under file names demo/<table>.csv (demo.build.write_demo)."""


@dataclass(frozen=True)
class WorkspaceStatus:
    """A workspace at a glance: the data's as-of, rows per input table, the last loaded file."""

    as_of: dt.date | None
    row_counts: dict[str, int]
    last_upload_at: dt.datetime | None
    last_upload_file: str | None

    @property
    def row_counts_sentence(self) -> str:
        """'1,200 accounts · 3,400 contracts · 912,000 daily usage facts · 2,100 assessments · 4,800 NPS
        responses': each input table's rows, named for people."""
        return " · ".join(count_noun(self.row_counts.get(table, 0), *ROW_NOUNS[table]) for table in TABLE_NAMES
                          if table not in OPTIONAL_TABLES or self.row_counts.get(table, 0))

    @property
    def last_upload_sentence(self) -> str | None:
        """'Demo data loaded on 2026-11-26 at 14:03.' or 'Last upload: usage.csv, on ...'; None
        when nothing was ever loaded. The file name is the user's text (escape it for markdown)."""
        if self.last_upload_at is None:
            return None
        when = f"on {self.last_upload_at:%Y-%m-%d} at {self.last_upload_at:%H:%M}"
        if (self.last_upload_file or "").startswith(DEMO_UPLOAD_PREFIX):
            return f"Demo data loaded {when}."
        return f"Last upload: {self.last_upload_file}, {when}."

    @property
    def is_empty(self) -> bool:
        return has_no_data(self.row_counts)


def has_no_data(row_counts: dict[str, int]) -> bool:
    """Whether a workspace with these row counts has nothing to report: no contracts, no usage."""
    return not any(row_counts.get(t, 0) for t in ("contracts", "usage"))


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
