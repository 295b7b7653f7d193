"""One workspace, many threads and processes: writes are serialised, atomic and bump the generation.

Each test here was run once with its protection removed (the write lock, the transaction, the
generation bump, the lock retry) and failed; see the module docstrings of the tests.
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from cs_analytics.core.db import LINGER_SECONDS, close_workspace, leases_held, open_workspace
from cs_analytics.core.errors import WorkspaceLockedError
from cs_analytics.reality.flags import flag_account
from factories import build_workspace

ROOT = Path(__file__).resolve().parents[2]
THREADS = 12
WRITES_PER_THREAD = 8


def _shared_account_workspace(path: Path):
    accounts = pd.DataFrame({"account_id": ["SHARED"], "account_name": ["Shared"]})
    contracts = pd.DataFrame({"account_id": ["SHARED"], "start_date": ["2024-01-01"], "mrr": [10.0]})
    return build_workspace(path, accounts=accounts, contracts=contracts)


def _run_threads(count: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer thread hung"
    return errors


def test_writers_on_the_same_row_all_commit_and_each_bumps_the_generation_once(tmp_path):
    """Every write touches the generation row, so writers without the lock conflict and fail."""
    ws = _shared_account_workspace(tmp_path / "same.duckdb")
    start = ws.generation()
    acknowledged: list[int] = []

    def work(i: int) -> None:
        for n in range(WRITES_PER_THREAD):
            acknowledged.append(flag_account(ws, "SHARED", reason="other", user=f"u{i}", note=str(n)))

    with ws.lease():  # like the app: one connection, a cursor per thread
        errors = _run_threads(THREADS, work)
    assert not errors, errors[:3]
    stored = ws.query("SELECT flag_id, user_name, note FROM flags WHERE account_id = 'SHARED'")
    assert sorted(stored["flag_id"]) == sorted(acknowledged)
    assert len(stored) == THREADS * WRITES_PER_THREAD and stored["flag_id"].is_unique
    assert ws.generation() == start + THREADS * WRITES_PER_THREAD


def test_read_modify_write_on_one_row_loses_no_update(tmp_path):
    """Counter increments inside `transaction`: each thread reads, waits, writes the same row."""
    ws = open_workspace(tmp_path / "counter.duckdb")
    ws.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
    ws.execute("INSERT INTO counter VALUES (1, 0)")

    def work(i: int) -> None:
        for _ in range(WRITES_PER_THREAD):
            with ws.transaction() as cur:
                n = cur.execute("SELECT n FROM counter WHERE id = 1").fetchone()[0]
                time.sleep(0.001)
                cur.execute("UPDATE counter SET n = ? WHERE id = 1", [n + 1])

    with ws.lease():
        errors = _run_threads(THREADS, work)
    assert not errors, errors[:3]
    assert ws.scalar("SELECT n FROM counter WHERE id = 1") == THREADS * WRITES_PER_THREAD


def test_readers_never_see_a_half_done_replace(tmp_path):
    """A replace deletes then inserts inside one transaction; a reader sees all rows or the old ones."""
    ws = open_workspace(tmp_path / "replace.duckdb")
    rows = 2_000
    ws.execute("CREATE TABLE t AS SELECT range AS id FROM range(?)", [rows])
    stop = threading.Event()
    readers_started = threading.Barrier(4)  # the writer starts once every reader has read once
    seen: list[int] = []

    def replace_loop() -> None:
        readers_started.wait(timeout=60)
        for _ in range(15):
            with ws.transaction() as cur:
                cur.execute("DELETE FROM t")
                time.sleep(0.005)
                cur.execute("INSERT INTO t SELECT range FROM range(?)", [rows])
        stop.set()

    def read_loop() -> None:
        seen.append(int(ws.scalar("SELECT count(*) FROM t")))
        readers_started.wait(timeout=60)
        while not stop.is_set():
            seen.append(int(ws.scalar("SELECT count(*) FROM t")))

    with ws.lease():
        writer = threading.Thread(target=replace_loop)
        readers = [threading.Thread(target=read_loop) for _ in range(3)]
        for t in [writer, *readers]:
            t.start()
        for t in [writer, *readers]:
            t.join(timeout=120)
    assert seen and set(seen) == {rows}


def test_a_failed_write_changes_nothing_not_even_the_generation(tmp_path):
    ws = _shared_account_workspace(tmp_path / "fail.duckdb")
    before = (ws.generation(), ws.row_count("flags"))
    with pytest.raises(RuntimeError):
        with ws.transaction() as cur:
            cur.execute("INSERT INTO flags (account_id, action, reason, user_name, created_at) "
                        "VALUES ('SHARED', 'flag', 'other', 'x', now())")
            raise RuntimeError("boom")
    assert (ws.generation(), ws.row_count("flags")) == before


def test_the_file_is_held_only_while_work_is_done(tmp_path):
    """After a call (or a lease) ends, another process can open the file at once."""
    path = tmp_path / "lease.duckdb"
    ws = _shared_account_workspace(path)
    close_workspace(path)
    assert not ws.is_open and leases_held(path) == 0
    code = f"import duckdb; duckdb.connect({str(path)!r}).close()"
    with ws.lease():
        assert ws.is_open
        held = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert held.returncode != 0 and "lock" in held.stderr.lower()
    time.sleep(LINGER_SECONDS + 0.3)  # released after a short linger, even with nobody waiting
    assert not ws.is_open
    free = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert free.returncode == 0, free.stderr


def test_opening_waits_for_another_process_then_gives_one_sentence(tmp_path):
    path = tmp_path / "wait.duckdb"
    _shared_account_workspace(path)
    close_workspace(path)  # the raw DuckDB holder below does not wait
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); "
         "time.sleep(float(sys.stdin.readline()))"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(WorkspaceLockedError, match=r"busy with another process.*0\.3 seconds"):
            open_workspace(path, wait_seconds=0.3)
        assert 0.3 <= time.monotonic() - started < 5
        holder.stdin.write("0.5\n")  # the holder lets go in half a second; a 10 s wait succeeds
        holder.stdin.flush()
        assert open_workspace(path, wait_seconds=10).row_count("accounts") == 1
    finally:
        holder.kill()
        holder.wait()


HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from cs_analytics.core.db import open_workspace
ws = open_workspace({path!r})
ws.acquire(yielding=True)  # a long lease, like the app's script run, busy with queries
print("holding", flush=True)
end = time.monotonic() + 30
while time.monotonic() < end:
    ws.scalar("SELECT count(*) FROM flags")
    time.sleep(0.05)
"""


