"""Staging CSV and TSV files: DuckDB's sniffer, rejected rows and stray quotes quarantined."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.readers.source import FORMAT_NAMES, SNIFF_BYTES, looks_binary
from cs_analytics.ingest.readers.staged import MAX_BAD_SHARE, StagedFile, first_line


def stage_csv(cur, path: Path, file_name: str, fmt: str, encoding: str, head: bytes) -> StagedFile:
    if not head:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    if not head.strip(b"\xef\xbb\xbf \r\n\t"):
        raise IngestRefused(f"{file_name} is empty.")
    if looks_binary(head):
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
        raise IngestRefused(f"{file_name} could not be read as {FORMAT_NAMES[fmt]}: {first_line(exc)}.") from None
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
