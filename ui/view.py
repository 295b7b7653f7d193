"""The view every page shares: the as-of in force and the sidebar filters, kept in the URL.

On a session's first run the link's `as_of` and `f.<filter>` parameters are read (bad parts are
ignored with a note); on every run the current view is written back to the URL next to the page's
own parameters, so any page's URL reproduces what it shows (docs/views.md).
"""
from __future__ import annotations

import urllib.parse

import streamlit as st

from cs_analytics.core.db import Workspace
from cs_analytics.core.filters import AccountFilter, matching_accounts
from cs_analytics.core.settings import as_of_setting, set_setting
from cs_analytics.core.dates import AsOfInForce, as_of_in_force, partial_month_note
from cs_analytics.core.view_state import View, decode_view, is_view_param, view_params
from cs_analytics.core.workspace import data_as_of
from ui.identity import current_user
from ui.text import md

LINK_AS_OF_KEY = "view_link_as_of"
LINK_READ_KEY = "view_link_read"
LINK_NOTES_KEY = "view_link_notes"
FILTER_STATE_KEY = "account_filter"
SIDEBAR_FILTERS = ("segment", "csm_owner", "plan")
FILTER_LABELS = {"segment": "Segment", "csm_owner": "CSM owner", "plan": "Plan"}
def filter_key(name: str) -> str:
    return f"filter_{name}"


def read_link_once(options: dict[str, list[str]]) -> None:
    """On a session's first run, take the link's as-of and filters into the session."""
    if st.session_state.get(LINK_READ_KEY):
        return
    st.session_state[LINK_READ_KEY] = True
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    decoded = decode_view(params, options)
    st.session_state[LINK_AS_OF_KEY] = decoded.view.as_of
    st.session_state[LINK_NOTES_KEY] = list(decoded.notes)
    for name, values in decoded.view.account_filter.where.items():
        st.session_state[filter_key(name)] = list(values)


def current_as_of(ws: Workspace) -> AsOfInForce:
    """The as-of in force for this session: the link's, else the workspace setting, else the data's."""
    return as_of_in_force(st.session_state.get(LINK_AS_OF_KEY), as_of_setting(ws), data_as_of(ws))


def write_view_to_url(account_filter: AccountFilter) -> None:
    """Put the view's parameters in the URL, leaving the page's own parameters alone."""
    wanted = view_params(View(st.session_state.get(LINK_AS_OF_KEY), account_filter))
    for key in [k for k in st.query_params if is_view_param(k) and k not in wanted]:
        del st.query_params[key]
    for key, values in wanted.items():
        if st.query_params.get_all(key) != values:
            st.query_params[key] = values


def view_query() -> str:
    """This session's view as a query-string prefix ('as_of=...&f.segment=...&', or '')."""
    view = View(st.session_state.get(LINK_AS_OF_KEY), st.session_state.get(FILTER_STATE_KEY, AccountFilter()))
    query = urllib.parse.urlencode(view_params(view), doseq=True)
    return query + "&" if query else ""


def _user() -> str | None:
    return current_user()


def _set_workspace_as_of(ws: Workspace) -> None:
    day = st.session_state.get("as_of_input")
    if day is not None:
        set_setting(ws, "as_of", day.isoformat(), _user())
        st.session_state[LINK_AS_OF_KEY] = None
        st.session_state.pop("as_of_input", None)


def _reset_workspace_as_of(ws: Workspace) -> None:
    set_setting(ws, "as_of", None, _user())
    st.session_state[LINK_AS_OF_KEY] = None
    st.session_state.pop("as_of_input", None)


def _drop_link_as_of() -> None:
    st.session_state[LINK_AS_OF_KEY] = None
    st.session_state.pop("as_of_input", None)


def render_as_of(ws: Workspace) -> AsOfInForce:
    """The as-of in force, where it came from, the partial-month note, and the control."""
    in_force = current_as_of(ws)
    if in_force.day is None:
        return in_force
    st.sidebar.caption(f"As of **{in_force.day:%Y-%m-%d}**: {in_force.describe()}.")
    note = partial_month_note(in_force.day)
    if note:
        st.sidebar.caption(note)
    # a popover, not an expander: Streamlit draws a collapsed expander's content, so every first view
    # would fetch and compile the date picker's JavaScript (about 200 KB); a popover's is drawn on open
    with st.sidebar.popover("Change the as-of", width="stretch"):
        st.date_input("As-of date", value=in_force.day, key="as_of_input", format="YYYY-MM-DD")
        st.button("Set for the workspace", key="as_of_set", on_click=_set_workspace_as_of, args=(ws,),
                  help="Every page and every user of this workspace (and the CLI's default) will use it.")
        if as_of_setting(ws) is not None:
            st.button("Use the data's own as-of", key="as_of_reset", on_click=_reset_workspace_as_of, args=(ws,))
        if in_force.source == "link":
            st.button("Drop the link's as-of", key="as_of_drop_link", on_click=_drop_link_as_of)
    return in_force


def render_filters(options: dict[str, list[str]]) -> AccountFilter:
    """Segment / CSM owner / plan / other attribute filters; stored for every page."""
    chosen: dict[str, list[str]] = {}
    st.sidebar.markdown("**Filters** (apply to every page)")
    for name in SIDEBAR_FILTERS:
        if name in options:
            chosen[name] = st.sidebar.multiselect(
                FILTER_LABELS[name], options[name], key=filter_key(name), placeholder="All"
            )
    extra = [n for n in options if n not in SIDEBAR_FILTERS]
    if extra:
        with st.sidebar.expander("More filters"):
            for name in extra:
                chosen[name] = st.multiselect(md(name), options[name], key=filter_key(name), placeholder="All")
    account_filter = AccountFilter.of(**chosen)
    st.session_state[FILTER_STATE_KEY] = account_filter
    return account_filter


def render_view_sidebar(ws: Workspace) -> AccountFilter:
    """The sidebar's as-of and filters, read from a link on a fresh session and written back."""
    from ui.cache import cached_view  # ui.cache imports ui.common, which imports this module
    from cs_analytics.views.sidebar import sidebar_filter_options

    options = cached_view(sidebar_filter_options, ws, None, None)
    read_link_once(options)
    render_as_of(ws)
    for note in st.session_state.get(LINK_NOTES_KEY, []):
        st.sidebar.warning(md(note))
    account_filter = render_filters(options)
    write_view_to_url(account_filter)
    return account_filter


def reset_filters() -> None:
    """Clear every sidebar filter (a button callback, so it runs before the widgets exist)."""
    for key in [k for k in st.session_state if str(k).startswith("filter_")]:
        st.session_state[key] = []
    st.session_state[FILTER_STATE_KEY] = AccountFilter()


def require_filter_match(ws: Workspace, account_filter: AccountFilter) -> bool:
    """Say so, with a reset button, and return False when the filters select no account."""
    if account_filter.is_empty or matching_accounts(ws, account_filter) > 0:
        return True
    st.info(f"No account matches the filters ({md(account_filter.describe())}). "
            "Change them in the sidebar or reset them.")
    st.button("Reset the filters", key="reset_filters", on_click=reset_filters, type="primary")
    return False
