"""Showing text that came from a file or a URL in Streamlit: always as text, never as markdown.

Every st.markdown / caption / info / success / warning / error / title / subheader call, widget
label, metric label, expander or status title that interpolates data wraps the data in `md()`
(see cs_analytics.core.text.escape_markdown for exactly what is escaped). Tables (st.dataframe) and
st.text / st.code show text literally already. Plotly charts escape in cs_analytics.charts_*.
"""
from __future__ import annotations

import re

from cs_analytics.core.text import escape_markdown, escape_plotly, one_line, unescape_markdown

__all__ = ["md", "escape_markdown", "escape_plotly", "one_line", "unescape_markdown", "safe_file_name"]


def md(value: object) -> str:
    """`value` as markdown that renders as exactly its text (one line, no link, image or formatting)."""
    return escape_markdown(value)


def safe_file_name(name: str, fallback: str = "download.csv") -> str:
    """A download file name with only letters, digits, '.', '_' and '-' (others become '_')."""
    cleaned = re.sub(r"[^\w.\-]", "_", one_line(name), flags=re.ASCII).strip("._")
    return cleaned[:120] or fallback
