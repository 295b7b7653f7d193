"""The CLI's `--format table` text: exactly pandas' `DataFrame.to_string(index=False)`, fast on
large frames.

pandas formats and pads a column value by value in Python, and trims a float column's shared
trailing zeros one character at a time with a regular expression per value and per character: for
a `health` table of 90k accounts x 21 columns that was 17 s of CPU, most of the command (issue 14).
Here each cell is written as pandas writes it, a float column formatted in one pass:
  * float64 in fixed notation: `{:.6f}` (display.precision = 6) with the trailing zeros every value
    shares trimmed, keeping one decimal; NaN as `NaN`;
  * int64 and bool as `str`; text as itself with tab, CR and LF escaped; None as `None`, NaN as `NaN`;
then right-aligned under right-aligned labels (a numeric column's label gets a leading space, as in
pandas), columns joined by one space. Any other column (dates, categories, extension types, a float
column pandas would write in scientific notation or holding an infinity, mixed objects) sends the
frame to pandas as it is. `tests/core/test_text_table.py` checks the text equals `to_string`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

_DISPLAY_DIGITS = 6  # pandas' display.precision
_LARGE = 1e6  # pandas: above it, a long column goes to scientific notation
_ESCAPES = (("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def text_table(frame: pd.DataFrame) -> str:
    """`frame.to_string(index=False)`, the same text."""
    labels = list(frame.columns)
    plain_labels = all(isinstance(label, str) and label.isprintable() for label in labels)
    if (pd.get_option("display.precision") != _DISPLAY_DIGITS or not plain_labels
            or len(set(labels)) != len(labels) or frame.empty):
        return frame.to_string(index=False)
    columns = []
    for i, label in enumerate(labels):
        column = frame.iloc[:, i]
        cells = _cells(column)
        if cells is None:
            return frame.to_string(index=False)
        header = " " + label if pd.api.types.is_numeric_dtype(column.dtype) else label
        width = max(len(header), max(map(len, cells)))
        columns.append([header.rjust(width)] + [cell.rjust(width) for cell in cells])
    return "\n".join(map(" ".join, zip(*columns)))


def _cells(column: pd.Series) -> list[str] | None:
    """The column's cells as pandas writes them, or None when it is not a kind written here."""
    dtype = column.dtype
    if dtype == np.float64:
        return _fixed_float_cells(column.to_numpy())
    if dtype == np.int64 or dtype == np.bool_:
        return [str(value) for value in column.tolist()]
    if dtype == object:
        return _text_cells(column.tolist())
    return None


def _text_cells(values: list) -> list[str] | None:
    cells = []
    for value in values:
        if isinstance(value, str):
            for char, escaped in _ESCAPES:
                if char in value:
                    value = value.replace(char, escaped)
            cells.append(value)
        elif value is None:
            cells.append("None")
        elif isinstance(value, float) and value != value:
            cells.append("NaN")
        else:
            return None
    return cells


def _fixed_float_cells(values: np.ndarray) -> list[str] | None:
    missing = np.isnan(values)
    present = values[~missing]
    if present.size == 0:
        return ["NaN"] * len(values)  # a measure nobody has data for (e.g. NPS without an NPS table)
    if not np.isfinite(present).all():
        return None
    magnitude = np.abs(present)
    if ((magnitude < 10.0 ** -_DISPLAY_DIGITS) & (magnitude > 0)).any():
        return None  # pandas: scientific notation
    numbers = present.tolist()  # Python's % per value: twice as fast as numpy's char.mod
    text = list(map(f"%.{_DISPLAY_DIGITS}f".__mod__, numbers))
    trailing_zeros = min(len(cell) - len(cell.rstrip("0")) for cell in text)
    cut = min(trailing_zeros, _DISPLAY_DIGITS - 1)  # one decimal stays, as in pandas
    if cut:  # the same digits: rounding to fewer decimals cannot change a value whose cut digits are 0
        text = list(map(f"%.{_DISPLAY_DIGITS - cut}f".__mod__, numbers))
    if max(map(len, text)) > _DISPLAY_DIGITS + 6 and (magnitude > _LARGE).any():
        return None  # pandas: scientific notation
    cells = np.full(values.shape, "NaN", dtype=object)
    cells[~missing] = text
    return cells.tolist()
