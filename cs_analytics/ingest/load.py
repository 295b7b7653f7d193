"""Data in, honestly: a user's table (a file or a frame) becomes canonical rows, or a clear refusal.

- `ingest_dataframe(ws, table, frame, ...)`: a frame with canonical column names.
- `ingest_file(ws, table, source, ...)`: a CSV/TSV/Parquet/XLSX/JSONL file, mapped by header.

Both validate every row (cs_analytics/validation.py, in DuckDB SQL), quarantine the bad ones with
their line, column, reason and the row as read, load the rest, log the upload and rebuild the
derived tables, all in ONE transaction: a refusal or a failure leaves the previous data in place.
Mode `replace` swaps the table's previous rows (and their quarantine) for the new ones; `append`
adds. The `flags` table is never touched.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from cs_analytics.core import derived
from cs_analytics.core.db import finish_pending_result, load_sql
from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.facts import usage_insert_statement
from cs_analytics.ingest.typed_columns import raw_column_types
from cs_analytics.ingest import readers
from cs_analytics.ingest.log import now_utc, record_refusal
from cs_analytics.ingest.mapping import (
    Mapping, map_headers, missing_required, parse_mapping, refusal_for_missing,
)
from cs_analytics.core.tables import TABLES, quote_identifier
from cs_analytics.ingest.validation import (
    DATE_KINDS, ParseOptions, insert_statement, parse_select,
)
from cs_analytics.ingest.column_evidence import decide_date_order, detect_sentiment_scale

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

__all__ = ["IngestRefused", "IngestResult", "ingest_dataframe", "ingest_file", "MODES"]

MODES = ("replace", "append")
Progress = Callable[[float, str], None]
TEMP_TABLES = ("_parsed", "_raw", "_raw_file", "_bad", "_nested", "_rej", "_rej_scan")
STREAMED_TABLES = {"usage"}


@dataclass
class IngestResult:
    """What one upload did."""

    table: str
    file_name: str
    upload_id: int
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    notes: list[str] = field(default_factory=list)
    quarantined: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "column", "reason", "raw"]))
    mode: str = "replace"
    rows_stored: int = 0  # rows written to the table: for usage, the daily facts (ingest/facts.py)


# -- public entry points -----------------------------------------------------------------------

def ingest_dataframe(ws: "Workspace", table: str, frame: pd.DataFrame, *, file_name: str,
                     mode: str = "replace", user: str | None = None, size_bytes: int | None = None,
                     sha256: str | None = None, mapping_note: str | None = None,
                     rebuild_derived: bool = True, progress: Progress | None = None,
                     date_order: str | None = None, amounts_converted: bool = False) -> IngestResult:
    """Validate and load `frame` (canonical column names; optional `_line`) into `table`.

    Values may be text or already typed. Extra columns become account attributes (accounts) or
    are ignored with a note. Raises IngestRefused (nothing written but the refusal log) when the
    table, the mode or a required column is wrong, or the amounts mix currencies.
    """
    _check_table_mode(table, mode)
    headers = [str(c) for c in frame.columns if c != "_line"]
    positions = [i for i, c in enumerate(frame.columns) if c != "_line"]
    colmap: dict[str, str] = {}
    extras: list[tuple[str, str]] = []
    for n, (header, pos) in enumerate(zip(headers, positions)):
        raw_col = f"c{n}"
        if header in TABLES[table].column_names and header not in colmap:
            colmap[header] = raw_col
        else:
            extras.append((header, raw_col))
    try:
        _require_columns(table, list(colmap), headers, file_name)
    except IngestRefused as exc:
        record_refusal(ws, table, file_name, mode, user, size_bytes, sha256, str(exc))
        raise
    raw = pd.DataFrame({f"c{n}": _duckdb_safe(frame.iloc[:, pos]).to_numpy()
                        for n, pos in enumerate(positions)})
    if "_line" in frame.columns:
        raw.insert(0, "_line", pd.to_numeric(frame["_line"]).astype("int64").to_numpy())
    else:
        raw.insert(0, "_line", np.arange(2, len(frame) + 2, dtype="int64"))

    def stage(cur) -> list[str]:
        cur.register("_frame_in", raw)
        try:
            cur.execute("CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM _frame_in")
        finally:
            cur.unregister("_frame_in")
        return []

    notes = [mapping_note] if mapping_note else []
    return _ingest_staged(
        ws, table, stage, headers=headers, colmap=colmap, extras=extras, file_name=file_name,
        mode=mode, user=user, size_bytes=size_bytes, sha256=sha256, notes=notes,
        rebuild_derived=rebuild_derived, progress=progress, date_order=date_order,
        amounts_converted=amounts_converted,
    )


def ingest_file(ws: "Workspace", table: str, source: Any, *, file_name: str | None = None,
                mapping: "Mapping | dict | str | None" = None, mode: str = "replace",
                user: str | None = None, progress: Progress | None = None, sheet: str | None = None,
                rebuild_derived: bool = True) -> IngestResult:
    """Read, map, validate and load one file into `table`.

    `source`: a path, bytes, or a file-like object (e.g. a Streamlit upload). `mapping`: a
    `Mapping`, or overrides {source header: canonical column, "date_order": "dmy"|"mdy",
    "amounts_converted": true} (dict, JSON text or a JSON file path). Raises IngestRefused with
    one sentence when the file cannot be loaded at all; the workspace keeps its previous data.
    """
    file_name = file_name or readers.source_name(source)
    size_bytes = sha = None
    try:
        _check_table_mode(table, mode)
        _report(progress, 0.02, f"Reading {file_name}")
        with readers.materialise(source, file_name) as local:
            size_bytes, sha = local.size_bytes, local.sha256
            fmt = readers.detect_format(local.path, file_name)
            staged_info: dict = {}

            def stage(cur) -> list[str]:
                staged = readers.stage_file(cur, local.path, file_name, fmt, sheet=sheet,
                                            encoding=local.encoding)
                staged_info["staged"] = staged
                chosen = _resolve_mapping(staged.headers, table, mapping, file_name)
                staged_info["mapping"] = chosen
                colmap, extras = {}, []
                for i, header in enumerate(staged.headers):
                    target = chosen.columns.get(header)
                    if target:
                        colmap[target] = f"c{i}"
                    else:
                        extras.append((header, f"c{i}"))
                staged_info["colmap"], staged_info["extras"] = colmap, extras
                return staged.notes + chosen.notes

            return _ingest_staged(
                ws, table, stage, headers=None, colmap=None, extras=None, file_name=file_name,
                mode=mode, user=user, size_bytes=size_bytes, sha256=sha, notes=[],
                rebuild_derived=rebuild_derived, progress=progress, date_order=None,
                amounts_converted=False, staged_info=staged_info,
            )
    except IngestRefused as exc:
        record_refusal(ws, table if table in TABLES else None, file_name, mode, user, size_bytes, sha, str(exc))
        raise


# -- the core ------------------------------------------------------------------------------------

def _ingest_staged(ws, table, stage, *, headers, colmap, extras, file_name, mode, user,
                   size_bytes, sha256, notes, rebuild_derived, progress, date_order,
                   amounts_converted, staged_info: dict | None = None) -> IngestResult:
    notes = list(notes)
    try:
        with ws.transaction() as cur:
            try:
                _report(progress, 0.1, f"Staging {file_name}")
                notes += stage(cur)
                if staged_info is not None:  # a file: headers and mapping come from the reader
                    headers = staged_info["staged"].headers
                    colmap, extras = staged_info["colmap"], staged_info["extras"]
                    chosen = staged_info["mapping"]
                    date_order, amounts_converted = chosen.date_order, chosen.amounts_converted
                nested_cols = set(staged_info["staged"].nested_cols) if staged_info is not None else set()
                result = _load(cur, table, headers=headers, colmap=colmap, extras=extras,
                               file_name=file_name, mode=mode, user=user, size_bytes=size_bytes,
                               sha256=sha256, notes=notes, date_order=date_order,
                               amounts_converted=amounts_converted, progress=progress,
                               has_bad=staged_info is not None, nested_cols=nested_cols)
                if rebuild_derived:
                    _report(progress, 0.85, "Rebuilding derived tables")
                    derived.rebuild(cur, usage_changed=table == "usage",
                                    usage_unique=table == "usage" and mode == "replace")
            finally:
                _drop_staging(cur)
    except IngestRefused as exc:
        if staged_info is None:
            record_refusal(ws, table, file_name, mode, user, size_bytes, sha256, str(exc))
        raise
    result.quarantined = ws.query(load_sql("ingest/upload_quarantine"), {"upload_id": result.upload_id})
    _report(progress, 1.0, f"Loaded {result.rows_accepted:,} rows, quarantined {result.rows_quarantined:,}")
    return result


def _load(cur, table, *, headers, colmap, extras, file_name, mode, user, size_bytes, sha256,
          notes, date_order, amounts_converted, progress, has_bad, nested_cols=frozenset()) -> IngestResult:
    spec = TABLES[table]
    upload_id = int(cur.execute("SELECT nextval('upload_id_seq')").fetchone()[0])
    options = ParseOptions(mode=mode, upload_id=upload_id, nested_cols=set(nested_cols),
                           raw_types=raw_column_types(cur))
    _report(progress, 0.2, "Checking column formats")
    for col in colmap:
        kind = spec.column(col).kind
        if options.reading(kind, colmap[col]):  # stored typed: no text to read a format from
            continue
        if kind in DATE_KINDS:
            options.date_orders[col] = decide_date_order(cur, col, colmap[col], date_order, notes, file_name)
        elif kind == "sentiment":
            scale, numeric = detect_sentiment_scale(cur, colmap[col])
            options.sentiment_scale = scale
            if numeric:
                notes.append(f"Numeric sentiment read on a {scale} scale.")
    if extras and table != "accounts":
        columns = "column" if len(extras) == 1 else "columns"
        notes.append(f"Ignored {columns} not in the {table} table: {', '.join(h for h, _ in extras)}.")
    raw_cols = [f"c{i}" for i in range(len(headers))]
    sql, params = parse_select(table, colmap, raw_cols, options)
    params.update({f"h{i}": h for i, h in enumerate(headers)})
    _report(progress, 0.35, "Validating rows")
    parsed = _stage_parsed(cur, table, sql, params)  # noqa: F841 - a view's relation, kept alive
    if table == "contracts" and not amounts_converted:
        _check_currencies(cur, file_name, mode)

    _report(progress, 0.55, "Loading accepted rows")
    if mode == "replace":
        cur.execute("DELETE FROM quarantine WHERE table_name = ?", [table])
        if table == "accounts":
            cur.execute("DELETE FROM account_attributes")
        cur.execute(f"DELETE FROM {quote_identifier(table)}")
    elif table == "accounts":  # append: an account known only implicitly gets its real row
        accepted_ids = "SELECT p_account_id FROM _parsed WHERE _reason IS NULL"
        cur.execute(f"DELETE FROM account_attributes WHERE account_id IN ({accepted_ids})")
        cur.execute(f"DELETE FROM accounts WHERE implicit AND account_id IN ({accepted_ids})")
    insert_sql = usage_insert_statement() if table == "usage" else insert_statement(table)
    rows_stored = int(cur.execute(insert_sql, {"upload_id": upload_id} if "$upload_id" in insert_sql
                                  else {}).fetchone()[0])
    if table == "accounts":
        for header, raw_col in extras:
            cur.execute(
                f"INSERT INTO account_attributes (account_id, name, value) "
                f"SELECT p.p_account_id, $name, NULLIF(trim(CAST(r.{raw_col} AS VARCHAR)), '') "
                f"FROM _parsed p JOIN _raw r USING (_line) "
                f"WHERE p._reason IS NULL AND NULLIF(trim(CAST(r.{raw_col} AS VARCHAR)), '') IS NOT NULL",
                {"name": header})
    qparams = {"upload_id": upload_id, "table": table, "file": file_name}
    quarantined = int(cur.execute(load_sql("ingest/quarantine_refused_rows"), qparams).fetchone()[0])
    bad = 0
    if has_bad:
        bad = int(cur.execute("SELECT count(*) FROM _bad").fetchone()[0])
        if bad:
            cur.execute(load_sql("ingest/quarantine_unsplittable_rows"), qparams)
    rows_read = int(cur.execute("SELECT count(*) FROM _raw").fetchone()[0]) + bad  # one parsed row each
    rows_quarantined = quarantined + bad
    rows_accepted = rows_read - rows_quarantined
    if mode == "replace" and rows_accepted == 0:
        _refuse_empty_replace(cur, table, file_name, rows_read, rows_quarantined, has_bad)
    cur.execute(load_sql("ingest/log_upload"), {
        "upload_id": upload_id, "file_name": file_name, "size_bytes": size_bytes, "sha256": sha256,
        "table": table, "rows_read": rows_read, "rows_accepted": rows_accepted,
        "rows_quarantined": rows_quarantined, "mode": mode, "user": user, "uploaded_at": now_utc(),
        "message": " ".join(notes) or None})
    return IngestResult(table=table, file_name=file_name, upload_id=upload_id, rows_read=rows_read,
                        rows_accepted=rows_accepted, rows_quarantined=rows_quarantined,
                        notes=notes, mode=mode, rows_stored=rows_stored)


# -- helpers -------------------------------------------------------------------------------------

def _stage_parsed(cur, table: str, sql: str, params: dict):
    """`_parsed` (validation.parse_select over `_raw`): for usage a view, evaluated by the two
    statements that read it (the insert of the accepted rows, the quarantine of the refused ones),
    because its rows are too many to keep (issue 14: 100M rows parse twice faster than they are
    stored once); for the other tables a temp table, read by more statements. Returns the view's
    relation, which the caller keeps until the load ends."""
    if table in STREAMED_TABLES:
        finish_pending_result(cur)
        relation = cur.sql(sql, params=params)
        relation.create_view("_parsed", replace=True)
        return relation
    cur.execute("CREATE OR REPLACE TEMP TABLE _parsed AS\n" + sql, params)
    return None


def _drop_staging(cur) -> None:
    """Drop the staging tables and views of a load (the transaction may already be aborted)."""
    try:
        views = {row[0] for row in cur.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    except Exception:  # noqa: BLE001 - an aborted transaction: its objects go with the rollback
        return
    for name in TEMP_TABLES:
        try:
            cur.execute(f"DROP {'VIEW' if name in views else 'TABLE'} IF EXISTS {name}")
        except Exception:  # noqa: BLE001 - the transaction may already be aborted
            pass


def _refuse_empty_replace(cur, table: str, file_name: str, rows_read: int, rows_quarantined: int,
                          has_bad: bool) -> None:
    """A replace that accepts no row would empty the table: refuse it (the transaction rolls back)."""
    keep = f"the {table} table keeps its previous rows (to empty it, use clear)"
    if rows_read == 0:
        raise IngestRefused(f"{file_name} has a header but no data rows, so the replace was refused and {keep}.")
    bad_rows = " UNION ALL SELECT line, reason FROM _bad" if has_bad else ""
    first = cur.execute("SELECT _line, _reason FROM _parsed WHERE _reason IS NOT NULL"
                        f"{bad_rows} ORDER BY 1 LIMIT 1").fetchone()
    example = f"; line {first[0]}: {first[1]}" if first else ""
    raise IngestRefused(
        f"{file_name}: none of its {rows_read:,} rows was accepted ({rows_quarantined:,} would be quarantined"
        f"{example}), so the replace was refused and {keep}.")


def _check_currencies(cur, file_name: str, mode: str) -> None:
    existing = "UNION SELECT upper(currency) FROM contracts WHERE currency IS NOT NULL" if mode == "append" else ""
    found = [row[0] for row in cur.execute(
        f"SELECT DISTINCT c FROM (SELECT upper(p_currency) AS c FROM _parsed "
        f"WHERE _reason IS NULL AND p_currency IS NOT NULL {existing}) ORDER BY c").fetchall()]
    if len(found) > 1:
        shown = ", ".join(found[:6]) + (", ..." if len(found) > 6 else "")
        where = "with the contracts already loaded " if mode == "append" else ""
        raise IngestRefused(
            f"{file_name} {where}mixes {len(found)} currencies ({shown}); convert the amounts to one "
            "currency first, or state that they are already converted (amounts_converted in the mapping).")


def _require_columns(table: str, present: list[str], headers: list[str], file_name: str) -> None:
    missing = missing_required(table, present)
    if missing:
        raise refusal_for_missing(file_name, table, missing[0], headers)


def _resolve_mapping(headers, table, mapping, file_name) -> Mapping:
    if isinstance(mapping, Mapping):
        chosen = mapping
        if chosen.table != table:
            chosen = map_headers(headers, table, overrides=mapping.columns)
    else:
        overrides = parse_mapping(mapping) if mapping is not None else {}
        chosen = map_headers(headers, table, overrides=overrides)
    chosen.check(file_name)
    return chosen


def _check_table_mode(table: str, mode: str) -> None:
    if table not in TABLES:
        raise IngestRefused(f"Unknown table {table!r}; choose one of {', '.join(TABLES)}.")
    if mode not in MODES:
        raise IngestRefused(f"Unknown mode {mode!r}; choose replace or append.")


def _duckdb_safe(series: pd.Series) -> pd.Series:
    """Object columns of mixed Python types become text, so DuckDB can scan them."""
    if series.dtype == object:
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if kind not in ("string", "empty", "date", "datetime"):
            return series.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    return series


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(fraction, message)
