"""Taking turns on a workspace file across processes: DuckDB holds a file lock per process, so a
process that wants the file probes the lock cheaply, retries with a growing pause, and signals the
holder (a marker file's mtime) so that it lets the file go between two queries (core/db.py)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from cs_analytics.core import resources
from cs_analytics.core.errors import WorkspaceError, WorkspaceLockedError
from cs_analytics.core.ids import register_sql

if os.name == "posix":
    import fcntl
else:  # Windows: no advisory lock to probe
    fcntl = None

_RETRY_FIRST_SECONDS = 0.02
_RETRY_MAX_SECONDS = 0.1
WAIT_SIGNAL_SECONDS = 1.0


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


def _wait_marker(path: Path) -> Path:
    """A file whose fresh mtime says "another process is waiting for this workspace"."""
    return path.with_name(path.name + ".wait")


def _signal_waiting(path: Path) -> None:
    try:
        _wait_marker(path).touch()
    except OSError:  # a read-only folder: the holder then keeps its lease until its work ends
        pass


def someone_is_waiting(path: Path) -> bool:
    """Whether another process asked for the file within the last `WAIT_SIGNAL_SECONDS`."""
    try:
        return time.time() - _wait_marker(path).stat().st_mtime < WAIT_SIGNAL_SECONDS
    except OSError:
        return False


def lock_is_free(path: Path) -> bool:
    """Whether no process holds the file's lock now: a cheap probe (microseconds) before the
    expensive DuckDB open (about 10 ms of CPU even when it fails), so twenty waiting processes do
    not starve the one doing the work. Only called when this process has no connection to it."""
    if fcntl is None:  # not POSIX: let DuckDB try
        return True
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return True  # missing or unreadable: DuckDB reports it
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def connect_waiting(path: Path, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to `path`, retrying while another process holds its lock.

    Retries with a growing pause (20 ms up to 100 ms) until `wait_seconds` have passed, then
    raises WorkspaceLockedError with one sentence. While waiting it signals the holder, which
    lets the file go between two of its queries.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = resources.connection_config(path)  # memory limit, spill dir, threads (bad -> error)
    deadline = time.monotonic() + max(0.0, wait_seconds)
    pause = _RETRY_FIRST_SECONDS
    while True:
        if lock_is_free(path) or time.monotonic() >= deadline:
            try:
                con = duckdb.connect(str(path), config=settings)
                register_sql(con)  # cs_normalise_id, used by ingest (cs_analytics/ids.py)
                return con
            except duckdb.IOException as exc:
                if not _is_lock_error(exc):
                    raise WorkspaceError(f"The workspace {path} could not be opened: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise WorkspaceLockedError(
                        f"The workspace {path} is busy with another process and stayed busy for "
                        f"{wait_seconds:g} seconds; try again in a moment."
                    ) from exc
        _signal_waiting(path)
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, _RETRY_MAX_SECONDS)
