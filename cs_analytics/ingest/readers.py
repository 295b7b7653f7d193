"""Reading a user's file into a staging table of text columns with line numbers, or refusing it.

Formats: CSV (delimiter sniffed by DuckDB, quoted fields, UTF-8 with or without BOM, Latin-1
fallback), TSV, Parquet, Excel .xlsx (first sheet unless chosen), JSON lines (or a JSON array of
objects). `stage_file(cur, ...)` creates, on a DuckDB cursor, the temp tables

- `_raw`: `_line` (1-based file line; header = line 1; row number + 1 for Parquet/Excel) and the
  file's columns as `c0, c1, ...` in file order (headers are kept apart, never spliced into SQL);
- `_bad`: `line, reason, raw` for rows that could not be split into the header's fields (ragged
  rows, malformed JSON lines); they are quarantined, never dropped.

`read_table_file` does the same on a private in-memory DuckDB and returns a `RawTable` (for
previews and tests). A file that cannot be read at all raises `IngestRefused` with one sentence.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.db import scratch_connection
from cs_analytics.ingest.errors import IngestRefused

FORMATS = ("csv", "tsv", "parquet", "xlsx", "jsonl")
EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}
FORMAT_NAMES = {"csv": "CSV", "tsv": "TSV", "parquet": "Parquet", "xlsx": "Excel .xlsx", "jsonl": "JSON lines"}


def article(noun: str) -> str:
    """'a Parquet', 'an Excel .xlsx'."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


UPLOAD_TYPES = ["csv", "tsv", "txt", "parquet", "xlsx", "jsonl", "ndjson", "json"]
SNIFF_BYTES = 64 * 1024
# A read where most rows do not fit the header is a misread file, not a file with a few bad rows.
MAX_BAD_SHARE = 0.5


@dataclass
class LocalFile:
    """A source as a local file, with what the upload log records."""

    path: Path
    size_bytes: int
    sha256: str
    encoding: str            # 'utf-8' or 'latin-1' (text files)
    head: bytes


@dataclass
class StagedFile:
    headers: list[str]
    format: str
    rows: int
    bad_rows: int
    notes: list[str] = field(default_factory=list)
    nested_cols: list[str] = field(default_factory=list)   # raw columns (c3) holding a nested JSON value


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


# -- the source as a local file --------------------------------------------------------------------

def source_name(source: Any) -> str:
    """A display name for a path, an upload (its .name) or bytes."""
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    return str(getattr(source, "name", None) or "upload")


@contextmanager
def materialise(source: Any, file_name: str) -> Iterator[LocalFile]:
    """`source` (path, bytes or file-like) as a local file, with size, sha256 and text encoding.

    Refuses a missing file and one larger than config.MAX_UPLOAD_BYTES.
    """
    limit = config.MAX_UPLOAD_BYTES
    temp_dir = None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise IngestRefused(f"{file_name} was not found.")
        size = path.stat().st_size
        if size > limit:
            raise _too_big(file_name, size, limit)
    else:
        temp_dir = tempfile.mkdtemp(prefix="cs_upload_")
        path = Path(temp_dir) / ("upload" + Path(file_name).suffix.lower()[:12])
        data = source.getvalue() if hasattr(source, "getvalue") else (
            source.read() if hasattr(source, "read") else bytes(source))
        if isinstance(data, str):
            data = data.encode("utf-8")
        if len(data) > limit:
            shutil.rmtree(temp_dir, ignore_errors=True)
            raise _too_big(file_name, len(data), limit)
        path.write_bytes(data)
    try:
        yield _inspect(path)
    finally:
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)


def _too_big(file_name: str, size: int, limit: int) -> IngestRefused:
    return IngestRefused(
        f"{file_name} is {_human_bytes(size)}, larger than the upload limit of {_human_bytes(limit)} "
        "(set CS_ANALYTICS_MAX_UPLOAD_BYTES to change it).")


