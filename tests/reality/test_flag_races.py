"""Concurrent flag and withdrawal races lose nothing (issue 11): the conflict check and the
append happen in one transaction, so two CSMs saving at once on the same version give one flag
and one warning, one flag is withdrawn once, and the flags in force are what the actions imply.

`flags._before_append` is the seam between the check and the append: the tests widen that
window so that a check done outside the transaction (or no check) loses the race every time.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.reality import flags
from cs_analytics.reality.flags import FlagConflict, account_flags, flag_account, withdraw_flag
from factories import build_workspace

ROOT = Path(__file__).resolve().parents[2]
THREADS = 6


@pytest.fixture
def ws(tmp_path, monkeypatch):
    path = tmp_path / "races.duckdb"
    workspace = build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": ["A"], "account_name": ["Alpha"], "csm_owner": ["Dana Lee"]}),
        contracts=pd.DataFrame({"account_id": ["A"], "start_date": ["2024-01-01"], "mrr": [10.0]}),
    )
    monkeypatch.setattr(flags, "_before_append", lambda: time.sleep(0.05))
    yield workspace
    close_workspace(path)


def run_at_once(action, n: int = THREADS) -> list:
    """Run action(i) in n threads released together; each result or the exception raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_csms_saving_at_once_on_the_same_version_give_one_flag_and_warnings(ws):
    results = run_at_once(lambda i: flag_account(ws, "A", reason="other", user=f"csm{i}", seen_version=0))
    saved = [r for r in results if isinstance(r, int)]
    warned = [r for r in results if isinstance(r, FlagConflict)]
    assert len(saved) == 1 and len(warned) == THREADS - 1, results
    assert ws.row_count("flags") == 1


def test_one_flag_withdrawn_by_several_at_once_is_withdrawn_once(ws):
    target = flag_account(ws, "A", reason="champion_left", user="Dana Lee")
    results = run_at_once(lambda i: withdraw_flag(ws, "A", user=f"lead{i}", flag_id=target,
                                                  override_reason="duplicate"))
    done = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValueError)]
    assert len(done) == 1 and len(refused) == THREADS - 1, results
    assert all("not in force" in str(r) or "no flag" in str(r) for r in refused)
    withdrawals = ws.query("SELECT withdraws_flag_id FROM flags WHERE action = 'withdraw'")
    assert withdrawals["withdraws_flag_id"].tolist() == [target]


def test_flagging_and_withdrawing_at_once_loses_no_action(ws):
    """Each user flags, withdraws their own, flags again (even users withdraw once more), while
    the others do the same: every acknowledged action is stored once and the flags in force are
    exactly the users whose last action was a flag."""
    def cycle(i: int) -> list[tuple[int, str]]:
        done = []
        for step in range(3):
            done.append((flag_account(ws, "A", reason="other", user=f"u{i}", note=str(step)), "flag"))
            if step < 2 or i % 2 == 0:
                done.append((withdraw_flag(ws, "A", user=f"u{i}"), "withdraw"))
        return [(fid, action, f"u{i}") for fid, action in done]

    results = run_at_once(cycle)
    assert not [r for r in results if isinstance(r, Exception)], results
    acknowledged = sorted(row for rows in results for row in rows)
    stored = ws.query("SELECT flag_id, action, user_name FROM flags ORDER BY flag_id")
    assert [tuple(r) for r in stored.itertuples(index=False)] == acknowledged
    last_action = {user: action for _, action, user in acknowledged}  # in flag_id order
    expected = sorted(u for u, a in last_action.items() if a == "flag")
    assert sorted(account_flags(ws, "A")["user_name"]) == expected == [f"u{i}" for i in range(1, THREADS, 2)]


def _cli(path: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "cs_analytics", *args, "--workspace", str(path),
                             "--wait", "30", "--format", "csv"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_processes_through_the_cli_lose_nothing(tmp_path):
    path = tmp_path / "cli_races.duckdb"
    build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": ["A"], "account_name": ["Alpha"]}),
        contracts=pd.DataFrame({"account_id": ["A"], "start_date": ["2024-01-01"], "mrr": [10.0]}),
    )
    close_workspace(path)
    flaggers = [_cli(path, "flag", "A", "--reason", "other", "--user", name) for name in ("Dana Lee", "Bob")]
    assert [p.wait(90) for p in flaggers] == [0, 0], [p.stderr.read() for p in flaggers]
    withdrawers = [_cli(path, "unflag", "A", "--user", name, "--flag-id", "1", "--override-reason", "dup")
                   for name in ("Casey", "Eli")]
    codes = sorted(p.wait(90) for p in withdrawers)
    errors = [p.stderr.read() for p in withdrawers]
    assert codes == [0, 1], errors
    refusal = next(e for e in errors if e)
    assert "not in force" in refusal and refusal.count("\n") == 1
    from cs_analytics.core.db import open_workspace

    ws = open_workspace(path)
    try:
        stored = ws.query("SELECT flag_id, action, user_name, withdraws_flag_id FROM flags ORDER BY flag_id")
        assert sorted(stored.loc[stored["action"] == "flag", "user_name"]) == ["Bob", "Dana Lee"]
        assert stored.loc[stored["action"] == "withdraw", "withdraws_flag_id"].tolist() == [1]
        assert account_flags(ws, "A")["flag_id"].tolist() == [2]
    finally:
        close_workspace(path)
