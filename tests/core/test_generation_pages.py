"""Every write makes every page current at once: in another session and from another process.

Two AppTest sessions share this process's caches, exactly as two browser tabs share a server. The
reference is a fresh computation with every cache cleared (what a restart gives).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import streamlit as st

from conftest import assert_no_exception
from cs_analytics.core.db import open_workspace
from cs_analytics.health.scorecard import active_scorecard, save_scorecard

ROOT = Path(__file__).resolve().parents[2]
REALITY = "app_pages/reality.py"


def _metrics(at) -> dict[str, str]:
    assert_no_exception(at)
    return {m.label: m.value for m in at.metric}


def _restarted_metrics(app_test, path) -> dict[str, str]:
    st.cache_data.clear()  # what a server restart would give: nothing cached
    return _metrics(app_test(REALITY, workspace=path, timeout=180))


def test_a_scorecard_saved_elsewhere_shows_on_the_next_run_of_another_session(app_test, demo_workspace_path):
    reader = app_test(REALITY, workspace=demo_workspace_path, timeout=180)
    before = _metrics(reader)
    # Another session saves a much stricter scorecard (what the Health page's Save does).
    ws = open_workspace(demo_workspace_path)
    strict = active_scorecard(ws)
    strict.green_min, strict.yellow_min = 97.0, 95.0
    save_scorecard(ws, strict, user="Other session", change_summary="stricter bands")
    reader.run()
    after = _metrics(reader)
    assert after != before  # the reader's next run shows the new bands, no restart needed
    assert after == _restarted_metrics(app_test, demo_workspace_path)


def test_a_write_by_another_process_shows_on_the_next_run(app_test, demo_workspace_path):
    reader = app_test(REALITY, workspace=demo_workspace_path, timeout=180)
    before = _metrics(reader)
    code = (
        "import sys; sys.path.insert(0, {root!r})\n"
        "from cs_analytics.core.db import open_workspace\n"
        "from cs_analytics.health.scorecard import active_scorecard, save_scorecard\n"
        "ws = open_workspace({path!r})\n"
        "sc = active_scorecard(ws); sc.green_min, sc.yellow_min = 97.0, 95.0\n"
        "save_scorecard(ws, sc, user='CLI user', change_summary='from another process')\n"
    ).format(root=str(ROOT), path=str(demo_workspace_path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    reader.run()
    after = _metrics(reader)
    assert after != before
    assert after == _restarted_metrics(app_test, demo_workspace_path)
