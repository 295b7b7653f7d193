"""Staging a file on a DuckDB cursor (`_raw`, `_bad`, `_nested`) and reading one for previews."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cs_analytics.core.db import finish_pending_result, scratch_connection
from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.readers.delimited import stage_csv
from cs_analytics.ingest.readers.excel_json import read_excel, read_jsonl
from cs_analytics.ingest.readers.source import detect_format, inspect_file, materialise, source_name
from cs_analytics.ingest.readers.staged import StagedFile, check_headers, first_line, refuse_duplicate_headers


@dataclass
class RawTable:
    """A file as read: its headers, its rows as text, their line numbers, and the unsplittable rows."""

    file_name: str
    format: str
    headers: list[str]
    frame: pd.DataFrame          # columns = headers, values str or None
    lines: pd.Series             # 1-based file line of each row of `frame`
    bad_rows: pd.DataFrame       # line, reason, raw
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.bad_rows)


def stage_file(cur: duckdb.DuckDBPyConnection, path: Path, file_name: str, fmt: str,
               sheet: str | None = None, encoding: str | None = None) -> StagedFile:
    """Create `_raw` and `_bad` on `cur` from the file (see the module docstring)."""
    cur.execute("CREATE OR REPLACE TEMP TABLE _bad (line BIGINT, reason VARCHAR, raw VARCHAR)")
    cur.execute("CREATE OR REPLACE TEMP TABLE _nested (line BIGINT, col VARCHAR)")
    if fmt in ("csv", "tsv"):
        if encoding is None:
            encoding = inspect_file(path).encoding
        staged = stage_csv(cur, path, file_name, fmt, encoding, b"")
    elif fmt == "parquet":
        staged = _stage_parquet(cur, path, file_name)
    elif fmt == "xlsx":
        staged = _stage_frame(cur, *read_excel(path, file_name, sheet), fmt="xlsx")
    elif fmt == "jsonl":
        frame, lines, bad, notes, nested = read_jsonl(path, file_name)
        staged = _stage_frame(cur, frame, lines, bad, notes, fmt="jsonl", nested=nested)
    else:
        raise IngestRefused(f"{file_name}: unsupported format {fmt!r}; use CSV, TSV, Parquet, XLSX or JSON lines.")
    check_headers(staged.headers, file_name)
    refuse_duplicate_headers(staged.headers, file_name)
    if staged.rows + staged.bad_rows == 0 and not staged.headers:
        raise IngestRefused(f"{file_name} is empty.")
    return staged


def _stage_parquet(cur, path: Path, file_name: str) -> StagedFile:
    """`_raw` as a view over the file (read where it is, not copied: a 100M-row Parquet is read
    twice, by the insert and by the quarantine, faster than it is copied once); `_line` = the
    row's position in the file + 2, as if the file had a header line."""
    try:
        finish_pending_result(cur)
        try:
            headers = cur.read_parquet(str(path)).columns
        except RuntimeError:  # column names the Python layer cannot decode: SQL reads (or refuses) them
            return _copy_parquet(cur, path, file_name)
        if "file_row_number" in headers:  # the file has its own column of that name: copy it instead
            return _copy_parquet(cur, path, file_name)
        relation = cur.read_parquet(str(path), file_row_number=True)  # that column comes last
        relation.create_view("_raw_file", replace=True)
        cols = ", ".join(f"#{i + 1} AS c{i}" for i in range(len(headers)))
        cur.execute(f"CREATE OR REPLACE TEMP VIEW _raw AS SELECT file_row_number + 2 AS _line, {cols} FROM _raw_file")
        # every value decoded once now (3 s at 100M rows), so a corrupt page is a refusal here, not
        # an error in the middle of the load
        decoded = ", ".join(f"max(hash(c{i}))" for i in range(len(headers)))
        cur.execute(f"SELECT count(*), {decoded} FROM _raw").fetchall()
        rows = int(cur.execute("SELECT count(*) FROM _raw").fetchone()[0])
    except duckdb.Error as exc:
        reason = first_line(exc).replace(str(path), file_name)  # an upload's temporary copy: the user's name
        raise IngestRefused(f"{file_name} could not be read as Parquet: {reason}.") from None
    return StagedFile(headers=headers, format="parquet", rows=rows, bad_rows=0)


def _copy_parquet(cur, path: Path, file_name: str) -> StagedFile:
    params = {"path": str(path)}
    headers = [row[0] for row in cur.execute("DESCRIBE SELECT * FROM read_parquet($path)", params).fetchall()]
    cols = ", ".join(f"#{i + 1} AS c{i}" for i in range(len(headers)))
    cur.execute(f"CREATE OR REPLACE TEMP TABLE _raw AS SELECT ordinality + 1 AS _line, {cols} "
                "FROM read_parquet($path) WITH ORDINALITY", params)
    rows = int(cur.execute("SELECT count(*) FROM _raw").fetchone()[0])
    return StagedFile(headers=headers, format="parquet", rows=rows, bad_rows=0)


def _stage_frame(cur, frame: pd.DataFrame, lines: list[int], bad: list[tuple[int, str, str]],
                 notes: list[str], fmt: str, nested: list[tuple[int, str]] | None = None) -> StagedFile:
    headers = [str(c) for c in frame.columns]
    data = pd.DataFrame({f"c{i}": frame.iloc[:, i].to_numpy(dtype=object) for i in range(len(headers))})
    data.insert(0, "_line", pd.Series(lines, dtype="int64").to_numpy())
    for i in range(len(headers)):
        data[f"c{i}"] = data[f"c{i}"].astype("string")
    cur.register("_frame_in", data)
    try:
        cur.execute("CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM _frame_in")
    finally:
        cur.unregister("_frame_in")
    if bad:
        cur.executemany("INSERT INTO _bad VALUES (?, ?, ?)", [list(b) for b in bad])
    nested_rows = [(line, f"c{headers.index(header)}") for line, header in (nested or [])]
    if nested_rows:
        cur.executemany("INSERT INTO _nested VALUES (?, ?)", [list(n) for n in nested_rows])
    return StagedFile(headers=headers, format=fmt, rows=len(data), bad_rows=len(bad), notes=notes,
                      nested_cols=sorted({col for _, col in nested_rows}))


def read_table_file(source: Any, file_name: str | None = None, sheet: str | None = None,
                    limit: int | None = None) -> RawTable:
    """Read a file (path, bytes or upload) into a RawTable of text; `limit` keeps the first rows."""
    file_name = file_name or source_name(source)
    with materialise(source, file_name) as local:
        fmt = detect_format(local.path, file_name)
        con = scratch_connection()
        try:
            staged = stage_file(con, local.path, file_name, fmt, sheet=sheet,
                                encoding=local.encoding if fmt in ("csv", "tsv") else None)
            sql = "SELECT * FROM _raw ORDER BY _line"
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            data = con.execute(sql).df()
            bad = con.execute("SELECT line, reason, raw FROM _bad ORDER BY line").df()
        finally:
            con.close()
    lines = data.pop("_line").astype("int64")
    frame = data.astype(object).where(data.notna(), None)
    frame.columns = staged.headers
    return RawTable(file_name=file_name, format=fmt, headers=staged.headers, frame=frame,
                    lines=lines, bad_rows=bad, notes=staged.notes)
