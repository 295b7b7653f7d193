"""The app on a workspace another process holds: one sentence and a retry, never a traceback."""
from __future__ import annotations

import subprocess
import sys
import time

from conftest import ROOT, assert_no_exception
from factories import build_workspace

HOLD_SECONDS = 5

HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from cs_analytics.core.db import open_workspace
ws = open_workspace({path!r}, keep_lease=True)  # a command holding the file
print("holding", flush=True)
time.sleep({seconds})
"""


def test_the_app_waits_for_a_busy_workspace_and_then_renders(app_test, tmp_path):
    path = tmp_path / "busy.duckdb"
    build_workspace(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(root=str(ROOT), path=str(path), seconds=HOLD_SECONDS)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        at = app_test(workspace=path, timeout=60)  # one run of app.py (the Overview page)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert_no_exception(at)  # no WorkspaceLockedError, no CLI hint
    assert len(at.title) and any("Workspace" in m.value for m in at.sidebar.markdown)  # rendered
    assert waited >= 4  # it waited 3 s, said "busy", retried a second later and got the file
