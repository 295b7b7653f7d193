"""The My work page and the Account timeline under AppTest: rule-raised tasks, done with a note,
snooze, add a task, the rules editor, the timeline's kinds and export, empty states."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import assert_no_exception
from cs_analytics.core.db import open_workspace
from cs_analytics.tasks.store import add_task, list_tasks

PAGE = "app_pages/my_work.py"
ACCOUNT_PAGE = "app_pages/account.py"


def _set_name(at, name: str):
    at.text_input(key="identity_name_input").input(name)
    at.button(key="identity_set_name").click()
    at.run()
    assert_no_exception(at)


def _open(at, key: str):
    """Open the popover or expander `key`, as a click does: its content is built only when open."""
    at.session_state[key] = True
    at.run()
    assert_no_exception(at)


def _open_tasks(path, owner=None):
    return list_tasks(open_workspace(path), owner, "open")  # shares the app's connection: not closed


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    """One copy of the small demo shared by this module's tests (they build on each other's tasks)."""
    import shutil

    from task_data import small_demo_master

    path = tmp_path_factory.mktemp("my_work") / "demo.duckdb"
    shutil.copyfile(small_demo_master(), path)
    return path


def test_my_work_lists_rule_tasks_and_marks_one_done_with_a_note(app_test, small_demo):
    at = app_test(PAGE, workspace=small_demo, timeout=120)
    assert_no_exception(at)
    owner = _open_tasks(small_demo)["owner"].value_counts().index[0]
    _set_name(at, owner.upper())  # a name typed in another case still finds the CSM's book
    assert at.selectbox(key="my_work_owner").value == owner
    mine = _open_tasks(small_demo, owner)
    assert any(f"{len(mine):,} open task" in c.value for c in at.caption)
    first = mine.iloc[0]
    assert any(first["title"] in m.value for m in at.markdown)
    assert not any(t.key == f"task_note_{first.task_id}" for t in at.text_input)  # closed: not built
    _open(at, f"task_update_{first.task_id}")
    at.text_input(key=f"task_note_{first.task_id}").input("Called the sponsor")
    at.button(key=f"task_done_{first.task_id}").click()
    at.run()
    assert_no_exception(at)
    assert any("done" in s.value for s in at.success)
    after = _open_tasks(small_demo, owner)
    assert first.task_id not in set(after["task_id"]) and len(after) == len(mine) - 1
    done = list_tasks(open_workspace(small_demo), owner, "done")
    row = done[done["task_id"] == first.task_id].iloc[0]
    # a typed name that matches an owner takes the owner's spelling (core.owners)
    assert row["note"] == "Called the sponsor" and row["changed_by"] == owner
    # the rules do not raise it again
    at.run()
    assert first.task_id not in set(_open_tasks(small_demo, owner)["task_id"])


def test_actions_need_a_name_and_snooze_needs_a_future_date(app_test, small_demo):
    at = app_test(PAGE, workspace=small_demo, timeout=120)
    task = _open_tasks(small_demo).iloc[0]
    _open(at, f"task_update_{task.task_id}")
    at.button(key=f"task_done_{task.task_id}").click()
    at.run()
    assert any("Enter your name" in e.value for e in at.error)
    assert task.task_id in set(_open_tasks(small_demo)["task_id"])
    _set_name(at, "Lead Person")
    assert at.selectbox(key="my_work_owner").value == ""  # not an owner: every owner's tasks
    _open(at, f"task_update_{task.task_id}")
    at.date_input(key=f"task_until_{task.task_id}").set_value(dt.date.today() + dt.timedelta(days=3))
    at.button(key=f"task_snooze_{task.task_id}").click()
    at.run()
    assert_no_exception(at)
    assert task.task_id not in set(_open_tasks(small_demo)["task_id"])
    at.radio(key="my_work_state").set_value("snoozed")
    at.run()
    assert any(task["title"] in m.value for m in at.markdown)


def test_add_a_task_and_edit_the_rules(app_test, small_demo):
    at = app_test(PAGE, workspace=small_demo, timeout=120)
    _set_name(at, "Lead Person")
    account = _open_tasks(small_demo).iloc[0]["account_id"]
    _open(at, "task_add_open")
    at.text_input(key="task_add_account").input(f" {account} ")  # ids are normalised (trimmed)
    at.text_input(key="task_add_title").input("Prepare the QBR")
    at.button(key="FormSubmitter:task_add-Add the task").click()
    at.run()
    assert_no_exception(at)
    tasks = _open_tasks(small_demo)
    added = tasks[tasks["title"] == "Prepare the QBR"]
    assert list(added["account_id"]) == [account] and added.iloc[0]["rule"] == "manual"
    at.text_input(key="task_add_account").input("NOPE-1")
    at.text_input(key="task_add_title").input("x")
    at.button(key="FormSubmitter:task_add-Add the task").click()
    at.run()
    assert any("Unknown account" in e.value for e in at.error)
    _open(at, "task_rules_open")
    at.checkbox(key="rule_band_drop_enabled").uncheck()
    at.number_input(key="rule_renewal_risk_window_days").set_value(30)
    at.button(key="FormSubmitter:task_rules-Save the rules").click()
    at.run()
    assert_no_exception(at)
    from cs_analytics.tasks.rule_config import rule_configs
    configs = rule_configs(open_workspace(small_demo))
    assert configs["band_drop"]["enabled"] is False and configs["renewal_risk"]["window_days"] == 30


def test_empty_workspace_shows_the_data_empty_state(app_test, tmp_path):
    at = app_test(PAGE, workspace=tmp_path / "empty.duckdb")
    assert_no_exception(at)
    assert any("needs the accounts table" in i.value for i in at.info)


def test_a_workspace_with_usage_only_gets_its_tasks(app_test, tmp_path):
    """No contracts (a purchase log and a churn list): the CLI's tasks work, so the page does too."""
    import pandas as pd
    from cs_analytics.core.db import close_workspace
    from cs_analytics.tasks.store import add_task
    from factories import build_workspace

    path = tmp_path / "usage_only.duckdb"
    ws = build_workspace(path, usage=pd.DataFrame({"account_id": ["A", "B"], "event_date": ["2024-01-05", "2024-02-01"]}))
    add_task(ws, "A", "Call the sponsor", "2024-03-01", user="Ana")
    close_workspace(path)
    at = app_test(PAGE, workspace=path)
    assert_no_exception(at)
    assert not any("needs the" in i.value for i in at.info)


