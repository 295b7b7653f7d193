"""Data page: upload files (mapped, validated, quarantined honestly), load the demo, see the log.

Thin: reading, mapping, validation and loading live in cs_analytics.ingest (readers, mapping, load, log, clear, preview).
Files come from the uploader, plus (for tests and scripted use) `st.session_state["data_page_files"]`,
a list of (file name, bytes).
"""
from __future__ import annotations

import hashlib
import io

import pandas as pd
import streamlit as st

from cs_analytics.demo.build import write_demo
from cs_analytics.ingest.clear import clear_table
from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.load import ingest_file
from cs_analytics.ingest.log import log_refusal, quarantine_rows, upload_history
from cs_analytics.ingest.preview import preview
from cs_analytics.ingest.mapping import guess_table, map_headers
from cs_analytics.ingest.readers import UPLOAD_TYPES
from cs_analytics.core.formatting import blank_missing
from cs_analytics.core.tables import TABLES
from ui.common import download_csv, get_workspace
from ui.identity import current_user
from ui.text import md
from ui.workspaces import workspaces_section
from ui.cache import read_upload

EXTRA_FILES_KEY = "data_page_files"
RESULTS_KEY = "data_page_results"
LOGGED_REFUSALS_KEY = "data_page_logged_refusals"
PREVIEW_ROWS = 20
ORDER_LABELS = {"auto": "Detect from the column", "dmy": "Day first (31/03/2024)", "mdy": "Month first (03/31/2024)"}
MODE_LABELS = {"replace": "Replace the table's rows", "append": "Append to the table"}
HISTORY_LABELS = {"upload_id": "Upload", "uploaded_at": "When", "table": "Table", "file": "File", "mode": "Mode",
                  "status": "Status", "rows_read": "Rows read", "rows_accepted": "Accepted",
                  "rows_quarantined": "Quarantined", "size_bytes": "Bytes", "sha256": "SHA-256",
                  "user": "By", "message": "Message"}
QUARANTINE_LABELS = {"table": "Table", "file": "File", "line": "Line", "column": "Column", "reason": "Reason",
                     "raw": "Row as read"}


def _files() -> list[tuple[str, bytes]]:
    uploaded = st.file_uploader(
        "Upload one or several files (CSV, TSV, Parquet, Excel .xlsx, JSON lines)",
        type=UPLOAD_TYPES, accept_multiple_files=True, key="data_uploader")
    files = [(f.name, f.getvalue()) for f in uploaded or []]
    files += list(st.session_state.get(EXTRA_FILES_KEY, []))
    return files


def _first_value(column: pd.Series) -> str:
    values = column.dropna()
    return str(values.iloc[0])[:40] if len(values) else ""


def _mapping_editor(raw, table: str, key: str):
    auto = map_headers(raw.headers, table)
    editor_frame = pd.DataFrame({
        "source header": raw.headers,
        "canonical column": [auto.columns.get(h, "") for h in raw.headers],
        "example": [_first_value(raw.frame.iloc[:, i]) for i in range(len(raw.headers))],
    })
    options = [""] + TABLES[table].column_names
    edited = st.data_editor(
        editor_frame, key=f"mapping_{key}_{table}", hide_index=True, width="stretch",
        disabled=["source header", "example"],
        column_config={"canonical column": st.column_config.SelectboxColumn(
            "canonical column", options=options,
            help="Which canonical column this header feeds; empty = not loaded"
                 + (" (kept as an account attribute)" if table == "accounts" else ""))},
    )
    overrides = {row["source header"]: (row["canonical column"] or "") for _, row in edited.iterrows()}
    cols = st.columns(2)
    order = cols[0].selectbox("Day/month order of dd/mm dates", list(ORDER_LABELS),
                              format_func=ORDER_LABELS.get, key=f"order_{key}")
    if order != "auto":
        overrides["date_order"] = order
    if table == "contracts" and cols[1].checkbox(
            "Amounts are already converted to one currency", key=f"converted_{key}"):
        overrides["amounts_converted"] = True
    return map_headers(raw.headers, table, overrides=overrides)


