"""The task flow in a real browser: a CSM opens My work, sees a rule-raised task, opens its account
in one click, comes back, marks the task done with a note, and it leaves the open list."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import wait_for_app
from cs_analytics.core.db import close_workspace, open_workspace

T = 120_000


@pytest.mark.browser
@pytest.mark.slow
def test_csm_works_a_rule_raised_task(app_server, browser_page, small_demo_master_path, tmp_path):
    from cs_analytics.tasks.run import run_rules
    from cs_analytics.tasks.store import list_tasks

    path = tmp_path / "journey.duckdb"
    shutil.copyfile(small_demo_master_path, path)  # the 200-account demo (seed 3), built once per process
    ws = open_workspace(path)
    run_rules(ws)  # what the page would do on its first load (kept out of the browser's timing)
    tasks = list_tasks(ws)
    owner = tasks["owner"].value_counts().index[0]
    mine = tasks[tasks["owner"] == owner]
    task = mine.iloc[0]  # first by due date: its account link is the first on the page
    close_workspace(path)  # the server process needs the file

    server = app_server(path)
    page = browser_page
    page.goto(f"{server.url}/my_work")
    wait_for_app(page, timeout_ms=T)
    page.get_by_label("Your name (recorded with every flag you make)").fill(owner)
    page.get_by_role("button", name="Use this name").click()
    wait_for_app(page, timeout_ms=T)
    page.get_by_text(re.compile(rf"^{len(mine)} open tasks? \({re.escape(owner)}'s\)")).wait_for(timeout=T)
    # the account may have another task too: the first link with its name is this task's (due first)
    link = page.get_by_role("link", name=f"{task.account_name} ({task.account_id})").first
    page.get_by_text(task.reason).first.wait_for()  # the rule's reason is on the task

    link.click()  # one click: the account's page
    wait_for_app(page, timeout_ms=T)
    page.wait_for_url(re.compile(rf"/account\?.*account={task.account_id}"), timeout=T)
    page.get_by_role("heading", name=task.account_name).wait_for(timeout=T)

    page.get_by_role("link", name="My work").click()
    wait_for_app(page, timeout_ms=T)
    account_links = page.get_by_role("link", name=re.compile(r"\(ACC-\d+\)$"))
    account_links.first.wait_for(timeout=T)
    assert account_links.first.inner_text().strip().endswith(f"({task.account_id})")  # first by due date
    page.get_by_role("button", name="Update").first.click()
    note = page.get_by_label("Note").first
    note.fill("Called the sponsor; plan agreed")
    note.press("Enter")
    wait_for_app(page, timeout_ms=T)
    if not page.get_by_role("button", name="Mark done").first.is_visible():  # a rerun closed the popover
        page.get_by_role("button", name="Update").first.click()
    page.get_by_role("button", name="Mark done").first.click()
    wait_for_app(page, timeout_ms=T)
    page.get_by_text(f"on {task.account_id}: done").wait_for(timeout=T)
    page.get_by_text(re.compile(rf"^{len(mine) - 1} open tasks? \(")).wait_for(timeout=T)
    others = int((mine["account_id"] == task.account_id).sum()) - 1  # the account's other open tasks
    assert page.get_by_role("link", name=f"{task.account_name} ({task.account_id})").count() == others
    server.stop()

    ws = open_workspace(path)
    done = list_tasks(ws, owner, "done")
    close_workspace(path)
    assert done["task_id"].tolist() == [task.task_id]
    assert done.iloc[0]["note"] == "Called the sponsor; plan agreed" and done.iloc[0]["changed_by"] == owner
