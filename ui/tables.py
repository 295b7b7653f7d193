"""Tables as a reader sees them: human column labels, blank cells for missing text and dates
(never "None"), key columns first, the account pinned so it stays on screen when scrolling."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_analytics.core.formatting import blank_missing
from ui.common import ACCOUNT_LINK_CONFIG, account_link_column


def show_accounts_table(frame: pd.DataFrame, labels: dict, key: str, times: tuple[str, ...] = ()) -> None:
    """`frame` (with account_id) as a table: the account link pinned first, account_id hidden,
    missing text blank, columns labelled by `labels` (a label or a column_config)."""
    shown = blank_missing(account_link_column(frame), times).drop(columns=["account_id"])
    st.dataframe(shown, column_config={**ACCOUNT_LINK_CONFIG, **labels}, hide_index=True, key=key)
