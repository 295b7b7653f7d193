"""Tables as a reader sees them: human column labels, blank cells for missing text and dates
(never "None"), key columns first, the account pinned so it stays on screen when scrolling."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_analytics.core import config
from cs_analytics.core.formatting import blank_missing
from ui.common import ACCOUNT_LINK_CONFIG, account_link_column, download_csv


def first_rows(frame: pd.DataFrame, noun: str = "accounts", max_rows: int = config.TABLE_ROWS_SHOWN) -> pd.DataFrame:
    """The rows a table shows: the first `max_rows` of `frame` (its order), with a caption saying
    so when there are more (the page offers the download of every row)."""
    if len(frame) <= max_rows:
        return frame
    st.caption(f"Showing the first {max_rows:,} of {len(frame):,} {noun}; the download has them all.")
    return frame.head(max_rows)


def show_accounts_table(frame: pd.DataFrame, labels: dict, key: str, times: tuple[str, ...] = (),
                        max_rows: int = config.TABLE_ROWS_SHOWN) -> None:
    """`frame` (with account_id) as a table: the account link pinned first, account_id hidden,
    missing text blank, columns labelled by `labels` (a label or a column_config). Over `max_rows`
    rows, the first `max_rows` (the frame's order) and a download of every row."""
    shown = blank_missing(account_link_column(first_rows(frame, max_rows=max_rows)), times)
    st.dataframe(shown.drop(columns=["account_id"]), column_config={**ACCOUNT_LINK_CONFIG, **labels},
                 hide_index=True, key=key)
    if len(frame) > max_rows:
        download_csv(frame, f"{key}.csv", key=f"{key}_all_csv", label=f"Download all {len(frame):,} (CSV)")
