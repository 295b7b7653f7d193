"""Typed columns (ingest/typed_columns.py) are read as their text would be: a Parquet file storing
dates, timestamps and numbers typed, and a copy storing the same values as DuckDB prints them,
parse to the same values, the same quarantine reasons and the same stored rows."""
from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cs_analytics.core.db import close_workspace, open_workspace, scratch_connection
from cs_analytics.ingest.load import ingest_file
from cs_analytics.ingest.readers.staging import stage_file
from cs_analytics.ingest.typed_columns import raw_column_types
from cs_analytics.ingest.validation import ParseOptions, parse_statement

UPLOAD_DAY = dt.date(2026, 1, 15)
DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMPTZ")
VALUE_TYPES = ("DOUBLE", "BIGINT", "DECIMAL(38,9)", "DECIMAL(18,3)", "FLOAT")
SESSION_ZONE = "America/Los_Angeles"
HEADERS = ["account", "day", "amount", "who"]
COLMAP = {"account_id": "c0", "event_date": "c1", "value": "c2", "user_id": "c3"}

dates = st.one_of(st.none(), st.dates(min_value=dt.date(1, 1, 2), max_value=dt.date(9999, 12, 30)),
                  st.sampled_from([dt.date(1899, 12, 31), dt.date(2100, 12, 31), dt.date(2101, 1, 1),
                                   UPLOAD_DAY, UPLOAD_DAY + dt.timedelta(days=1)]))
times = st.times()
zones = st.sampled_from(["+00:00", "+05:30", "-08:00", "+14:00", "-12:00"])
values = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                   st.integers(-10**15, 10**15), st.decimals(-10**8, 10**8, places=3, allow_nan=False),
                   st.sampled_from([0.1, 1e-9, 123456789.123456789, 2**53 + 1.0, -0.0]))


