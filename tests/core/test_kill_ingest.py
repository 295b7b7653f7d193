"""kill -9 of a real CLI `ingest --mode replace` inside its transaction leaves the previous rows.

The test watches the workspace file: DuckDB writes a large insert's row groups into the file before
COMMIT (optimistic writing), so the file growing means the load is inside its transaction; the
process is killed at that moment. Run with the transaction removed, the replace's DELETE is
committed on its own and the previous rows are gone: the test fails.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cs_analytics.core.db import open_workspace
from factories import build_workspace

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = [f"A{i:03d}" for i in range(50)]
BIG_ROWS = 600_000
DEADLINE_SECONDS = 180

pytestmark = pytest.mark.slow


def _big_usage_csv(path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        # one user per row: every row is its own daily fact, so the reduction at ingest
        # (ingest/facts.py) keeps 600k rows and the insert writes row groups before the commit
        out.write("account_id,event_date,metric,value,user_id\n")
        for i in range(BIG_ROWS):
            out.write(f"A{i % 50:03d},2024-{1 + i % 12:02d}-{1 + i % 28:02d},m{i % 7},{i % 100},u{i}\n")
    return path


def _usage_state(path: Path) -> tuple:
    ws = open_workspace(path)
    rows = ws.query("SELECT account_id, event_date, metric, value FROM usage ORDER BY ALL")
    loaded = ws.scalar("SELECT count(*) FROM uploads WHERE file_name = 'big.csv' AND status = 'loaded'")
    return rows, loaded


def test_kill_9_of_a_cli_ingest_inside_its_transaction_keeps_the_previous_rows(tmp_path):
    path = tmp_path / "w.duckdb"
    build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": ACCOUNTS, "account_name": ACCOUNTS}),
        contracts=pd.DataFrame({"account_id": ACCOUNTS, "start_date": "2024-01-01", "mrr": 10.0}),
        usage=pd.DataFrame({"account_id": ACCOUNTS, "event_date": "2024-02-01", "metric": "login", "value": 1.0}),
    )
    before, _ = _usage_state(path)
    big = _big_usage_csv(tmp_path / "big.csv")
    size_before = path.stat().st_size
    proc = subprocess.Popen(
        [sys.executable, "-m", "cs_analytics", "ingest", "usage", str(big), "--mode", "replace",
         "--workspace", str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed_inside = False
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while proc.poll() is None and time.monotonic() < deadline:
            if path.stat().st_size > size_before:  # uncommitted row groups are being written
                os.kill(proc.pid, signal.SIGKILL)
                killed_inside = True
                break
            time.sleep(0.005)
    finally:
        if proc.poll() is None and not killed_inside:
            proc.kill()
        proc.wait(timeout=60)
    out, err = proc.communicate()
    assert killed_inside and proc.returncode == -signal.SIGKILL, (proc.returncode, out, err)
    after, loaded = _usage_state(path)
    assert loaded == 0
    pd.testing.assert_frame_equal(after, before)
    # The workspace still takes writes after the crash.
    assert open_workspace(path).row_count("usage") == len(ACCOUNTS)
