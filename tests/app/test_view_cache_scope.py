"""The view cache's key (ui/cache.py): a task-only write recomputes the views that show tasks and
keeps every other view cached; any other write recomputes every view."""
from __future__ import annotations

import pathlib
import re
import shutil

import pytest
import streamlit as st

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.filters import NO_FILTER
from cs_analytics.core.settings import set_setting
from cs_analytics.tasks.store import add_task
from cs_analytics.views import my_work as my_work_views
from cs_analytics.views import revenue as revenue_views
from conftest import ROOT
from ui import cache

TASK_READERS = re.compile(r"cs_analytics\.tasks\.(store|timeline|run)|cs_analytics\.views\.my_work")


@pytest.fixture
def ws(small_demo_master_path, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master_path, path)
    st.cache_data.clear()
    yield open_workspace(path)
    st.cache_data.clear()
    close_workspace(path)


def counting(monkeypatch, module, name: str) -> list:
    calls: list = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    counted.__module__, counted.__qualname__ = real.__module__, real.__qualname__
    monkeypatch.setattr(module, name, counted)
    return calls


def views(ws):
    cache.cached_view(revenue_views.revenue_view, ws, NO_FILTER, None)
    cache.cached_view(my_work_views.my_work_view, ws, NO_FILTER, None)


def test_a_task_write_recomputes_only_the_views_that_show_tasks(ws, monkeypatch):
    revenue = counting(monkeypatch, revenue_views, "revenue_view")
    my_work = counting(monkeypatch, my_work_views, "my_work_view")
    views(ws)
    account = ws.scalar("SELECT min(account_id) FROM accounts")
    add_task(ws, account, "Call the sponsor", "2030-01-31", user="lead")
    views(ws)
    assert (len(revenue), len(my_work)) == (1, 2)
    view = cache.cached_view(my_work_views.my_work_view, ws, NO_FILTER, None)
    assert "Call the sponsor" in set(view.tasks["title"])  # the new task shows at once


def test_any_other_write_recomputes_every_view(ws, monkeypatch):
    revenue = counting(monkeypatch, revenue_views, "revenue_view")
    my_work = counting(monkeypatch, my_work_views, "my_work_view")
    views(ws)
    set_setting(ws, "target_nrr", "1.05", "lead")
    views(ws)
    assert (len(revenue), len(my_work)) == (2, 2)


def test_every_views_module_that_reads_tasks_is_keyed_on_task_writes():
    readers = {f"cs_analytics.views.{path.stem}" for path in (ROOT / "cs_analytics" / "views").glob("*.py")
               if TASK_READERS.search(pathlib.Path(path).read_text(encoding="utf-8"))}
    assert "cs_analytics.views.my_work" in readers  # the pattern finds the module it must find
    assert readers <= cache.TASK_VIEW_MODULES
