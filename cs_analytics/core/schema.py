"""Schema version and migrations of the workspace file.

Migrations are the numbered files in `sql/migrations/`; the applied version is kept in
`schema_version`. Opening an older workspace upgrades it; a newer one is refused.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import duckdb

from cs_analytics.core.config import SQL_DIR
from cs_analytics.core.errors import WorkspaceError

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

MIGRATIONS_DIR = SQL_DIR / "migrations"
GENERATION_KEY = "generation"
# how many of the generation's bumps were task-only writes (a rule run that raised tasks, a task's
# status, note or owner): views that do not show tasks key their cache on the difference
TASKS_GENERATION_KEY = "tasks_generation"


def migrations() -> list[tuple[int, str]]:
    """(version, sql) for every migration file, in order."""
    found = []
    for path in MIGRATIONS_DIR.glob("*.sql"):
        match = re.match(r"(\d+)_", path.name)
        if match:
            found.append((int(match.group(1)), path.read_text(encoding="utf-8")))
    return sorted(found)


LATEST_VERSION = max(v for v, _ in migrations())


def current_version(ws: "Workspace") -> int:
    if not ws.table_exists("schema_version"):
        return 0
    return int(ws.scalar("SELECT coalesce(max(version), 0) FROM schema_version"))


def migrate(ws: "Workspace") -> int:
    """Apply every migration the workspace has not applied yet; returns the version reached.

    Applied versions are recorded one row each, so a migration numbered below the newest applied
    one (added on another branch) is still applied once.
    """
    with ws.transaction(bump_generation=False) as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)"
        )
        applied = {row[0] for row in cur.execute("SELECT version FROM schema_version").fetchall()}
        newest = max(applied, default=0)
        if newest > LATEST_VERSION:
            raise WorkspaceError(
                f"The workspace {ws.path} has schema version {newest}, newer than this program "
                f"understands ({LATEST_VERSION}); upgrade CS Analytics."
            )
        missing = [(number, sql) for number, sql in migrations() if number not in applied]
        for number, sql in missing:
            cur.execute(sql)
            cur.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [number])
        if missing:
            bump_generation_in(cur)
    return LATEST_VERSION


def bump_generation_in(cur: duckdb.DuckDBPyConnection) -> None:
    """Increase the workspace generation (workspace_info's `generation` row) by one inside the
    caller's open transaction; every committed write calls it."""
    _increment_counter(cur, GENERATION_KEY)


def bump_tasks_generation_in(cur: duckdb.DuckDBPyConnection) -> None:
    """A task-only write: increase the generation (as every write does) and the count of task-only
    bumps, inside the caller's open transaction. Pages that show no task keep their cached views
    (their key, Workspace.views_generation, does not move); My work and the account timeline update."""
    bump_generation_in(cur)
    _increment_counter(cur, TASKS_GENERATION_KEY)


def _increment_counter(cur: duckdb.DuckDBPyConnection, key: str) -> None:
    """workspace_info's counter `key` plus one (created at 1)."""
    row = cur.execute(
        "UPDATE workspace_info SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
        "WHERE key = ? RETURNING value",
        [key],
    ).fetchone()
    if row is None:
        cur.execute("INSERT INTO workspace_info (key, value) VALUES (?, '1')", [key])
