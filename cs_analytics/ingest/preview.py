"""Previewing a file under a mapping: the first rows as they would be stored, and why a row
would be quarantined. Nothing is written."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.db import scratch_connection
from cs_analytics.core.tables import TABLES, quote_identifier
from cs_analytics.ingest.mapping import missing_required
from cs_analytics.ingest.column_evidence import decide_date_order, detect_sentiment_scale
from cs_analytics.ingest.validation import (
    DATE_KINDS, STORED, ParseOptions, parse_statement,
)

if TYPE_CHECKING:
    from cs_analytics.ingest.mapping import Mapping
    from cs_analytics.ingest.readers import RawTable


def _dates_without_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Stored DATE columns come back as timestamps; show them as the dates they are."""
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.date
    return frame


def _shown_value(column: str, stored: str, parsed: set[str]) -> str:
    """A column as the preview shows it: the stored expression for a row that loads; for a row
    that would be quarantined, the value as parsed, so a cell that failed shows blank instead of
    the column's default (a usage `value` of "abc" showed 1, the default of a missing value)."""
    parsed_column = f"p_{column}"
    if parsed_column not in parsed:
        return stored
    return f"CASE WHEN _reason IS NULL THEN {stored} ELSE {parsed_column} END"


def preview(raw: "RawTable", mapping: "Mapping", rows: int = 20) -> pd.DataFrame:
    """The first `rows` rows of `raw` as they would be stored under `mapping`, with a `problem`
    column saying why a row would be quarantined (empty when it would load). Nothing is written.
    """
    table = mapping.table
    head = raw.frame.head(rows)
    data = pd.DataFrame({f"c{i}": head.iloc[:, i].astype("string").to_numpy() for i in range(head.shape[1])})
    data.insert(0, "_line", raw.lines.head(rows).astype("int64").to_numpy())
    colmap = {target: f"c{raw.headers.index(src)}" for src, target in mapping.columns.items()
              if target and src in raw.headers}
    if missing_required(table, list(colmap)):
        return pd.DataFrame()
    con = scratch_connection()
    try:
        con.register("_raw", data)
        options = ParseOptions(mode="replace", upload_id=0)
        for col in colmap:
            kind = TABLES[table].column(col).kind
            if kind in DATE_KINDS:  # the same decision (and refusal) as the load's
                options.date_orders[col] = decide_date_order(con, col, colmap[col], mapping.date_order,
                                                              [], raw.file_name)
            elif kind == "sentiment":
                options.sentiment_scale = detect_sentiment_scale(con, colmap[col])[0]
        raw_cols = [f"c{i}" for i in range(len(raw.headers))]
        sql, params = parse_statement(table, colmap, raw_cols, options)
        params.update({f"h{i}": h for i, h in enumerate(raw.headers)})
        con.execute(sql, params)
        parsed = {row[0] for row in con.execute("DESCRIBE _parsed").fetchall()}
        exprs = ", ".join(f"{_shown_value(c, e, parsed)} AS {quote_identifier(c)}" for c, e in STORED[table].items())
        shown = con.execute(f"SELECT _line AS line, {exprs}, coalesce(_reason, '') AS problem "
                            "FROM _parsed ORDER BY _line").df()
        return _dates_without_time(shown)
    finally:
        con.close()
