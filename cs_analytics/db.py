"""The one DuckDB access layer: every query in the library goes through a `Workspace`.

One process holds one DuckDB connection per workspace file; every call takes its own cursor from
it, so Streamlit's script threads and the CLI never share a cursor (DuckDB refuses that). SQL text
comes from named files under `cs_analytics/sql/` or from clearly named query functions; values are
always bound parameters.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Sequence

import duckdb
import pandas as pd

from cs_analytics import config
from cs_analytics.ids import register_sql

SQL_DIR = Path(__file__).resolve().parent / "sql"

_connections: dict[str, duckdb.DuckDBPyConnection] = {}
_connections_lock = threading.Lock()
# Writers in one process are serialised: DuckDB handles concurrent transactions optimistically and
# would fail one of two conflicting writers; a lock turns that into a short wait instead.
_write_locks: dict[str, threading.RLock] = {}


class WorkspaceError(Exception):
    """A problem with the workspace a user can act on; the message is one clear sentence."""


class WorkspaceLockedError(WorkspaceError):
    """Another process holds the workspace file's write lock."""


@lru_cache(maxsize=None)
def load_sql(name: str) -> str:
    """The text of `cs_analytics/sql/<name>.sql`."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    key = str(path.resolve())
    with _connections_lock:
        con = _connections.get(key)
        if con is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                con = duckdb.connect(key)
            except duckdb.IOException as exc:
                if "lock" in str(exc).lower():
                    raise WorkspaceLockedError(
                        f"The workspace {path} is in use by another process; close that process "
                        "(for example the running app) or choose another file with --workspace."
                    ) from exc
                raise WorkspaceError(f"The workspace {path} could not be opened: {exc}") from exc
            register_sql(con)  # cs_normalise_id, used by ingest (cs_analytics/ids.py)
            _connections[key] = con
            _write_locks[key] = threading.RLock()
        return con


class Workspace:
    """A DuckDB workspace file, opened once per process, with schema migrations applied."""

    def __init__(self, path: str | Path | None = None):
        self.path = config.workspace_path(path)
        self._key = str(self.path.resolve())
        self._con = _connect(self.path)
        from cs_analytics import schema  # late import: schema uses this module

        schema.migrate(self)

    # -- reading -------------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of this thread's own, closed after use."""
        cur = self._con.cursor()
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
        from cs_analytics.tables import quote_identifier

        return int(self.scalar(f"SELECT count(*) FROM {quote_identifier(table)}"))

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside BEGIN/COMMIT; any exception rolls everything back.

        Readers in other threads keep seeing the previous committed state until COMMIT.
        """
        with _write_locks[self._key]:
            with self.cursor() as cur:
                cur.execute("BEGIN TRANSACTION")
                try:
                    yield cur
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


def open_workspace(path: str | Path | None = None) -> Workspace:
    """Open (creating if needed) the workspace at `path`, $CS_ANALYTICS_DB or the default."""
    return Workspace(path)


def close_workspace(path: str | Path | None = None) -> None:
    """Close this process's connection to a workspace file (tests and CLI shutdown)."""
    key = str(config.workspace_path(path).resolve())
    with _connections_lock:
        con = _connections.pop(key, None)
        _write_locks.pop(key, None)
    if con is not None:
        con.close()


def scratch_connection() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB for reading and previewing a file before anything is stored.

    It never sees the workspace; the caller closes it.
    """
    con = duckdb.connect(":memory:")
    register_sql(con)
    return con