def _human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def _inspect(path: Path) -> LocalFile:
    """One pass over the file: size, sha256 and whether it is valid UTF-8."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    head = b""
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            if not head:
                head = chunk[:SNIFF_BYTES]
            size += len(chunk)
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return LocalFile(path=path, size_bytes=size, sha256=digest.hexdigest(),
                     encoding="utf-8" if utf8 else "latin-1", head=head)


def detect_format(path: Path, file_name: str) -> str:
    """The format by content signature (Parquet, zip/xlsx), else by the file name's extension."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    ext = EXTENSIONS.get(Path(file_name).suffix.lower())
    if magic == b"PAR1":
        return "parquet"
    if magic == b"PK\x03\x04":
        return "xlsx"
    if ext in ("parquet", "xlsx"):
        raise IngestRefused(f"{file_name} is not {article(FORMAT_NAMES[ext])} file (its content does not "
                            f"start like one); export it again or choose the right file.")
    if magic[:3] == b"\xd0\xcf\x11":
        raise IngestRefused(f"{file_name} is an old Excel .xls file; save it as .xlsx or CSV first.")
    return ext or "csv"


# -- staging ----------------------------------------------------------------------------------------

def stage_file(cur: duckdb.DuckDBPyConnection, path: Path, file_name: str, fmt: str,
               sheet: str | None = None, encoding: str | None = None) -> StagedFile:
    """Create `_raw` and `_bad` on `cur` from the file (see the module docstring)."""
    cur.execute("CREATE OR REPLACE TEMP TABLE _bad (line BIGINT, reason VARCHAR, raw VARCHAR)")
    cur.execute("CREATE OR REPLACE TEMP TABLE _nested (line BIGINT, col VARCHAR)")
    if fmt in ("csv", "tsv"):
        if encoding is None:
            encoding = _inspect(path).encoding
        staged = _stage_csv(cur, path, file_name, fmt, encoding, b"")
    elif fmt == "parquet":
        staged = _stage_parquet(cur, path, file_name)
    elif fmt == "xlsx":
        staged = _stage_frame(cur, *_read_excel(path, file_name, sheet), fmt="xlsx")
    elif fmt == "jsonl":
        frame, lines, bad, notes, nested = _read_jsonl(path, file_name)
        staged = _stage_frame(cur, frame, lines, bad, notes, fmt="jsonl", nested=nested)
    else:
        raise IngestRefused(f"{file_name}: unsupported format {fmt!r}; use CSV, TSV, Parquet, XLSX or JSON lines.")
    _check_headers(staged.headers, file_name)
    _refuse_duplicate_headers(staged.headers, file_name)
    if staged.rows + staged.bad_rows == 0 and not staged.headers:
        raise IngestRefused(f"{file_name} is empty.")
    return staged


def _refuse_duplicate_headers(headers: list[str], file_name: str) -> None:
    """Two columns with the same header cannot be told apart by a mapping: refuse, naming them."""
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        key = header.strip()
        if key in seen:
            raise IngestRefused(
                f"{file_name} has the header {key!r} twice (columns {seen[key]} and {position}); rename or "
                "remove one so that every column has its own name.")
        seen[key] = position