def _value_literal(value, value_type: str) -> str | None:
    """The value as SQL text to cast to `value_type` (None: NULL; a value the type cannot hold
    becomes NULL as well, so every file is writable)."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return "nan"
    return str(value)


def write_pair(folder: Path, rows: list[tuple], date_type: str, value_type: str,
               zone: str = SESSION_ZONE) -> tuple[Path, Path]:
    """The rows as a typed Parquet file and as its text copy (every column CAST AS VARCHAR, as a
    session in time zone `zone`, the one that will parse it, prints it)."""
    typed, text = folder / "typed.parquet", folder / "text.parquet"
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{zone}'")
    con.execute("CREATE TABLE src (account VARCHAR, day VARCHAR, amount VARCHAR, who VARCHAR, n INTEGER)")
    con.executemany("INSERT INTO src VALUES (?, ?, ?, ?, ?)", [list(r) + [i] for i, r in enumerate(rows)])
    con.execute(f"""COPY (SELECT account, try_cast(day AS {date_type}) AS day,
                                 try_cast(amount AS {value_type}) AS amount, who
                          FROM src ORDER BY n) TO '{typed}' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT CAST(account AS VARCHAR) AS account, CAST(day AS VARCHAR) AS day,
                                 CAST(amount AS VARCHAR) AS amount, CAST(who AS VARCHAR) AS who
                          FROM read_parquet('{typed}')) TO '{text}' (FORMAT parquet)""")
    con.close()
    return typed, text


def parsed(path: Path) -> tuple[list[tuple], dict[str, str]]:
    """_parsed of the file as a usage upload (every column, by line) and its raw column types."""
    con = scratch_connection()
    try:
        con.execute(f"SET TimeZone = '{SESSION_ZONE}'")  # a session zone's date is not the UTC date
        stage_file(con, path, path.name, "parquet")
        options = ParseOptions(upload_day=UPLOAD_DAY, raw_types=raw_column_types(con))
        sql, params = parse_statement("usage", COLMAP, [f"c{i}" for i in range(4)], options)
        params.update({f"h{i}": h for i, h in enumerate(HEADERS)})
        con.execute(sql, params)
        return con.execute("SELECT * FROM _parsed ORDER BY _line").fetchall(), options.raw_types
    finally:
        con.close()


def _day_text(day: dt.date | None, time: dt.time, zone: str, date_type: str) -> str | None:
    if day is None:
        return None
    if date_type == "DATE":
        return day.isoformat()
    if date_type == "TIMESTAMPTZ":  # before 1901 the session zone's offset has seconds (LMT), which
        day = max(day, dt.date(1901, 1, 1))  # the text path does not read as a zone (refused either way)
    stamp = f"{day.isoformat()} {time.isoformat()}"
    return stamp + zone if date_type == "TIMESTAMPTZ" else stamp


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(dates, times, zones, values), min_size=1, max_size=12),
       date_type=st.sampled_from(DATE_TYPES), value_type=st.sampled_from(VALUE_TYPES))
def test_a_typed_file_parses_as_its_text_copy(tmp_path_factory, rows, date_type, value_type):
    folder = tmp_path_factory.mktemp("typed")
    file_rows = [(f"ACC-{i % 3}", _day_text(day, time, zone, date_type),
                  _value_literal(value, value_type), None if i % 4 == 0 else f"u{i}")
                 for i, (day, time, zone, value) in enumerate(rows)]
    typed, text = write_pair(folder, file_rows, date_type, value_type)
    typed_rows, typed_types = parsed(typed)
    text_rows, text_types = parsed(text)
    assert set(text_types.values()) <= {"VARCHAR", "BIGINT"}
    assert typed_types["c1"] != "VARCHAR"
    assert typed_rows == text_rows


@pytest.mark.parametrize("date_type,value_type", [("DATE", "DOUBLE"), ("TIMESTAMPTZ", "DECIMAL(38,9)")])
def test_typed_and_text_uploads_store_and_quarantine_the_same(tmp_path, date_type, value_type):
    rows = [("ACC-1", "2025-03-01", "2.5", "u1"), ("ACC-1", "2025-03-01", "1.5", "u1"),
            ("ACC-2", "2025-03-02", "-1", None), ("ACC-2", None, "3", "u2"),
            ("ACC-3", "2025-03-03", "nan", "u3"), ("ACC-3", "1850-01-01", "4", "u3"),
            ("ACC-4", "2999-01-01", "4", "u4"), (None, "2025-03-04", "1", "u5"),
            ("ACC-5", "2025-03-05", None, "u5")]
    if date_type == "TIMESTAMPTZ":
        rows = [(a, d and f"{d} 23:30:00-02:00", v, u) for a, d, v, u in rows]
    con = scratch_connection()
    workspace_zone = con.execute("SELECT current_setting('TimeZone')").fetchone()[0]  # as a workspace's
    con.close()
    typed, text = write_pair(tmp_path, rows, date_type, value_type, zone=workspace_zone)
    stored = {}
    for name, path in (("typed", typed), ("text", text)):
        ws_path = tmp_path / f"{name}.duckdb"
        ws = open_workspace(ws_path)
        try:
            result = ingest_file(ws, "usage", path, file_name="usage.parquet")
            stored[name] = (
                ws.query("SELECT account_id, event_date, metric, value, user_id FROM usage ORDER BY ALL"),
                result.quarantined[["line", "column", "reason"]].sort_values("line").reset_index(drop=True),
                (result.rows_read, result.rows_accepted, result.rows_quarantined), result.notes)
        finally:
            close_workspace(ws_path)
    (typed_usage, typed_bad, typed_counts, typed_notes) = stored["typed"]
    (text_usage, text_bad, text_counts, text_notes) = stored["text"]
    assert typed_usage.equals(text_usage)
    assert typed_bad.equals(text_bad)
    # a DECIMAL cannot hold NaN: that row's value is empty there, so read as 1 and accepted
    assert typed_counts == text_counts == ((9, 3, 6) if value_type == "DOUBLE" else (9, 4, 5))
    assert typed_notes == text_notes
    next_day = "2025-03-02" if date_type == "TIMESTAMPTZ" else "2025-03-01"
    assert str(typed_usage["event_date"].iloc[0])[:10] == next_day  # 23:30 at -02:00 is the next day in UTC
    assert typed_usage["value"].iloc[0] == 4.0
    assert decimal.Decimal(str(typed_usage["value"].iloc[0])) == 4


def test_a_parquet_is_read_in_place_whatever_its_path_and_column_names(tmp_path):
    """The Parquet view (readers/staging.py) takes the path as a value, never as SQL text, and a
    file with its own `file_row_number` column is copied instead (the view's line numbers use
    DuckDB's column of that name); both load with their line numbers."""
    folder = tmp_path / "it's; DROP TABLE usage; --"
    folder.mkdir()
    plain, clashing = folder / "plain's.parquet", folder / "clash.parquet"
    pd.DataFrame({"account_id": ["A", "A"], "event_date": [dt.date(2025, 1, 2)] * 2,
                  "value": [3.0, -1.0]}).to_parquet(plain)
    pd.DataFrame({"file_row_number": [7, 8], "account_id": ["B", "B"],
                  "event_date": [dt.date(2025, 1, 3), None], "value": [2.0, 1.0]}).to_parquet(clashing)
    ws_path = tmp_path / "w.duckdb"
    ws = open_workspace(ws_path)
    try:
        first = ingest_file(ws, "usage", plain)
        assert (first.rows_read, first.rows_quarantined) == (2, 1)
        assert first.quarantined[["line", "reason"]].values.tolist() == [[3, "negative value: -1.0"]]
        second = ingest_file(ws, "usage", clashing, mode="append")
        assert (second.rows_read, second.rows_accepted) == (2, 1)
        assert second.quarantined["line"].tolist() == [3]
        assert ws.scalar("SELECT count(*) FROM usage") == 2
    finally:
        close_workspace(ws_path)
