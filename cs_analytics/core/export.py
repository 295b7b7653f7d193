"""Exports: the one CSV writer behind every download button and the CLI's `--format csv`.

Two guarantees, whatever the cells hold:

- **One line of the file per record is never assumed**: every cell containing a line break (`\\r`
  or `\\n`), a comma or a double quote is quoted (RFC 4180), so a reader (Python's csv module,
  pandas, a spreadsheet) gets exactly one row per record and the cell's text back.
- **No cell is run as a formula**: a text cell (or header) whose first non-blank character is
  one a spreadsheet treats as a formula (`= + - @`, their full-width forms, tab, CR, LF) gets a
  leading apostrophe. A line break *inside* a quoted cell does not start a new cell, so text after
  it is never evaluated.

A NUL character (which CSV readers such as pandas truncate at) is written as U+FFFD.
"""
from __future__ import annotations

import csv
import io

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
NEEDS_QUOTES = (",", '"', "\r", "\n")
LINE_END = "\n"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could run `text` as a formula (first non-blank char is a trigger)."""
    return text.startswith(FORMULA_PREFIXES) or text.lstrip(" ").startswith(FORMULA_PREFIXES)


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; NUL -> U+FFFD."""
    if not isinstance(value, str):
        return value
    value = value.replace("\x00", "\ufffd")
    return "'" + value if is_formula_like(value) else value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and headers cannot be run as formulas by a spreadsheet."""
    out = frame.copy()
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out.isetitem(i, column.map(neutralise_cell))
    return out


def quote_field(text: str) -> str:
    """`text` as one CSV field: quoted (quotes doubled) when it holds a separator, quote or line break."""
    if any(ch in text for ch in NEEDS_QUOTES) or text != text.strip(" "):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_fields(frame: pd.DataFrame) -> list[list[str]]:
    """The header and rows of `frame` as the strings pandas would write (numbers, dates, NaN as '')."""
    fully_quoted = frame.to_csv(index=False, quoting=csv.QUOTE_ALL, lineterminator=LINE_END)
    return list(csv.reader(io.StringIO(fully_quoted, newline="")))


def to_csv_text(frame: pd.DataFrame) -> str:
    """CSV text of `frame`: formulas neutralised, every line break and separator inside a cell quoted."""
    safe = neutralise_formulas(frame)
    header, *body = csv_fields(safe)
    if not body or safe.shape[1] == 0:
        return "".join(",".join(quote_field(cell) for cell in row) + LINE_END for row in [header, *body])
    # a number, boolean or datetime as pandas writes it never holds a separator, quote, line break
    # or an edge blank, so only the other columns are checked cell by cell (issue 14: a 90k-row
    # health table spent most of its export time checking numbers)
    columns = [cells if _never_quoted(dtype) else [quote_field(cell) for cell in cells]
               for cells, dtype in zip(zip(*body), safe.dtypes)]
    lines = [",".join(quote_field(cell) for cell in header)]
    lines.extend(map(",".join, zip(*columns)))
    return LINE_END.join(lines) + LINE_END


def _never_quoted(dtype) -> bool:
    return (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)) and not isinstance(dtype, pd.CategoricalDtype)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes of `frame` for a download button (see `to_csv_text`)."""
    return to_csv_text(frame).encode("utf-8")
