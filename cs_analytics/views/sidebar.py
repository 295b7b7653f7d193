"""The sidebar's numbers, as cacheable views: the workspace status (row counts, data as-of, last
upload) and the values each account filter offers. Both are read on every script run of every
page, so the app reads them through `ui/cache.py` (keyed on the workspace generation: any write
refreshes them) instead of querying the workspace on each click."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from cs_analytics.core.filters import AccountFilter, filter_options
from cs_analytics.core.workspace import WorkspaceStatus, status

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


def sidebar_status(ws: "Workspace", account_filter: AccountFilter | None, as_of: dt.date | None) -> WorkspaceStatus:
    """`core.workspace.status(ws)` (the filter and as-of do not change it)."""
    return status(ws)


def sidebar_filter_options(ws: "Workspace", account_filter: AccountFilter | None,
                           as_of: dt.date | None) -> dict[str, list[str]]:
    """`core.filters.filter_options(ws)`: every filterable attribute and its values."""
    return filter_options(ws)
