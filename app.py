"""CS Analytics: entry point and navigation (`streamlit run app.py`; served by `python -m ui.serve`)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import streamlit as st

from cs_analytics.core.errors import WorkspaceLockedError
from cs_analytics.views.sidebar import sidebar_status
from cs_analytics.core.workspaces import display_name
from ui.cache import cached_view
from ui.element_preload import preload_elements
from ui.common import get_workspace, render_sidebar_filters
from ui.view import require_filter_match
from ui.text import md

BUSY_RETRY_SECONDS = 1.0

# a local icon: a ":material/...:" page icon makes every browser fetch it from fonts.gstatic.com
st.set_page_config(page_title="CS Analytics", page_icon=str(Path(__file__).parent / "ui" / "favicon.png"), layout="wide")

PAGES = {
    "Leaders": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("app_pages/revenue.py", title="Revenue", icon=":material/payments:"),
        st.Page("app_pages/cohorts.py", title="Cohorts", icon=":material/grid_on:"),
        st.Page("app_pages/renewals.py", title="Renewals", icon=":material/autorenew:"),
        st.Page("app_pages/onboarding.py", title="Onboarding", icon=":material/rocket_launch:"),
    ],
    "Health": [
        st.Page("app_pages/health.py", title="Health", icon=":material/favorite:"),
        st.Page("app_pages/reality.py", title="Reality", icon=":material/flag:"),
        st.Page("app_pages/account.py", title="Account", icon=":material/person:"),
        st.Page("app_pages/my_work.py", title="My work", icon=":material/task_alt:"),
    ],
    "Data": [
        st.Page("app_pages/data.py", title="Data", icon=":material/upload:"),
    ],
}
if os.environ.get("CS_ANALYTICS_BENCH_PING"):  # the page-settle benchmark's reference floor (bench/pages.py)
    PAGES["Data"].append(st.Page("app_pages/ping.py", title="Ping", icon=":material/timer:"))


def render_workspace_status(ws) -> None:
    info = cached_view(sidebar_status, ws, None, None)
    with st.sidebar:
        st.markdown("**Workspace**")
        st.text(display_name(ws))  # a user's text: shown as text, never markdown
        if info.is_empty:
            st.caption("No data yet: load the demo or upload files on the Data page.")
        else:
            if info.as_of is None:
                st.caption("No as-of date")
            st.caption(info.row_counts_sentence)
        if info.last_upload_sentence:
            st.caption(md(info.last_upload_sentence))
    return render_sidebar_filters(ws)


def busy_then_retry() -> None:
    """One sentence instead of a traceback, then the same script run again a moment later."""
    st.info("The workspace is busy with another process (for example an import from the command "
            "line); this page retries in a moment.")
    time.sleep(BUSY_RETRY_SECONDS)
    st.rerun()


def run_page() -> None:
    """Run the page with this session's workspace leased for the whole script run, so its
    queries share one opening of the file (another process waiting gets it between queries)."""
    try:
        workspace = get_workspace()
        workspace.acquire(yielding=True)
    except WorkspaceLockedError:
        busy_then_retry()
        return
    try:
        account_filter = render_workspace_status(workspace)
        with st.sidebar:
            preload_elements()  # charts' and tables' code loads while the user reads a page
        if navigation.title != "Data" and not require_filter_match(workspace, account_filter):
            st.title(navigation.title)
            return
        navigation.run()
    except WorkspaceLockedError:
        busy_then_retry()
    finally:
        workspace.release(yielding=True)


navigation = st.navigation(PAGES)
run_page()