def _show_result(result: dict, key: str) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows read", f"{result['rows_read']:,}")
    c2.metric("Accepted", f"{result['rows_accepted']:,}")
    c3.metric("Quarantined", f"{result['rows_quarantined']:,}")
    for note in result["notes"]:
        st.caption(md(note))
    if result["rows_quarantined"]:
        st.markdown("**Quarantined rows** (not loaded; fix them in the source and upload again)")
        st.dataframe(blank_missing(result["quarantined"]), hide_index=True, width="stretch",
                     column_config=QUARANTINE_LABELS)
        download_csv(result["quarantined"], f"quarantine_{result['file_name']}.csv", key=f"dlq_{key}",
                     label="Download quarantined rows (CSV)")


def _file_section(ws, name: str, data: bytes, index: int) -> None:
    digest = hashlib.sha256(data).hexdigest()
    key = f"{index}_{digest[:12]}"
    with st.container(border=True):
        st.subheader(md(name))
        raw, error = read_upload(data, name, digest)
        if error:
            st.error(md(error))
            _log_once(ws, name, data, digest, error)
            return
        guessed, _ = guess_table(raw.headers, name)
        tables = list(TABLES)
        table = st.selectbox("Table", tables, index=tables.index(guessed) if guessed else None,
                             key=f"table_{key}", placeholder="Choose the table this file holds",
                             help="Guessed from the headers; change it if wrong.")
        for note in raw.notes:
            st.caption(md(note))
        if len(raw.bad_rows):
            bad = len(raw.bad_rows)
            st.caption(f"{bad} {'row' if bad == 1 else 'rows'} in the first rows cannot be split into the "
                       f"header's fields; {'it' if bad == 1 else 'they'} will be quarantined.")
        if table is None:
            st.info("Choose the table this file holds.")
            return
        mapping = _mapping_editor(raw, table, key)
        if mapping.unknown:
            verb = "kept as account attributes" if table == "accounts" else "ignored"
            st.caption(f"Not mapped ({verb}): {md(', '.join(mapping.unknown))}")
        try:  # a missing column or two headers for one column: refused, and logged like the CLI's
            mapping.check(name)
        except IngestRefused as exc:
            st.warning(md(exc))
            _log_once(ws, name, data, digest, str(exc), table)
            return
        st.markdown(f"**Preview** (first {PREVIEW_ROWS} rows as they will be stored; `problem` = why a row "
                    "would be quarantined)")
        try:
            st.dataframe(preview(raw, mapping, PREVIEW_ROWS), hide_index=True, width="stretch")
        except IngestRefused as exc:  # e.g. mixed date orders: Load would refuse (and log) it too
            st.warning(md(exc))
        mode = st.radio("Loading mode", list(MODE_LABELS), index=None, format_func=MODE_LABELS.get,
                        key=f"mode_{key}", horizontal=True,
                        help="Replace swaps this table's rows for the file's; append adds them. "
                             "Flags entered in the app are never touched.")
        if st.button("Load", key=f"load_{key}", type="primary", disabled=mode is None):
            _load(ws, name, data, table, mapping, mode, key)
        result = st.session_state.get(RESULTS_KEY, {}).get(key)
        if result:
            if result.get("error"):
                st.error(md(result["error"]))
            else:
                rows = "row" if result["rows_accepted"] == 1 else "rows"
                st.success(f"Loaded {result['rows_accepted']:,} {rows} into {result['table']} "
                           f"({result['mode']}).")
                _show_result(result, key)


def _load(ws, name, data, table, mapping, mode, key) -> None:
    results = st.session_state.setdefault(RESULTS_KEY, {})
    with st.status(f"Loading {md(name)} into {table}...", expanded=True) as status:
        bar = st.progress(0.0)

        def progress(fraction: float, message: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=message)

        try:
            result = ingest_file(ws, table, io.BytesIO(data), file_name=name, mapping=mapping,
                                 mode=mode, progress=progress, user=current_user())
        except IngestRefused as exc:
            results[key] = {"error": str(exc)}
            status.update(label=f"{md(name)} was refused", state="error")
            return
        results[key] = {
            "table": result.table, "file_name": result.file_name, "mode": result.mode,
            "rows_read": result.rows_read, "rows_accepted": result.rows_accepted,
            "rows_quarantined": result.rows_quarantined, "notes": result.notes,
            "quarantined": result.quarantined,
        }
        status.update(label=f"{md(name)}: {result.rows_accepted:,} accepted, "
                            f"{result.rows_quarantined:,} quarantined", state="complete")
    st.rerun()


