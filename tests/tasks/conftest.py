"""A small demo workspace (200 accounts) built once for the task tests; each test gets a copy."""
from __future__ import annotations

import shutil

import pytest

from cs_analytics.core.db import close_workspace, open_workspace


@pytest.fixture(scope="session")
def small_demo_master(tmp_path_factory):
    from cs_analytics.demo.build import write_demo

    path = tmp_path_factory.mktemp("tasks_demo") / "demo.duckdb"
    ws = open_workspace(path)
    write_demo(ws, accounts=200, seed=3)
    ws.checkpoint()
    close_workspace(path)
    return path


@pytest.fixture
def small_demo_path(small_demo_master, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master, path)
    return path


@pytest.fixture
def small_demo(small_demo_path):
    ws = open_workspace(small_demo_path)
    yield ws
    close_workspace(small_demo_path)
