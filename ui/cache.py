"""The one cache of the app: a view's result, keyed on the workspace generation and the view.

Every page gets its numbers through `cached_view`, never through an ad-hoc `st.cache_data`:

    summary = cached_view(health_view, ws, account_filter, as_of, horizon_days)

calls `health_view(ws, account_filter, as_of, horizon_days)` once per (workspace file and
generation, filter, as-of, arguments). Every write bumps the generation (cs_analytics db), so no
page or export can show data older than the last write, made in any session or process.

A task-only write (the task rules raising tasks, a task's status or note) changes nothing a view
outside TASK_VIEW_MODULES shows, so those views are keyed on the generation without task-only
writes: the first visit of My work (which runs the rules) no longer empties every page's cache.
tests/app/test_view_cache_scope.py checks that every views module that reads tasks is listed.
"""
from __future__ import annotations

import collections
import datetime as dt
import io
from typing import Any, Callable, TypeVar

import streamlit as st

from cs_analytics.core.filters import AccountFilter
from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.readers import read_table_file
from ui.common import data_version, views_version

T = TypeVar("T")
CACHE_ENTRIES = 256
TASK_VIEW_MODULES = frozenset({"cs_analytics.views.my_work"})  # their views show tasks


def filter_key(account_filter: AccountFilter | None) -> tuple:
    """A hashable, order-independent key of an account filter (AccountFilter.key)."""
    return () if account_filter is None else account_filter.key


COMPUTED: "collections.Counter[str]" = collections.Counter()  # views computed (cache misses) by name


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _cached_call(view_name: str, version: str, filter_id: tuple, as_of: dt.date | None, args: tuple,
                 _builder: Callable[..., Any], _ws: Any, _account_filter: AccountFilter | None) -> Any:
    COMPUTED[view_name] += 1  # runs on a miss only: what the warm-up tests and the benchmark count
    return _builder(_ws, _account_filter, as_of, *args)


def cached_view(builder: Callable[..., T], ws: Any, account_filter: AccountFilter | None,
                as_of: dt.date | None, *args: Any) -> T:
    """`builder(ws, account_filter, as_of, *args)`, cached until the next write to the workspace.

    `args` must be hashable by Streamlit (text, numbers, dates, tuples; a scorecard as its JSON).
    """
    name = f"{builder.__module__}.{builder.__qualname__}"
    version = data_version(ws) if builder.__module__ in TASK_VIEW_MODULES else views_version(ws)
    return _cached_call(name, version, filter_key(account_filter), as_of, tuple(args),
                        _builder=builder, _ws=ws, _account_filter=account_filter)


@st.cache_data(show_spinner=False, max_entries=16)
def read_upload(data: bytes, name: str, digest: str, preview_rows: int = 500):
    """(the uploaded file's first rows for mapping and preview, None) or (None, the refusal); cached
    by the file's content (`digest`), never by workspace data."""
    try:
        return read_table_file(io.BytesIO(data), name, limit=preview_rows), None
    except IngestRefused as exc:
        return None, str(exc)
