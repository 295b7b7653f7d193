"""My work page: the current user's tasks by due date, one click from each account; add a task;
edit the task rules. The rules run on page load when the workspace changed since they last ran."""
from __future__ import annotations

import datetime as dt
import urllib.parse

import streamlit as st

from cs_analytics.tasks.rule_config import set_rule_config
from cs_analytics.tasks.run import ensure_rules_current
from cs_analytics.tasks.store import add_task, set_status
from cs_analytics.views.my_work import ALL_OWNERS, MyWorkView, my_work_view, owner_matching
from ui.cache import cached_view
from ui.common import current_filter, download_csv, get_workspace, require_data, view_as_of
from ui.identity import current_user, identity_box
from ui.tables import show_accounts_table
from ui.text import md
from ui.view import view_query

STATES = {"open": "Open", "snoozed": "Snoozed", "done": "Done"}
FLASH_KEY = "my_work_flash"
TABLE_LABELS = {"due_date": "Due", "state": "State", "overdue": "Overdue", "account_name": "Account name",
                "title": "Task", "reason": "Why", "owner": "Owner", "rule": "Raised by", "note": "Last note"}


def choose_owner(owners: tuple[str, ...], user: str | None) -> str:
    """The owner whose tasks are shown: the user's own by default; a leader picks anyone or all."""
    mine = owner_matching(owners, user)
    options = [ALL_OWNERS, *owners]
    if st.session_state.get("my_work_owner_for") != user:  # a new name: show that person's tasks
        st.session_state["my_work_owner_for"] = user
        st.session_state["my_work_owner"] = mine or ALL_OWNERS
    owner = st.selectbox("Whose tasks", options, index=options.index(mine) if mine else 0,
                         format_func=lambda o: "All owners" if o == ALL_OWNERS else o, key="my_work_owner")
    if user and not mine:
        st.caption(f"No account is owned by “{md(user)}”: pick your name as the accounts spell it.")
    return owner


def account_link(account_id: str, name: object) -> None:
    params = dict(urllib.parse.parse_qsl(view_query()))
    params["account"] = account_id
    label = f"{name} ({account_id})" if isinstance(name, str) and name else account_id
    st.page_link("app_pages/account.py", label=md(label), query_params=params, icon=":material/person:")


def change_status(task, status: str, user: str | None) -> None:
    task_id = int(task.task_id)
    if not user:
        st.error("Enter your name above first: every task change records who made it.")
        return
    note = st.session_state.get(f"task_note_{task_id}")
    until = st.session_state.get(f"task_until_{task_id}") if status == "snoozed" else None
    try:
        set_status(get_workspace(), task_id, status, user=user, note=note, snooze_until=until)
    except ValueError as exc:
        st.error(md(str(exc)))
        return
    st.session_state[FLASH_KEY] = f"Task “{task.title}” on {task.account_id}: {status}."
    st.rerun()


def task_actions(task, user: str | None) -> None:
    """The task's Update popover. Its form is built only while the popover is open (opening it
    reruns the page): 25 closed forms of four widgets each cost the page 0.2-0.3 s per run."""
    task_id = int(task.task_id)
    with st.popover("Update", width="stretch", key=f"task_update_{task_id}", on_change="rerun") as update:
        if not update.open:
            return
        st.text_input("Note", key=f"task_note_{task_id}", placeholder="what you did or why")
        if task.state == "open":
            if st.button("Mark done", key=f"task_done_{task_id}", type="primary"):
                change_status(task, "done", user)
            st.date_input("Snooze until", value=dt.date.today() + dt.timedelta(days=7),
                          min_value=dt.date.today() + dt.timedelta(days=1), key=f"task_until_{task_id}")
            if st.button("Snooze", key=f"task_snooze_{task_id}"):
                change_status(task, "snoozed", user)
        elif st.button("Reopen", key=f"task_reopen_{task_id}"):
            change_status(task, "open", user)


def task_row(task, user: str | None) -> None:
    with st.container(border=True):
        due, what, actions = st.columns([1, 5, 1])
        due.markdown(f":red[**Overdue**]  \n{task.due_date:%Y-%m-%d}" if task.overdue else f"Due  \n{task.due_date:%Y-%m-%d}")
        with what:
            st.markdown(f"**{md(task.title)}** · {md(task.owner or 'no owner')}")
            account_link(task.account_id, task.account_name)
            st.caption(md(task.reason))
            if isinstance(task.note, str) and task.note:
                st.caption(f"Note by {md(task.changed_by)}: {md(task.note)}")
        with actions:
            task_actions(task, user)


