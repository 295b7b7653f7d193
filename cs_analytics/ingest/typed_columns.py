"""Columns a file already stores typed (Parquet, a typed frame), parsed without the text round trip.

validation.py reads every value through its text (`CAST(.. AS VARCHAR)`, trimmed, then the text
parsers and the currency check). For a column whose storage type already says what the value is,
the same value comes straight from the type, and at 100M rows that round trip is most of the
validation time (issue 14). The value read, the checks and the quarantine reasons are the same
as through the text (tests/ingest/test_typed_columns.py ingests typed and text copies of the same
hostile values and compares):
- a date column stored as DATE is the date; TIMESTAMP (any precision) is truncated to its date;
  TIMESTAMP WITH TIME ZONE is converted to UTC, then truncated (the text path's zoned rule);
  a non-finite date (`infinity`) is not a date.
- an amount or value stored as an integer or DOUBLE is that number (a DOUBLE prints its shortest
  round-trip text, so the text path reads the same double); DECIMAL is read from its exact text
  (a conversion through the integer could round differently); NaN and infinities are not numbers.
  A stored number holds no currency sign, so the currency check is not needed.
- FLOAT (32-bit) stays on the text path: its text (`0.1`) is not the double it widens to.
Other types (text, integers in a date column, lists, structs) use the text path.
"""
from __future__ import annotations

import re

INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                 "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
TIMESTAMP_TYPES = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"}
ZONED_TYPES = {"TIMESTAMP WITH TIME ZONE"}
DECIMAL_TYPE = re.compile(r"DECIMAL\(\d+,\s*\d+\)")


def raw_column_types(cur) -> dict[str, str]:
    """The storage type of every column of the staging table `_raw` (`c0` -> 'DATE', ...)."""
    return {row[0]: str(row[1]).upper() for row in cur.execute("DESCRIBE _raw").fetchall()}


def typed_reading(kind: str, raw_type: str | None) -> str | None:
    """How a column of `kind` stored as `raw_type` is read without its text: 'date', 'timestamp',
    'zoned', 'number', 'decimal', or None (the text path)."""
    if raw_type is None:
        return None
    if kind in ("date", "timestamp_date"):
        if raw_type == "DATE":
            return "date"
        if raw_type in TIMESTAMP_TYPES:
            return "timestamp"
        if raw_type in ZONED_TYPES:
            return "zoned"
    if kind == "decimal":
        if raw_type in INTEGER_TYPES or raw_type == "DOUBLE":
            return "number"
        if DECIMAL_TYPE.fullmatch(raw_type):
            return "decimal"
    return None


def typed_parse_expr(reading: str, v: str) -> str:
    """SQL reading the typed expression `v` as the text path would (NULL when not a value)."""
    if reading == "date":
        return f"(CASE WHEN isfinite({v}) THEN {v} END)"
    if reading == "timestamp":
        return f"(CASE WHEN isfinite({v}) THEN CAST({v} AS DATE) END)"
    if reading == "zoned":
        return f"(CASE WHEN isfinite({v}) THEN CAST(timezone('UTC', {v}) AS DATE) END)"
    number = f"CAST({v} AS DOUBLE)" if reading == "number" else f"try_cast(CAST({v} AS VARCHAR) AS DOUBLE)"
    return f"(CASE WHEN isfinite({number}) THEN {number} END)"


def shown_text(v: str, typed: bool) -> str:
    """The value as a quarantine reason shows it: its first 80 characters of text."""
    return f"left(CAST({v} AS VARCHAR), 80)" if typed else f"left({v}, 80)"
