"""Widgets and state every page shares: the workspace, the global filters, downloads, links."""
from __future__ import annotations

import urllib.parse

import pandas as pd
import streamlit as st

from cs_analytics.core import config
from cs_analytics.core.db import Workspace, open_workspace
from cs_analytics.core.export import to_csv_bytes
from cs_analytics.core.filters import NO_FILTER, AccountFilter
from ui.text import safe_file_name
from ui.view import FILTER_STATE_KEY, current_as_of, render_view_sidebar, view_query

WORKSPACE_STATE_KEY = "workspace_path"
APP_WAIT_SECONDS = 3.0  # a script run waits this long for another process before saying "busy"


@st.cache_resource(show_spinner=False)
def _workspace_for(path: str) -> Workspace:
    return open_workspace(path, wait_seconds=APP_WAIT_SECONDS)


def workspace_path() -> str:
    """The workspace file this browser session works on: the one it switched to on the Data page,
    else $CS_ANALYTICS_DB or data/workspace.duckdb."""
    return st.session_state.get(WORKSPACE_STATE_KEY) or str(config.workspace_path())


def get_workspace() -> Workspace:
    """This session's workspace; the file is held only while a script run uses it (a lease)."""
    return _workspace_for(workspace_path())


def switch_workspace(path) -> None:
    """Make this browser session work on another workspace file (other sessions are unaffected)."""
    st.session_state[WORKSPACE_STATE_KEY] = str(path)


def data_version(ws: Workspace) -> str:
    """The workspace file and its generation, which every committed write increases.

    Every st.cache_data key includes it, so no cache serves data older than the last write, made
    in this session, another session or another process.
    """
    return f"{ws.path}#{ws.generation()}"


def views_version(ws: Workspace) -> str:
    """The workspace file and its generation without task-only writes (Workspace.views_generation):
    the cache key of views that show no task, so raising or closing a task recomputes only the
    views that show tasks (TASK_VIEW_MODULES in ui/cache.py)."""
    return f"{ws.path}#views{ws.views_generation()}"


def render_sidebar_filters(ws: Workspace) -> AccountFilter:
    """The sidebar's as-of and filters, carried in the URL (ui.view)."""
    return render_view_sidebar(ws)


def current_filter() -> AccountFilter:
    """The global account filter chosen in the sidebar."""
    return st.session_state.get(FILTER_STATE_KEY, NO_FILTER)


def account_url(account_id: str, view_query: str = "") -> str:
    """Deep link to the Account page for one account, after the view's parameters (ui.view)."""
    return "/account?" + view_query + urllib.parse.urlencode({"account": account_id})


def account_link_column(frame: pd.DataFrame, id_column: str = "account_id") -> pd.DataFrame:
    """`frame` with a `link` column of Account page URLs (carrying this view's as-of and
    filters, so a link opened in a new tab shows the same view), for st.column_config.LinkColumn."""
    prefix = view_query()
    out = frame.copy()
    out.insert(0, "link", out[id_column].map(lambda account_id: account_url(account_id, prefix)))
    return out


ACCOUNT_LINK_CONFIG = {
    "link": st.column_config.LinkColumn("Account", display_text=r"[?&]account=([^&]*)$", width="small",
                                       pinned=True),
}


def download_csv(frame: pd.DataFrame, file_name: str, key: str, label: str = "Download CSV") -> None:
    """A CSV download of `frame`, spreadsheet formulas neutralised. The CSV is written when the
    user clicks (deferred: a 20k-row frame costs 0.7 s to write, which no rerun should pay).

    The click does not rerun the page: a rerun registers a new writer for the button and drops
    the one the browser's request names, so a server that read the request after the rerun
    (under load) answered with an error instead of the file."""
    st.download_button(label, lambda: to_csv_bytes(frame), file_name=safe_file_name(file_name), mime="text/csv",
                       key=key, on_click="ignore")


def definition_card(title: str, definition: str, as_of=None, excluded: str | None = None) -> None:
    """An expander quoting a metric's definition, the as-of date and what is excluded."""
    with st.expander(f"Definition: {title}"):
        st.markdown(definition)
        if as_of is not None:
            st.caption(f"As of {as_of:%Y-%m-%d}.")
        if excluded:
            st.caption(f"Excluded: {excluded}")


def require_data(ws: Workspace, tables: tuple[str, ...] = ("contracts",)) -> bool:
    """Show an empty state and return False when a needed table has no rows."""
    missing = [t for t in tables if ws.row_count(t) == 0]
    if not missing:
        return True
    st.info(
        f"This page needs the {', '.join(missing)} table"
        f"{'s' if len(missing) > 1 else ''}, which the workspace does not have yet. "
        "Load the demo data or upload your files on the Data page."
    )
    st.page_link("app_pages/data.py", label="Go to the Data page", icon=":material/upload:")
    return False


def page_as_of(ws: Workspace):
    """The as-of in force for this session: a link's, else the workspace setting, else the data's."""
    return current_as_of(ws).day


def view_as_of(ws: Workspace):
    """The as-of to pass to library functions: the chosen date, or None for the data's own."""
    return current_as_of(ws).override
