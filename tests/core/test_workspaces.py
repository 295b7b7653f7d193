"""Workspaces: one data set each; names are plain file names in the data folder; switching is per
browser session."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from conftest import assert_no_exception
from cs_analytics.core.errors import WorkspaceError
from cs_analytics.core.db import open_workspace
from cs_analytics.core.workspaces import (
    create_workspace, display_name, list_workspaces, rename_workspace, workspace_file,
)

PAGE = "app_pages/data.py"


@pytest.mark.parametrize("name", ["../evil", "..", "a/b", "/etc/passwd", "sub\\x", ".hidden", "a..b",
                                  "", "   ", "x" * 61, "nul\x00", "tab\there", "ACC\u200b1"])
def test_names_that_are_not_plain_file_names_are_refused(tmp_path, name):
    with pytest.raises(WorkspaceError):
        workspace_file(name, tmp_path)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_accepted_name_is_a_duckdb_file_directly_in_the_data_folder(tmp_path_factory, name):
    folder = tmp_path_factory.getbasetemp() / "data"
    try:
        path = workspace_file(name, folder)
    except WorkspaceError:
        return
    assert path.parent == folder.resolve() and path.suffix == ".duckdb" and not path.name.startswith(".")


def test_create_lists_renames_and_refuses_a_duplicate(tmp_path):
    path = create_workspace("Telco 2024", tmp_path)
    assert path == tmp_path.resolve() / "Telco 2024.duckdb" and path in list_workspaces(tmp_path)
    ws = open_workspace(path)
    assert display_name(ws) == "Telco 2024"
    before = ws.generation()
    assert rename_workspace(ws, "  Telco   churn ") == "Telco churn"
    assert display_name(ws) == "Telco churn" and ws.generation() == before + 1
    with pytest.raises(WorkspaceError, match="already exists"):
        create_workspace("Telco 2024", tmp_path)
    with pytest.raises(WorkspaceError):
        rename_workspace(ws, "bad\u202ename")


def _sidebar_texts(at) -> list[str]:
    return [t.value for t in at.sidebar.text]


def test_data_page_creates_and_switches_for_this_session_only(app_test, tmp_path):
    default = tmp_path / "workspace.duckdb"
    at = app_test(PAGE, workspace=default)
    assert_no_exception(at)
    assert "workspace" in _sidebar_texts(at)
    at.text_input(key="ws_new_name").input("../escape")
    at.run()
    at.button(key="ws_create").click()
    at.run()
    assert any("plain file name" in e.value or "letters, digits" in e.value for e in at.error)
    assert not (tmp_path.parent / "escape.duckdb").exists()
    at.text_input(key="ws_new_name").input("Purchases 1997")
    at.run()
    at.button(key="ws_create").click()
    at.run()
    assert_no_exception(at)
    assert (tmp_path / "Purchases 1997.duckdb").exists()
    assert "Purchases 1997" in _sidebar_texts(at)
    at.text_input(key="ws_rename").input("Retail purchases")
    at.run()
    at.button(key="ws_rename_button").click()
    at.run()
    assert "Retail purchases" in _sidebar_texts(at)
    assert display_name(open_workspace(tmp_path / "Purchases 1997.duckdb")) == "Retail purchases"
    other = app_test(PAGE, workspace=default)  # another browser session: still the default
    assert "workspace" in _sidebar_texts(other)
    at.selectbox(key="ws_choice").select("workspace.duckdb")
    at.run()
    at.button(key="ws_switch").click()
    at.run()
    assert "workspace" in _sidebar_texts(at)
