"""What a workspace holds: as-of date, last complete month, row counts, last upload."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cs_analytics.config import TABLE_NAMES

if TYPE_CHECKING:
    from cs_analytics.db import Workspace


def data_as_of(ws: "Workspace") -> dt.date | None:
    """as_of: the last date covered by the data, as stored at the last derived build."""
    value = ws.scalar("SELECT value FROM workspace_info WHERE key = 'as_of'")
    return dt.date.fromisoformat(value) if value else None


def resolve_as_of(ws: "Workspace", as_of: dt.date | str | None = None) -> dt.date | None:
    """The user's as-of date when given, else the data's."""
    if as_of is None:
        return data_as_of(ws)
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
