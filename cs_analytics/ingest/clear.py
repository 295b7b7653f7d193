"""Clearing a table on purpose: its rows and quarantine go, logged, in one transaction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cs_analytics.core import derived
from cs_analytics.core.db import load_sql
from cs_analytics.core.tables import TABLES, quote_identifier
from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.log import now_utc

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


@dataclass
class ClearResult:
    """What clearing a table did."""

    table: str
    upload_id: int
    rows_deleted: int
    quarantined_deleted: int


def clear_table(ws: "Workspace", table: str, user: str | None = None) -> ClearResult:
    """Empty `table` on purpose: its rows and its quarantine go, the derived tables are rebuilt, and
    the clearing is logged in the upload log (mode 'clear', status 'cleared'), all in ONE transaction.

    Flags, scorecards and settings are kept. Clearing `accounts` also drops their attributes;
    accounts still referenced by contracts, usage, assessments or NPS come back as implicit ones.
    """
    if table not in TABLES:
        raise IngestRefused(f"Unknown table {table!r}; choose one of {', '.join(TABLES)}.")
    with ws.transaction() as cur:
        rows = int(cur.execute(f"SELECT count(*) FROM {quote_identifier(table)}").fetchone()[0])
        quarantined = int(cur.execute("SELECT count(*) FROM quarantine WHERE table_name = ?",
                                      [table]).fetchone()[0])
        cur.execute("DELETE FROM quarantine WHERE table_name = ?", [table])
        if table == "accounts":
            cur.execute("DELETE FROM account_attributes")
        cur.execute(f"DELETE FROM {quote_identifier(table)}")
        upload_id = int(cur.execute("SELECT nextval('upload_id_seq')").fetchone()[0])
        row_word = "row" if rows == 1 else "rows"
        cur.execute(load_sql("ingest/log_clear"), {
            "upload_id": upload_id, "table": table, "user": user, "uploaded_at": now_utc(),
            "message": f"Cleared {rows:,} {row_word} and {quarantined:,} quarantined from {table}."})
        derived.rebuild(cur, usage_changed=table == "usage", usage_unique=table == "usage")
    return ClearResult(table=table, upload_id=upload_id, rows_deleted=rows, quarantined_deleted=quarantined)
