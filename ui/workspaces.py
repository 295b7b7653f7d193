"""The Data page's Workspaces section: list, create, switch (this browser session) and rename."""
from __future__ import annotations

import streamlit as st

from cs_analytics.core.errors import WorkspaceError
from cs_analytics.core.workspaces import (
    create_workspace, data_folder, display_name, list_workspaces, rename_workspace,
)
from ui.common import switch_workspace

FLASH_KEY = "workspaces_flash"


def _flash(message: str) -> None:
    st.session_state[FLASH_KEY] = message
    st.rerun()


def workspaces_section(ws) -> None:
    """One data set per workspace: pick, create or name the workspace this session works on."""
    with st.container():
        if FLASH_KEY in st.session_state:
            st.success(st.session_state.pop(FLASH_KEY))
        folder = data_folder()
        st.caption("Each workspace is one file in the data folder. Switching applies to this browser "
                   "tab only; other users keep theirs. New tabs open the default workspace.")
        st.text(f"Data folder: {folder}")
        files = list_workspaces(folder)
        current = ws.path.resolve()
        names = [p.name for p in files]
        if current.parent == folder and current.name not in names:
            names.append(current.name)
        index = names.index(current.name) if current.name in names else None
        choice = st.selectbox("Open workspace", names, index=index, key="ws_choice",
                              placeholder="Choose a workspace file")
        if choice and choice != current.name and st.button("Switch to this workspace", key="ws_switch"):
            switch_workspace(folder / choice)
            _flash(f"Switched to {choice}.")
        cols = st.columns(2)
        new_name = cols[0].text_input("New workspace name", key="ws_new_name", max_chars=60)
        if cols[0].button("Create and switch", key="ws_create", disabled=not new_name.strip()):
            try:
                path = create_workspace(new_name, folder)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                switch_workspace(path)
                _flash(f"Created {path.name} and switched to it.")
        label = cols[1].text_input("Name of this workspace", value=display_name(ws), key="ws_rename",
                                   max_chars=60)
        if cols[1].button("Rename", key="ws_rename_button", disabled=label.strip() == display_name(ws)):
            try:
                saved = rename_workspace(ws, label)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                _flash(f"Renamed to {saved}.")
