"""A small demo workspace (200 accounts, seed 3) for the task tests: built once per process, each
test gets a private copy. Import the fixtures into a test module:
`from task_data import small_demo, small_demo_path  # noqa: F401`."""
from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from cs_analytics.core.db import close_workspace, open_workspace

_master: Path | None = None
_lock = threading.Lock()


def small_demo_master() -> Path:
    """The demo file, built on first use in this process and closed."""
    global _master
    with _lock:
        if _master is None:
            from cs_analytics.demo.build import write_demo

            folder = Path(tempfile.mkdtemp(prefix="tasks_demo_"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = folder / "demo.duckdb"
            ws = open_workspace(path)
            write_demo(ws, accounts=200, seed=3)
            ws.checkpoint()
            close_workspace(path)
            _master = path
        return _master


@pytest.fixture
def small_demo_path(tmp_path) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master(), path)
    return path


@pytest.fixture
def small_demo(small_demo_path):
    ws = open_workspace(small_demo_path)
    yield ws
    close_workspace(small_demo_path)
