"""Tables as a reader sees them: human column labels, blank cells for missing text and dates
(never "None"), key columns first, the account pinned so it stays on screen when scrolling."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ui.common import ACCOUNT_LINK_CONFIG, account_link_column


def as_text_cell(value, fmt: str) -> str:
    """A date or time as text in `fmt`; a missing value as ''."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.strftime(fmt)
    return str(value)


def blank_missing(frame: pd.DataFrame, times: tuple[str, ...] = ()) -> pd.DataFrame:
    """Text, date and time columns as text with '' for a missing value (dates YYYY-MM-DD, the
    columns in `times` YYYY-MM-DD HH:MM, or the date alone at midnight); numbers and booleans
    unchanged."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if column in times:
            out[column] = [as_text_cell(v, "%Y-%m-%d %H:%M").removesuffix(" 00:00") for v in series]
        elif series.dtype == object or pd.api.types.is_datetime64_any_dtype(series):
            out[column] = [as_text_cell(v, "%Y-%m-%d") for v in series]
    return out


def show_accounts_table(frame: pd.DataFrame, labels: dict, key: str, times: tuple[str, ...] = ()) -> None:
    """`frame` (with account_id) as a table: the account link pinned first, account_id hidden,
    missing text blank, columns labelled by `labels` (a label or a column_config)."""
    shown = blank_missing(account_link_column(frame), times).drop(columns=["account_id"])
    st.dataframe(shown, column_config={**ACCOUNT_LINK_CONFIG, **labels}, hide_index=True, key=key)
