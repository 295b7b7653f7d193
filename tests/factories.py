"""Build small workspaces from canonical frames for tests (bypassing file reading/mapping).

Frames use the canonical column names of the data contract. `build_workspace` inserts them,
creates implicit accounts and rebuilds the derived tables exactly as an ingest does.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from cs_analytics.core.db import open_workspace
from cs_analytics.core.derived import rebuild
from cs_analytics.core.tables import TABLES, quote_identifier

STORED_COLUMNS = {
    "accounts": ["account_id", "account_name", "segment", "csm_owner", "plan", "industry", "region", "created_at"],
    "contracts": ["contract_id", "account_id", "start_date", "end_date", "mrr", "product", "currency",
                  "renewal_date"],
    "usage": ["account_id", "event_date", "metric", "value", "user_id"],
    "assessments": ["account_id", "assessed_at", "sentiment", "csm", "reason", "note"],
    "nps": ["account_id", "responded_at", "score", "comment"],
    "outcomes": ["account_id", "churned", "churned_at", "reason", "note"],
}

DEFAULTS = {
    ("usage", "metric"): "activity",
    ("usage", "value"): 1.0,
}


def insert_canonical(cur, table: str, frame: pd.DataFrame) -> None:
    """Insert `frame` (canonical columns; missing optional ones become NULL/defaults)."""
    cols = STORED_COLUMNS[table]
    data = pd.DataFrame(index=frame.index)
    for col in cols:
        if col in frame.columns:
            data[col] = frame[col]
        else:
            data[col] = DEFAULTS.get((table, col))
    if table == "contracts" and data["contract_id"].isna().any():
        data["contract_id"] = [
            cid if isinstance(cid, str) else f"C{i}" for i, cid in enumerate(data["contract_id"])
        ]
    for col in cols:
        kind = TABLES[table].column(col).kind if col in TABLES[table].column_names else "text"
        if kind in ("date", "timestamp_date"):
            data[col] = pd.to_datetime(data[col]).dt.date
    cur.register("_factory_frame", data)
    col_sql = ", ".join(quote_identifier(c) for c in cols)
    cur.execute(f"INSERT INTO {quote_identifier(table)} ({col_sql}) SELECT {col_sql} FROM _factory_frame")
    cur.unregister("_factory_frame")


def build_workspace(path: Path | str, **frames: pd.DataFrame):
    """A workspace at `path` holding the given canonical tables, derived tables built."""
    ws = open_workspace(path)
    with ws.transaction() as cur:
        for table, frame in frames.items():
            if frame is not None:
                insert_canonical(cur, table, frame)
        rebuild(cur)
    return ws
