"""Reading Excel .xlsx and JSON (lines or an array of objects) into frames of text."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.readers.source import inspect_file, looks_binary
from cs_analytics.ingest.readers.staged import refuse_duplicate_headers


def read_excel(path: Path, file_name: str, sheet: str | None):
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
        refuse_duplicate_headers(headers, file_name)
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


def read_jsonl(path: Path, file_name: str):
    local = inspect_file(path)
    if looks_binary(local.head):
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