def task_list(view: MyWorkView, user: str | None) -> None:
    st.caption(md(view.summary))
    if view.tasks.empty:
        st.info(md(view.empty_message))
        return
    for task in view.shown.itertuples():
        task_row(task, user)
    label = f"All {len(view.tasks):,} as a table" if len(view.tasks) > len(view.shown) else "As a table"
    with st.expander(label, key="my_work_table_open", on_change="rerun") as table:
        if not table.open:  # built only when opened, like the forms below and each task's Update
            return
        show_accounts_table(view.table, TABLE_LABELS, key="my_work_table")
        download_csv(view.tasks, "tasks.csv", key="my_work_csv")


def add_task_form(user: str | None, owner: str) -> None:
    with st.expander("Add a task", key="task_add_open", on_change="rerun") as add:
        if add.open:
            _add_task_fields(user, owner)


def _add_task_fields(user: str | None, owner: str) -> None:
    with st.form("task_add", clear_on_submit=True):
        account = st.text_input("Account ID", key="task_add_account")
        title = st.text_input("Task", key="task_add_title", placeholder="e.g. Prepare the QBR")
        due = st.date_input("Due", value=dt.date.today() + dt.timedelta(days=7), key="task_add_due")
        who = st.text_input("Owner (blank: the account's CSM)", value=owner, key="task_add_owner")
        note = st.text_input("Why", key="task_add_note")
        if st.form_submit_button("Add the task"):
            if not user:
                st.error("Enter your name above first: every task records who added it.")
                return
            try:
                task_id = add_task(get_workspace(), account, title, due, user=user, owner=who, note=note)
            except ValueError as exc:
                st.error(md(str(exc)))
                return
            st.session_state[FLASH_KEY] = f"Task {task_id} added."
            st.rerun()


def rules_editor(view: MyWorkView, user: str | None) -> None:
    with st.expander("Task rules: what raises a task", key="task_rules_open", on_change="rerun") as rules:
        if rules.open:
            _rule_fields(view, user)


def _rule_fields(view: MyWorkView, user: str | None) -> None:
    with st.form("task_rules"):
        edits: dict[str, dict] = {}
        for name, spec in view.specs.items():
            st.markdown(f"**{md(spec.label)}**")
            st.caption(md(spec.description))
            config, edits[name] = view.rules[name], {}
            cols = st.columns(len(spec.params))
            for col, param in zip(cols, spec.params):
                key = f"rule_{name}_{param.name}"
                if isinstance(param.default, bool):
                    edits[name][param.name] = col.checkbox(param.label, value=bool(config[param.name]), key=key)
                else:
                    kind = int if isinstance(param.default, int) else float
                    edits[name][param.name] = col.number_input(
                        param.label, min_value=kind(param.low), max_value=kind(param.high),
                        value=kind(config[param.name]), key=key)
        if st.form_submit_button("Save the rules"):
            if not user:
                st.error("Enter your name above first: every rule change records who made it.")
                return
            for name, values in edits.items():
                if values != view.rules[name]:
                    set_rule_config(get_workspace(), name, values, user=user)
            st.session_state[FLASH_KEY] = "Rules saved; they run again on the next page load."
            st.rerun()


def main() -> None:
    ws = get_workspace()
    st.title("My work")
    if not require_data(ws, ("accounts",)):  # tasks need accounts only: a usage-only workspace has them
        return
    user = current_user()
    identity_box()
    if st.session_state.get(FLASH_KEY):
        st.success(md(st.session_state.pop(FLASH_KEY)))
    with st.spinner("Checking the task rules…"):
        run = ensure_rules_current(ws, view_as_of(ws))
    if run is not None and run.created_total:
        st.caption(f"The rules raised {run.created_total:,} new task(s) as of {run.as_of:%Y-%m-%d}.")
    owners = cached_view(my_work_view, ws, current_filter(), view_as_of(ws)).owners
    left, right = st.columns([2, 3])
    with left:
        owner = choose_owner(owners, user)
    with right:
        state = st.radio("Tasks", list(STATES), format_func=STATES.get, horizontal=True, key="my_work_state")
    view = cached_view(my_work_view, ws, current_filter(), view_as_of(ws), owner, state)
    task_list(view, user)
    add_task_form(user, owner)
    rules_editor(view, user)


main()
