"""The upload log and the quarantine as a user reads them, and refusals recorded in the log."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.db import load_sql
from cs_analytics.core.tables import TABLES

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


def quarantine_rows(ws: "Workspace", table: str | None = None) -> pd.DataFrame:
    """The refused rows kept in the workspace: table, file, line, column, reason, raw (JSON)."""
    return ws.query(load_sql("ingest/quarantine_rows"), {"table": table})


def upload_history(ws: "Workspace") -> pd.DataFrame:
    """Every upload, newest first: file, table, mode, rows read/accepted/quarantined, who, when."""
    return ws.query(load_sql("ingest/upload_history"))


def log_refusal(ws: "Workspace", *, table: str | None, file_name: str, message: str,
                mode: str | None = None, user: str | None = None, data: bytes | None = None) -> None:
    """Log a refusal decided outside `ingest_file` (e.g. the Data page's preview) exactly like one
    decided inside it: a row of the upload log with status 'refused', size and sha256 of `data`."""
    size = len(data) if data is not None else None
    digest = hashlib.sha256(data).hexdigest() if data is not None else None
    record_refusal(ws, table if table in TABLES else None, file_name, mode, user, size, digest, message)


def record_refusal(ws, table, file_name, mode, user, size_bytes, sha256, message) -> None:
    """Record a refused upload in the upload log (its own small transaction)."""
    try:
        with ws.transaction() as cur:
            cur.execute(load_sql("ingest/log_refusal"), {
                "file_name": file_name, "size_bytes": size_bytes, "sha256": sha256, "table": table,
                "mode": mode, "user": user, "uploaded_at": now_utc(), "message": message})
    except Exception:  # noqa: BLE001 - logging a refusal must never hide the refusal itself
        pass


def now_utc() -> dt.datetime:
    """The current UTC time, naive, as the upload log stores it."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
