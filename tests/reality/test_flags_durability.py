"""Flags under concurrency and process death: every acknowledged action is recorded exactly once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pandas as pd

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.reality.flags import current_flags, flag_account, withdraw_flag
from factories import build_workspace

ROOT = Path(__file__).resolve().parents[2]
THREADS = 20
CYCLES = 5


def _accounts(n: int) -> pd.DataFrame:
    ids = [f"A{i:02d}" for i in range(n)] + ["SHARED"]
    return pd.DataFrame({"account_id": ids, "account_name": ids})


def test_twenty_threads_flagging_and_withdrawing_record_every_action_once(tmp_path):
    path = tmp_path / "threads.duckdb"
    accounts = _accounts(THREADS)
    ws = build_workspace(path, accounts=accounts,
                         contracts=pd.DataFrame({"account_id": accounts["account_id"],
                                                 "start_date": "2024-01-01", "mrr": 10.0}))
    results: dict[int, list[tuple[int, str, str]]] = {i: [] for i in range(THREADS)}
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(i: int) -> None:
        try:
            account = f"A{i:02d}"
            barrier.wait()
            for cycle in range(CYCLES):
                fid = flag_account(ws, account, reason="other", user=f"user{i}", note=f"c{cycle}")
                results[i].append((fid, account, "flag"))
                shared = flag_account(ws, "SHARED", reason="budget_cut", user=f"user{i}")
                results[i].append((shared, "SHARED", "flag"))
                wid = withdraw_flag(ws, account, user=f"user{i}")
                results[i].append((wid, account, "withdraw"))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    acknowledged = [row for rows in results.values() for row in rows]
    stored = ws.query("SELECT flag_id, account_id, action FROM flags ORDER BY flag_id")
    assert len(stored) == THREADS * CYCLES * 3
    assert stored["flag_id"].is_unique
    assert sorted(acknowledged) == [tuple(r) for r in stored.itertuples(index=False)]
    # Each thread's own account alternates flag / withdraw and ends withdrawn.
    for i in range(THREADS):
        actions = stored[stored["account_id"] == f"A{i:02d}"]["action"].tolist()
        assert actions == ["flag", "withdraw"] * CYCLES
    # Every user's own flag on SHARED stays in force (one per user, issue 11), and nothing else.
    in_force = current_flags(ws)
    assert set(in_force["account_id"]) == {"SHARED"}
    assert sorted(in_force["user_name"]) == sorted(f"user{i}" for i in range(THREADS))
    close_workspace(path)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from cs_analytics.core.db import open_workspace
    from cs_analytics.reality.flags import flag_account, withdraw_flag

    ws = open_workspace({path!r})
    ws.acquire()  # held like a server's script run: commits reach the WAL, no close, no checkpoint
    i = 0
    while True:
        fid = flag_account(ws, "A00", reason="other", user="loop", note=str(i))
        print(fid, flush=True)
        i += 1
    """
)


def test_flags_acknowledged_before_sigkill_survive(tmp_path):
    path = tmp_path / "killed.duckdb"
    accounts = _accounts(1)
    build_workspace(path, accounts=accounts,
                    contracts=pd.DataFrame({"account_id": accounts["account_id"],
                                            "start_date": "2024-01-01", "mrr": 10.0}))
    close_workspace(path)  # the child process needs the file (no lease is held here)
    script = tmp_path / "flag_loop.py"
    script.write_text(KILL_SCRIPT.format(root=str(ROOT), path=str(path)))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    acknowledged: list[int] = []
    try:
        for line in proc.stdout:
            acknowledged.append(int(line))
            if len(acknowledged) >= 40:
                os.kill(proc.pid, signal.SIGKILL)
                break
        acknowledged += [int(line) for line in proc.stdout.read().split()]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert len(acknowledged) >= 40
    ws = open_workspace(path)
    stored = set(ws.query("SELECT flag_id FROM flags")["flag_id"])
    assert set(acknowledged) <= stored
    # A new flag after the crash gets a fresh id (the sequence did not go backwards).
    new_id = flag_account(ws, "A00", reason="other", user="after")
    assert new_id not in set(acknowledged)
    close_workspace(path)