def _real_csv_headers(headers: list[str], head: bytes, encoding: str) -> list[str]:
    """The header line as written: DuckDB renames a repeated header (`mrr,mrr` -> mrr, mrr_1)."""
    if not any(re.fullmatch(r"(.+)_\d+", h) for h in headers):
        return headers
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    for delimiter in (",", ";", "\t", "|"):
        try:
            row = next(csv.reader([first], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        if len(row) == len(headers):
            return [real.strip() or duck for real, duck in zip(row, headers)]
    return headers


def _check_headers(headers: list[str], file_name: str) -> None:
    if not headers:
        raise IngestRefused(f"{file_name} has no header row.")
    data_like = re.compile(r"^\s*[-+]?[\d.,/:\sTZ-]+\s*$")
    if all(data_like.match(h or "") for h in headers):
        raise IngestRefused(f"{file_name} has no header row: its first line looks like data "
                            f"({', '.join(headers[:5])}).")


def _stage_csv(cur, path: Path, file_name: str, fmt: str, encoding: str, head: bytes) -> StagedFile:
    if not head:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    if not head.strip(b"\xef\xbb\xbf \r\n\t"):
        raise IngestRefused(f"{file_name} is empty.")
    if _looks_binary(head):
        raise IngestRefused(f"{file_name} is not a text {FORMAT_NAMES[fmt]} file (it contains binary data).")
    notes = []
    if encoding != "utf-8":
        notes.append(f"{file_name} is not UTF-8; read it as Latin-1.")
    opts = ["header = true", "all_varchar = true", "store_rejects = true",
            "rejects_table = '_rej'", "rejects_scan = '_rej_scan'", "encoding = $enc"]
    if fmt == "tsv":
        opts.append("delim = '\t'")
    source = f"read_csv($path, {', '.join(opts)})"
    params = {"path": str(path), "enc": encoding}
    try:
        described = cur.execute(f"DESCRIBE SELECT * FROM {source}", params).fetchall()
        headers = _real_csv_headers([row[0] for row in described], head, encoding)
        _check_single_column(headers, head, file_name, fmt)
        cols = ", ".join(f"#{i + 1} AS c{i}" for i in range(len(headers)))
        cur.execute(f"CREATE OR REPLACE TEMP TABLE _raw AS SELECT ordinality + 1 AS _line, {cols} "
                    f"FROM {source} WITH ORDINALITY", params)
    except duckdb.Error as exc:
        raise IngestRefused(f"{file_name} could not be read as {FORMAT_NAMES[fmt]}: {_first_line(exc)}.") from None
    bad = _collect_csv_rejects(cur)
    bad += _quarantine_stray_quotes(cur, headers)
    rows = int(cur.execute("SELECT count(*) FROM _raw").fetchone()[0])
    if bad > 10 and bad > MAX_BAD_SHARE * (rows + bad):
        raise IngestRefused(
            f"{file_name} could not be read as {FORMAT_NAMES[fmt]}: {bad:,} of {rows + bad:,} rows do not "
            f"have the header's {len(headers)} fields (wrong delimiter or a broken file).")
    return StagedFile(headers=headers, format=fmt, rows=rows, bad_rows=bad, notes=notes)


def _quarantine_stray_quotes(cur, headers: list[str]) -> int:
    """Move rows with a stray double quote into `_bad`; returns how many.

    A field that opens a quote and never closes it (`R3,2024-01-03,"login,3`) is read by DuckDB
    with the quote kept (`"login`); so is a field still wrapped in quotes when the sniffer turned
    quoting off. A value with an odd number of `"`, or starting and ending with one, is such a
    misread: the row is quarantined naming the column, never loaded as written.
    """
    if not headers:
        return 0
    conditions = []
    for i in range(len(headers)):
        v = f"c{i}"
        conditions.append(f"WHEN (length({v}) - length(replace({v}, '\"', ''))) % 2 = 1 "
                          f"OR regexp_full_match({v}, '\\s*\".*\"\\s*') THEN {i}")
    which = "CASE " + " ".join(conditions) + " END"
    any_quote = " OR ".join(f"contains(c{i}, '\"')" for i in range(len(headers)))
    cur.execute(f"CREATE OR REPLACE TEMP TABLE _quoted AS SELECT _line, col FROM "
                f"(SELECT _line, {which} AS col FROM _raw WHERE {any_quote}) WHERE col IS NOT NULL")
    count = int(cur.execute("SELECT count(*) FROM _quoted").fetchone()[0])
    if count:
        cases = " ".join(f"WHEN {i} THEN r.c{i}" for i in range(len(headers)))
        names = " ".join(f"WHEN {i} THEN $h{i}" for i in range(len(headers)))
        row_json = "json_object(" + ", ".join(f"$h{i}, r.c{i}" for i in range(len(headers))) + ")"
        cur.execute(
            f"""INSERT INTO _bad
                SELECT r._line, 'stray quote in ' || (CASE q.col {names} END) || ': ' || left(CASE q.col {cases} END, 80),
                       {row_json}
                FROM _raw r JOIN _quoted q USING (_line)""",
            {f"h{i}": h for i, h in enumerate(headers)})
        cur.execute("DELETE FROM _raw WHERE _line IN (SELECT _line FROM _quoted)")
    cur.execute("DROP TABLE IF EXISTS _quoted")
    return count


def _check_single_column(headers: list[str], head: bytes, file_name: str, fmt: str) -> None:
    """DuckDB's sniffer may read a broken file as one wide text column: refuse that honestly."""
    if len(headers) != 1:
        return
    first_line = head.decode("latin-1").splitlines()[0] if head else ""
    if any(d in first_line for d in (",", ";", "\t", "|")):
        raise IngestRefused(
            f"{file_name} could not be split into columns (the delimiter of its first line "
            f"{first_line[:60]!r} was not recognised).")


def _collect_csv_rejects(cur) -> int:
    """Move DuckDB's rejected CSV rows into `_bad` and fix `_line` of the rows after them."""
    try:
        count = int(cur.execute("SELECT count(DISTINCT line) FROM _rej").fetchone()[0])
    except duckdb.Error:
        return 0
    if count == 0:
        return 0
    cur.execute(
        """INSERT INTO _bad
           SELECT line,
                  CASE WHEN any_value(error_type) IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')
                       THEN 'wrong number of fields: ' || regexp_extract(any_value(error_message), 'Found: (\d+)', 1)
                            || ' found, the header has ' || regexp_extract(any_value(error_message), 'Columns: (\d+)', 1)
                       ELSE lower(replace(any_value(error_type), '_', ' ')) || ': ' || any_value(error_message) END,
                  json_object('_line_text', any_value(csv_line))
           FROM _rej GROUP BY line""")
    # Accepted row k sits on line k + 1 + (rejected lines before it); b = accepted rows before reject i.
    cur.execute(
        """CREATE OR REPLACE TEMP TABLE _rej_pos AS
           SELECT line - row_number() OVER (ORDER BY line) - 1 AS before, row_number() OVER (ORDER BY line) AS n
           FROM (SELECT DISTINCT line FROM _bad)""")
    cur.execute(
        """UPDATE _raw SET _line = _raw._line + s.n
           FROM (SELECT r._line AS old_line, max(p.n) AS n FROM _raw r JOIN _rej_pos p ON p.before < r._line - 1
                 GROUP BY r._line) s
           WHERE _raw._line = s.old_line""")
    cur.execute("DROP TABLE IF EXISTS _rej_pos")
    return count


def _stage_parquet(cur, path: Path, file_name: str) -> StagedFile:
    params = {"path": str(path)}
    try:
        headers = [row[0] for row in cur.execute("DESCRIBE SELECT * FROM read_parquet($path)", params).fetchall()]
        cols = ", ".join(f"#{i + 1} AS c{i}" for i in range(len(headers)))
        cur.execute(f"CREATE OR REPLACE TEMP TABLE _raw AS SELECT ordinality + 1 AS _line, {cols} "
                    "FROM read_parquet($path) WITH ORDINALITY", params)
    except duckdb.Error as exc:
        raise IngestRefused(f"{file_name} could not be read as Parquet: {_first_line(exc)}.") from None
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


def _read_excel(path: Path, file_name: str, sheet: str | None):
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a runtime requirement
        raise IngestRefused("Reading Excel files needs the openpyxl package.") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure here means "not a readable workbook"
        raise IngestRefused(f"{file_name} is not a readable Excel .xlsx file ({type(exc).__name__}).") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise IngestRefused(f"{file_name} has no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)}).")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = None
        header_line = 0
        for header_line, row in enumerate(rows, start=1):
            if row and any(v not in (None, "") for v in row):
                header_row = row
                break
        if header_row is None:
            raise IngestRefused(f"{file_name} is empty (sheet {ws.title!r} has no rows).")
        width = max(i + 1 for i, v in enumerate(header_row) if v not in (None, ""))
        headers = [_cell_text(v) or f"column{i + 1}" for i, v in enumerate(header_row[:width])]
        _refuse_duplicate_headers(headers, file_name)
        records, lines, bad = [], [], []
        for line, row in enumerate(rows, start=header_line + 1):
            if row is None or all(v in (None, "") for v in row):
                continue
            extra = [v for v in row[width:] if v not in (None, "")]
            values = [_cell_text(v) for v in row[:width]]
            if extra:
                bad.append((line, f"wrong number of fields: {width + len(extra)} cells, the header has {width}",
                            json.dumps(dict(zip(headers, values)) | {"_extra": [_cell_text(v) for v in extra]},
                                       ensure_ascii=False)))
                continue
            values += [None] * (width - len(values))
            records.append(values)
            lines.append(line)
    finally:
        book.close()
    notes = [] if sheet is None and len(book.sheetnames) == 1 else [f"Read sheet {ws.title!r}."]
    return pd.DataFrame(records, columns=headers, dtype=object), lines, bad, notes


def _cell_text(value: Any) -> str | None:
    """An Excel cell as text: dates ISO, whole numbers without '.0'."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_jsonl(path: Path, file_name: str):
    local = _inspect(path)
    if _looks_binary(local.head):
        raise IngestRefused(f"{file_name} is not a text JSON lines file (it contains binary data).")
    text = path.read_bytes().decode(local.encoding).lstrip("\ufeff")
    if not text.strip():
        raise IngestRefused(f"{file_name} is empty.")
    records: list[dict] = []
    lines: list[int] = []
    bad: list[tuple[int, str, str]] = []
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped, object_pairs_hook=_no_repeated_keys)
        except json.JSONDecodeError as exc:
            raise IngestRefused(f"{file_name} is not valid JSON ({exc.msg} on line {exc.lineno}).") from None
        except _RepeatedKey as exc:
            raise IngestRefused(f"{file_name} has an object with the key {exc.args[0]!r} twice; "
                                "keep one value per key.") from None
        pairs = list(enumerate(items, start=1))
    else:
        pairs = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                pairs.append((number, json.loads(line, object_pairs_hook=_no_repeated_keys)))
            except json.JSONDecodeError as exc:
                bad.append((number, f"not valid JSON: {exc.msg}", json.dumps({"_line_text": line[:2000]})))
            except _RepeatedKey as exc:
                bad.append((number, f"the key {exc.args[0]!r} appears twice in this object",
                            json.dumps({"_line_text": line[:2000]})))
    for number, item in pairs:
        if isinstance(item, dict):
            records.append(item)
            lines.append(number)
        else:
            bad.append((number, "not a JSON object", json.dumps({"_line_text": json.dumps(item)[:2000]})))
    if not records:
        raise IngestRefused(f"{file_name} could not be read as JSON lines: no line is a JSON object.")
    headers: dict[str, None] = {}
    for rec in records:
        for key in rec:
            headers.setdefault(str(key), None)
    cols = list(headers)
    rows = [[_json_text(rec.get(c)) for c in cols] for rec in records]
    # A nested value is kept as JSON text; where it feeds a mapped column the row is quarantined.
    nested = [(line, c) for rec, line in zip(records, lines) for c in cols if isinstance(rec.get(c), (dict, list))]
    return pd.DataFrame(rows, columns=cols, dtype=object), lines, bad, [], nested


class _RepeatedKey(ValueError):
    """A JSON object with a key twice: json.loads would keep the last value silently."""


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict:
    found: dict = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters: not a text file."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > max(4, len(head) // 100)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^[A-Za-z ]*Error:\s*", "", text)
    return text.rstrip(".")[:200]


# -- reading for previews and tests -----------------------------------------------------------------

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


def to_bytes_io(data: bytes, name: str) -> io.BytesIO:
    """A named in-memory file, like a Streamlit upload (tests, the page)."""
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer
