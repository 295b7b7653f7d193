"""The one DuckDB access layer: every query in the library goes through a `Workspace`.

The workspace file is held as a *lease*: a process opens the DuckDB connection when the first
piece of work needs it (a Streamlit script run, a CLI command, a library call) and closes it when
the last user in the process releases it (a reference count per file), after a short linger
(LINGER_SECONDS, cut short when another process is waiting). So the file lock, which
DuckDB holds per process, is held only while work is done, and the app and the CLI can take turns
on one file. Opening retries while another process holds the lock, up to `wait_seconds`.

Every call takes its own cursor from the leased connection, so Streamlit's script threads and the
CLI never share a cursor (DuckDB refuses that). Every write goes through `Workspace.transaction`,
which serialises writers in the process and bumps the workspace *generation* inside the same
transaction, so any cache keyed on the generation is invalidated by every committed write, in
every process. SQL text comes from named files under `cs_analytics/sql/` or from clearly named
query functions; values are always bound parameters.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import pandas as pd

from cs_analytics.core import config, schema
from cs_analytics.core.file_lock import connect_waiting, someone_is_waiting
from cs_analytics.core.ids import register_sql
from cs_analytics.core.schema import GENERATION_KEY, TASKS_GENERATION_KEY, bump_generation_in
from cs_analytics.core.tables import quote_identifier

DEFAULT_WAIT_SECONDS = 10.0
# After the last lease ends the connection lingers this long (unless another process waits), so
# consecutive library calls do not reopen the file; a background thread closes it.
LINGER_SECONDS = 0.5
_REAP_EVERY_SECONDS = 0.05


@dataclass
class _SharedFile:
    """This process's state for one workspace file: the leased connection and its users.

    `leases` counts every holder; `busy` counts the ones using the connection right now (a
    cursor, a transaction). Holders of a long lease (a script run, a command) that are between
    queries let the connection go when another process is waiting for the file.
    """

    con: duckdb.DuckDBPyConnection | None = None
    leases: int = 0
    holds: int = 0  # leases that keep the file even when another process waits (a command)
    busy: int = 0
    opens: int = 0  # connections opened so far (for tests and measurements)
    idle_since: float = 0.0  # monotonic time the last lease ended (while a connection is open)
    foreground: int = 0  # leases not taken by a background warm (`acquire(background=True)`)
    last_foreground_end: float = float("-inf")  # monotonic time such a lease last ended
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Writers in one process are serialised: DuckDB handles concurrent transactions optimistically
    # and would fail one of two conflicting writers; the lock turns that into a short wait.
    write_lock: threading.RLock = field(default_factory=threading.RLock)


_files: dict[str, _SharedFile] = {}
_files_lock = threading.Lock()
_reaper: threading.Thread | None = None


def _start_reaper() -> None:
    global _reaper
    with _files_lock:
        if _reaper is None or not _reaper.is_alive():
            _reaper = threading.Thread(target=_reap_forever, name="workspace-reaper", daemon=True)
            _reaper.start()


def _reap_forever() -> None:
    """Close connections nobody has used for LINGER_SECONDS, or at once when another process waits."""
    while True:
        time.sleep(_REAP_EVERY_SECONDS)
        for key, shared in list(_files.items()):
            if shared.con is None:
                continue
            with shared.lock:
                if shared.con is None or shared.leases or shared.busy:
                    continue
                if (time.monotonic() - shared.idle_since >= LINGER_SECONDS
                        or someone_is_waiting(Path(key))):
                    con, shared.con = shared.con, None
                    con.close()


def _shared(key: str) -> _SharedFile:
    with _files_lock:
        return _files.setdefault(key, _SharedFile())


def finish_pending_result(cur) -> None:
    """Complete the cursor's last execute() result (a fetchone() leaves it open), which the
    relation API (read_parquet, sql) refuses to start beside."""
    cur.execute("SELECT 1").fetchall()


@lru_cache(maxsize=None)
def load_sql(name: str) -> str:
    """The text of `cs_analytics/sql/<name>.sql`."""
    return (config.SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


class Workspace:
    """A DuckDB workspace file with schema migrations applied, opened on demand (a lease)."""

    def __init__(self, path: str | Path | None = None, wait_seconds: float | None = None,
                 keep_lease: bool = False):
        self.path = config.workspace_path(path)
        self._key = str(self.path.resolve())
        self._file = _shared(self._key)
        self.wait_seconds = DEFAULT_WAIT_SECONDS if wait_seconds is None else float(wait_seconds)
        self.acquire(yielding=False)
        try:
            schema.migrate(self)
        except BaseException:
            self.release(yielding=False)
            raise
        if not keep_lease:  # else the caller releases (a command keeps the file it just opened)
            self.release(yielding=False)

    # -- the lease ---------------------------------------------------------------------
    def acquire(self, yielding: bool = False, background: bool = False) -> None:
        """Take a lease for a block of work; the connection stays open between its queries.

        A `yielding` lease (a script run of the app) lets the file go between two queries when
        another process is waiting for it; the next query reopens it. A plain lease (a command,
        short by nature) keeps the file until it ends. A `background` lease (the app's warm of
        views nobody asked for yet) does not count as activity in `seconds_since_foreground_lease`.
        """
        with self._file.lock:
            self._file.leases += 1
            self._file.holds += 0 if yielding else 1
            self._file.foreground += 0 if background else 1
            try:
                with self._using():  # open now, so a busy file is reported at the start
                    pass
            except BaseException:
                self._file.leases -= 1
                self._file.holds -= 0 if yielding else 1
                self._file.foreground -= 0 if background else 1
                raise

    def release(self, yielding: bool = False, background: bool = False) -> None:
        """End a lease taken with the same `yielding` and `background`; the last one closes the connection."""
        shared = self._file
        with shared.lock:
            if shared.leases <= 0:
                return
            shared.leases -= 1
            shared.holds -= 0 if yielding or shared.holds == 0 else 1
            if not background and shared.foreground > 0:
                shared.foreground -= 1
                shared.last_foreground_end = time.monotonic()
            self._close_if_idle()

    def seconds_since_foreground_lease(self) -> float:
        """Seconds since the last foreground lease of this file in this process (a script run, a
        command) ended; 0.0 while one is held, infinite when none has been taken."""
        shared = self._file
        with shared.lock:
            return 0.0 if shared.foreground else time.monotonic() - shared.last_foreground_end

    def _close_if_idle(self) -> None:
        """Between two queries: let the file go if another process waits and no command holds
        it; after the last lease: let it linger briefly (the reaper thread closes it)."""
        shared = self._file
        if shared.con is None or shared.busy:
            return
        if shared.holds == 0 and someone_is_waiting(self.path):
            con, shared.con = shared.con, None
            con.close()
        elif shared.leases == 0:
            shared.idle_since = time.monotonic()
            _start_reaper()

    @contextmanager
    def lease(self, yielding: bool = False) -> Iterator["Workspace"]:
        """Hold the workspace for a block of work (see `acquire`)."""
        self.acquire(yielding)
        try:
            yield self
        finally:
            self.release(yielding)

    @contextmanager
    def _using(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The open connection for one query or transaction, opening it (waiting) if needed."""
        shared = self._file
        with shared.lock:
            if shared.con is None:
                shared.con = connect_waiting(self.path, self.wait_seconds)
                shared.opens += 1
            shared.leases += 1
            shared.busy += 1
            con = shared.con
        try:
            yield con
        finally:
            with shared.lock:
                shared.busy -= 1
                shared.leases -= 1
                self._close_if_idle()

    @property
    def is_open(self) -> bool:
        """Whether this process holds the file now."""
        return self._file.con is not None

    # -- reading -------------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of this thread's own, closed after use, inside a lease."""
        with self._using() as con:
            cur = con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def query(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        """Run one SELECT with bound parameters and return a DataFrame."""
        with self.cursor() as cur:
            return cur.execute(sql, params or []).df()

    def query_named(self, name: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        """Run the SELECT in `sql/<name>.sql`."""
        return self.query(load_sql(name), params)

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        with self.cursor() as cur:
            row = cur.execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def table_exists(self, name: str) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
            )
        )

    def row_count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {quote_identifier(table)}"))

    def generation(self) -> int:
        """The workspace generation: a number every committed write increases (0 when new)."""
        value = self.scalar("SELECT value FROM workspace_info WHERE key = ?", [GENERATION_KEY])
        return int(value) if value is not None else 0

    def views_generation(self) -> int:
        """The generation without the task-only writes' bumps (core.schema.bump_tasks_generation_in):
        it moves on every write except a task change, so a view that shows no task stays cached."""
        with self.cursor() as cur:
            rows = dict(cur.execute("SELECT key, value FROM workspace_info WHERE key IN (?, ?)",
                                    [GENERATION_KEY, TASKS_GENERATION_KEY]).fetchall())
        return int(rows.get(GENERATION_KEY, 0)) - int(rows.get(TASKS_GENERATION_KEY, 0))

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def transaction(self, bump_generation: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside BEGIN/COMMIT; any exception rolls everything back.

        Writers in this process wait for each other; other processes are kept out by the file
        lock. The generation is bumped inside the transaction, so it changes exactly when the
        write commits. Readers in other threads keep seeing the previous state until COMMIT.
        """
        with self._using(), self._file.write_lock, self.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                if bump_generation:
                    bump_generation_in(cur)
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> None:
        """Run one statement in its own transaction."""
        with self.transaction() as cur:
            cur.execute(sql, params or [])

    def checkpoint(self) -> None:
        with self.cursor() as cur:
            cur.execute("CHECKPOINT")


def open_workspace(path: str | Path | None = None, wait_seconds: float | None = None,
                   keep_lease: bool = False) -> Workspace:
    """Open (creating and migrating if needed) the workspace at `path`, $CS_ANALYTICS_DB or the default.

    The file is not held after this returns; each call (or `ws.lease()`) takes it while it works.
    With `keep_lease` the caller holds a plain lease on it and ends it with `ws.release()`.
    """
    return Workspace(path, wait_seconds=wait_seconds, keep_lease=keep_lease)


def close_workspace(path: str | Path | None = None) -> None:
    """Close this process's connection to a workspace file if no lease is held (tests, CLI)."""
    key = str(config.workspace_path(path).resolve())
    shared = _files.get(key)
    if shared is None:
        return
    with shared.lock:
        if shared.busy == 0 and shared.leases == 0 and shared.con is not None:
            con, shared.con = shared.con, None
            con.close()


def leases_held(path: str | Path) -> int:
    """How many leases this process holds on a workspace file now (tests, diagnostics)."""
    shared = _files.get(str(Path(path).resolve()))
    return 0 if shared is None else shared.leases


def scratch_connection() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB for reading and previewing a file before anything is stored.

    It never sees the workspace; the caller closes it.
    """
    con = duckdb.connect(":memory:")
    register_sql(con)
    return con