def _log_once(ws, name: str, data: bytes, digest: str, message: str, table: str | None = None) -> None:
    """Log a refusal the page shows before any load (an unreadable file, a mapping that misses a
    required column) in the upload log, like the CLI's, once per file and message in a session."""
    logged = st.session_state.setdefault(LOGGED_REFUSALS_KEY, set())
    if (digest, message) in logged:
        return
    log_refusal(ws, table=table, file_name=name, message=message, user=current_user(), data=data)
    logged.add((digest, message))


def _clear_section(ws) -> None:
    with st.expander("Clear a table"):
        st.write("Deletes every row of one table and its quarantined rows; the clearing is logged. "
                 "Flags, scorecards and settings are kept. A replace never empties a table: this is the way.")
        table = st.selectbox("Table to clear", list(TABLES), index=None, key="clear_table",
                             placeholder="Choose a table")
        typed = st.text_input("Type the table name to confirm", key="clear_confirm")
        confirmed = table is not None and typed.strip() == table
        if st.button("Clear table", key="clear_button", disabled=not confirmed):
            result = clear_table(ws, table, user=current_user())
            st.session_state["clear_done"] = (f"Cleared {result.table}: {result.rows_deleted:,} rows and "
                                              f"{result.quarantined_deleted:,} quarantined rows deleted.")
            st.rerun()
        if st.session_state.get("clear_done"):
            st.success(st.session_state["clear_done"])


def _demo_section(ws) -> None:
    with st.expander("Load demo data", expanded=ws.row_count("contracts") == 0):
        st.write("A deterministic demo data set (accounts, contracts, usage, CSM assessments, NPS).")
        confirm = st.checkbox("I understand this replaces the data in this workspace", key="demo_confirm")
        if st.button("Load demo data", key="demo_load", disabled=not confirm):
            with st.status("Writing demo data...", expanded=True) as status:
                bar = st.progress(0.0)
                write_demo(ws, progress=lambda f, m="": bar.progress(min(max(float(f), 0.0), 1.0), text=m or None))
                status.update(label="Demo data loaded", state="complete")
            st.session_state["demo_loaded"] = True
            st.rerun()
        if st.session_state.get("demo_loaded"):
            st.success("Demo data loaded.")


st.title("Data")
st.caption("Upload your exports; every row is either loaded or quarantined with its line and reason. "
           "Nothing is lost silently, and a refused file leaves the workspace unchanged.")
ws = get_workspace()
_demo_section(ws)

st.header("Upload files")
with st.expander("How to try it"):
    st.markdown(
        "Sample files live in `data/samples/` (`accounts.csv`, `contracts.csv`, `usage.parquet`, "
        "`assessments.xlsx`, `nps.jsonl`). Upload them here: the table and the column mapping are "
        "guessed from the headers; `contracts.csv` has two deliberately bad rows, which you will see "
        "quarantined. From the command line: `python -m cs_analytics ingest contracts "
        "data/samples/contracts.csv`. See docs/data.md for formats and rules.")
for i, (file_name, content) in enumerate(_files()):
    _file_section(ws, file_name, content, i)

_clear_section(ws)

st.header("Quarantined rows")
quarantined = quarantine_rows(ws)
if quarantined.empty:
    st.caption("No quarantined rows.")
else:
    st.dataframe(blank_missing(quarantined), hide_index=True, width="stretch", column_config=QUARANTINE_LABELS)
    download_csv(quarantined, "quarantine.csv", key="dl_all_quarantine", label="Download all quarantined rows (CSV)")

st.header("Upload history")
history = upload_history(ws)
if history.empty:
    st.caption("No uploads yet.")
else:
    st.dataframe(blank_missing(history, times=("uploaded_at",)), hide_index=True, width="stretch",
                 column_config=HISTORY_LABELS)

st.header("Workspaces")
workspaces_section(ws)
