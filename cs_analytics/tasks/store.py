"""Tasks: what needs a CSM, with an owner, a due date and a reason; an append-only history.

A task is created once (table `tasks`, never updated) with an `open` event; every status change
(open / done / snoozed, with a note, and for a snooze the day it ends) is a new row of
`task_events` recording who and when. A task's stored status is its latest event. Its
**state** on a day is that status, except that a snooze whose `snooze_until` has arrived reads
`open` again; an open task whose due date is before the day is **overdue**.

Rule-raised tasks carry a `rule_key` (rule|account|subject) that is UNIQUE in DuckDB, so no
rule raises the same task twice, whatever the number of runs or processes (`raise_tasks`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import duckdb
import pandas as pd

from cs_analytics.core.db import finish_pending_result, load_sql
from cs_analytics.core.ids import normalise_id
from cs_analytics.core.schema import GENERATION_KEY, bump_tasks_generation_in

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

STATUSES = ("open", "done", "snoozed")
LIST_STATUSES = ("open", "done", "snoozed", "all")
MANUAL_RULE = "manual"
RULES_CHECKED_KEY = "task_rules_checked"
TASK_COLUMNS = ["task_id", "due_date", "state", "overdue", "account_id", "account_name", "title",
                "reason", "owner", "rule", "note", "snooze_until", "changed_by", "changed_at",
                "created_by", "created_at"]


@dataclass(frozen=True)
class NewTask:
    """A task to create: from a rule (with rule_key) or from a person (rule 'manual')."""

    rule: str
    account_id: str
    title: str
    reason: str
    owner: str | None
    due_date: dt.date
    rule_key: str | None = None


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _require_user(user: str | None) -> str:
    name = _clean(user)
    if not name:
        raise ValueError("A task change needs the name of the person making it (user).")
    return name


def same_owner(a: object, b: object) -> bool:
    """Whether two owner names are the same person: compared trimmed and case-insensitively."""
    return isinstance(a, str) and isinstance(b, str) and a.strip().casefold() == b.strip().casefold()


def bump_keeping_rules_fresh(cur: duckdb.DuckDBPyConnection) -> None:
    """Bump the generation inside the caller's transaction; when the rules had been checked at
    the generation before, mark them checked at the new one too: a task change alone never
    makes the rules run again (tasks/run.py)."""
    before = cur.execute("SELECT value FROM workspace_info WHERE key = ?", [GENERATION_KEY]).fetchone()
    marker = cur.execute("SELECT value FROM workspace_info WHERE key = ?", [RULES_CHECKED_KEY]).fetchone()
    bump_tasks_generation_in(cur)
    if before and marker and marker[0].split("|", 1)[0] == before[0]:
        after = cur.execute("SELECT value FROM workspace_info WHERE key = ?", [GENERATION_KEY]).fetchone()[0]
        cur.execute("UPDATE workspace_info SET value = ? WHERE key = ?",
                    [after + "|" + marker[0].split("|", 1)[1], RULES_CHECKED_KEY])


def insert_tasks(cur: duckdb.DuckDBPyConnection, tasks: Iterable[NewTask], user: str,
                 now: dt.datetime) -> list[int]:
    """Insert tasks with their `open` event on the caller's cursor, in two set-based statements
    (one per row took 7 ms: 60 s for the 8k tasks a 100k-account workspace raised); a rule_key
    already stored, or met earlier in `tasks`, is skipped (the UNIQUE key). Returns the ids of the
    tasks created, in the order given."""
    seen: set[str] = set()
    unique = []
    for task in tasks:
        if task.rule_key is not None:
            if task.rule_key in seen:
                continue
            seen.add(task.rule_key)
        unique.append(task)
    if not unique:
        return []
    frame = pd.DataFrame({
        "ord": range(len(unique)),
        "rule_key": pd.Series([t.rule_key for t in unique], dtype=object),
        "rule": pd.Series([t.rule for t in unique], dtype=object),
        "account_id": pd.Series([t.account_id for t in unique], dtype=object),
        "title": pd.Series([t.title for t in unique], dtype=object),
        "reason": pd.Series([t.reason for t in unique], dtype=object),
        "owner": pd.Series([_clean(t.owner) for t in unique], dtype=object),
        "due_date": pd.Series([t.due_date for t in unique], dtype=object),
    })
    params = {"user": user, "now": now}
    finish_pending_result(cur)  # the caller's last fetchone(): register refuses beside it
    cur.register("_new_tasks", frame)
    try:
        created = sorted(int(row[0]) for row in cur.execute(load_sql("tasks/insert_tasks"), params).fetchall())
    finally:
        cur.unregister("_new_tasks")
    if created:
        cur.register("_created_tasks", pd.DataFrame({"task_id": created}))
        try:
            cur.execute(load_sql("tasks/insert_open_events"), params)
        finally:
            cur.unregister("_created_tasks")
    return created


def add_task(ws: "Workspace", account_id: str, title: str, due_date: dt.date | str, *, user: str,
             owner: str | None = None, note: str | None = None, now: dt.datetime | None = None) -> int:
    """A task a person adds (rule 'manual'); owner defaults to the account's CSM. Returns its id."""
    account_id = normalise_id(account_id) or ""
    title = _clean(title)
    if not title:
        raise ValueError("A task needs a title.")
    if isinstance(due_date, str):
        try:
            due_date = dt.date.fromisoformat(due_date.strip())
        except ValueError:
            raise ValueError(f"A due date is YYYY-MM-DD, got {due_date!r}.") from None
    user = _require_user(user)
    now = now or dt.datetime.now()
    with ws.transaction(bump_generation=False) as cur:
        found = cur.execute("SELECT csm_owner FROM accounts WHERE account_id = ?", [account_id]).fetchone()
        if found is None:
            raise ValueError(f"Unknown account {account_id!r}; check the account id.")
        task = NewTask(MANUAL_RULE, account_id, title, _clean(note) or f"Added by {user}",
                       _clean(owner) or found[0], due_date)
        task_id = insert_tasks(cur, [task], user, now)[0]
        bump_keeping_rules_fresh(cur)
    return task_id