def _timeline_table(at):
    return next(d.value for d in at.dataframe if "what" in d.value.columns)


def test_account_timeline_filters_by_kind_and_exports(app_test, small_demo):
    from cs_analytics.tasks.run import ensure_rules_current

    ensure_rules_current(open_workspace(small_demo))
    account = _open_tasks(small_demo).iloc[0]["account_id"]
    at = app_test(ACCOUNT_PAGE, workspace=small_demo, query={"account": account}, timeout=120)
    assert_no_exception(at)
    table = _timeline_table(at)
    assert {"band", "task", "contract"} <= set(table["kind"])
    assert list(table["at"]) == sorted(table["at"], reverse=True)  # newest first
    at.multiselect(key="timeline_kinds").set_value(["task"])
    at.run()
    table = _timeline_table(at)
    kinds = set(table["kind"])
    assert kinds == {"task"}
    assert at.get("download_button")


def test_my_work_on_a_hostile_workspace_shows_text_only(app_test, tmp_path):
    import hostile
    from cs_analytics.core.db import close_workspace
    from test_hostile_pages import assert_no_live_markup, shown

    path = tmp_path / "hostile.duckdb"
    ws = hostile.build_hostile_workspace(path) or open_workspace(path)
    account = ws.scalar("SELECT account_id FROM accounts WHERE account_name = ?", [hostile.LINK_NAME])
    add_task(ws, account, hostile.HTML_NAME, "2020-01-01", user=hostile.CSM, note=hostile.NOTE)
    close_workspace(path)
    at = app_test(PAGE, workspace=path, timeout=120)
    assert_no_exception(at)
    _open(at, "my_work_table_open")  # the table of every task, built only when opened
    assert_no_live_markup(at)
    texts = shown(at)
    assert any(hostile.HTML_NAME in t for t in texts) and any(hostile.NOTE in t for t in texts)
    assert any(t.startswith(hostile.LINK_NAME) for t in texts)  # the page link's label, literally