def test_a_long_lease_lets_a_waiting_process_in_between_its_queries(tmp_path):
    """A process holding a lease for a long run yields the file to a waiter between two queries;
    without the wait signal the waiter would wait for the whole run (30 s here) and give up."""
    path = tmp_path / "yield.duckdb"
    _shared_account_workspace(path)
    assert_a_waiter_writes_while_held(path, HOLDER, "holding")


def assert_a_waiter_writes_while_held(path: Path, holder_code: str, ready_line: str) -> None:
    """Start `holder_code` (formatted with root and path) in another process; once it prints
    `ready_line`, this process opens the file (waiting at most 5 s) and flags an account while the
    holder still runs; the flag is then in the file."""
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_code.format(root=str(ROOT), path=str(path))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == ready_line
        ws = open_workspace(path, wait_seconds=5)
        flag_account(ws, "SHARED", reason="other", user="waiter")
        assert holder.poll() is None  # the holder still runs: it let the file go, it did not end
    finally:
        holder.kill()
        holder.wait()
    assert open_workspace(path).query("SELECT user_name FROM flags")["user_name"].tolist() == ["waiter"]


LINGERING = """
import sys, time
sys.path.insert(0, {root!r})
import cs_analytics.core.db as db
from cs_analytics.core.db import open_workspace
db.LINGER_SECONDS = 60  # as the app's launcher keeps it (ui.serve.APP_LINGER_SECONDS), but longer
ws = open_workspace({path!r})
with ws.lease(yielding=True):  # a script run that ends; the file stays open for the next one
    ws.scalar("SELECT count(*) FROM flags")
print("lingering" if ws.is_open else "closed", flush=True)
time.sleep(30)
"""


def test_a_lingering_file_goes_at_once_to_a_waiting_process(tmp_path):
    """The app keeps the file open between script runs (a linger of seconds); a process asking for
    it meanwhile gets it at once, not after the linger (60 s here, longer than the waiter's 5 s)."""
    path = tmp_path / "linger.duckdb"
    _shared_account_workspace(path)
    close_workspace(path)
    assert_a_waiter_writes_while_held(path, LINGERING, "lingering")