def set_status(ws: "Workspace", task_id: int, status: str, *, user: str, note: str | None = None,
               snooze_until: dt.date | str | None = None, now: dt.datetime | None = None) -> int:
    """Record a status change of a task (open / done / snoozed) and return the event id.

    A snooze needs a `snooze_until` after today; marking done a task already done is refused. The
    check and the append happen in one transaction under the workspace's write lock."""
    if status not in STATUSES:
        raise ValueError(f"A task's status is one of {', '.join(STATUSES)}, not {status!r}.")
    user = _require_user(user)
    now = now or dt.datetime.now()
    if isinstance(snooze_until, str):
        snooze_until = dt.date.fromisoformat(snooze_until.strip())
    if status == "snoozed" and (snooze_until is None or snooze_until <= now.date()):
        raise ValueError("A snooze needs a date after today (snooze until).")
    if status != "snoozed":
        snooze_until = None
    with ws.transaction(bump_generation=False) as cur:
        latest = cur.execute(load_sql("tasks/latest_status"), [int(task_id)]).fetchone()
        if latest is None:
            raise ValueError(f"There is no task {task_id}.")
        if latest[0] == status == "done":
            raise ValueError(f"Task {task_id} is done already.")
        event = cur.execute(load_sql("tasks/insert_event"),
                            [int(task_id), status, _clean(note), snooze_until, user, now]).fetchone()[0]
        bump_keeping_rules_fresh(cur)
    return int(event)


def task_states(ws: "Workspace", today: dt.date | None = None) -> pd.DataFrame:
    """Every task with its state on `today` (default: the calendar date) and whether it is
    overdue; columns TASK_COLUMNS, sorted by due date then id."""
    today = today or dt.date.today()
    frame = ws.query_named("tasks/task_states")
    for col in ("due_date", "snooze_until"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    woke = (frame["stored_status"] == "snoozed") & frame["snooze_until"].map(
        lambda d: d is not None and not pd.isna(d) and d <= today)
    frame["state"] = frame["stored_status"].where(~woke, "open")
    frame["overdue"] = (frame["state"] == "open") & frame["due_date"].map(lambda d: d < today)
    return frame[TASK_COLUMNS].reset_index(drop=True)


def list_tasks(ws: "Workspace", owner: str | None = None, status: str = "open",
               today: dt.date | None = None) -> pd.DataFrame:
    """Tasks in state `status` ('all' for every state) of `owner` (None: everyone's; matched
    case-insensitively), by due date: overdue ones come first because they are due earliest."""
    if status not in LIST_STATUSES:
        raise ValueError(f"--status is one of {', '.join(LIST_STATUSES)}, not {status!r}.")
    frame = task_states(ws, today)
    if status != "all":
        frame = frame[frame["state"] == status]
    if _clean(owner):
        frame = frame[frame["owner"].map(lambda o: same_owner(o, owner))]
    return frame.reset_index(drop=True)


def task_events(ws: "Workspace", account_id: str | None = None) -> pd.DataFrame:
    """Every status change (creation included, as 'open') of one account's tasks, oldest first."""
    return ws.query_named("tasks/task_events", [account_id, account_id])
