"""The My work page: one owner's tasks (or everyone's) in one state, by due date, and the rules.

Tasks come from tasks.store.list_tasks (state on today, overdue = open and due before today);
the page runs the rules first (tasks.run.ensure_rules_current), so rule-raised tasks are there.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from cs_analytics.core.filters import AccountFilter, keep_filtered
from cs_analytics.core.formatting import count_noun
from cs_analytics.tasks.rule_config import RULES, RuleSpec, rule_configs
from cs_analytics.tasks.store import list_tasks, same_owner
from cs_analytics.tasks.timeline import TIMELINE_KINDS, timeline

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

ALL_OWNERS = ""  # the owner argument meaning "every owner"
SHOWN_TASKS = 25  # tasks listed one by one with their actions; the table below lists them all
TABLE_COLUMNS = ["account_id", "due_date", "state", "overdue", "account_name", "title", "reason", "owner",
                 "rule", "note"]
STATE_WORDS = {"open": "open", "snoozed": "snoozed", "done": "done"}


@dataclass(frozen=True)
class MyWorkView:
    owner: str  # ALL_OWNERS for everyone's
    state: str
    today: dt.date
    tasks: pd.DataFrame  # list_tasks' columns, due date order
    owners: tuple[str, ...]  # every CSM owner, as the accounts spell them
    rules: dict[str, dict[str, Any]]
    specs: dict[str, RuleSpec]

    @property
    def shown(self) -> pd.DataFrame:
        return self.tasks.head(SHOWN_TASKS)

    @property
    def table(self) -> pd.DataFrame:
        """Every task as the page's table shows it (TABLE_COLUMNS)."""
        return self.tasks[TABLE_COLUMNS]

    @property
    def overdue(self) -> int:
        return int(self.tasks["overdue"].sum()) if len(self.tasks) else 0

    @property
    def summary(self) -> str:
        """One sentence: how many tasks, how many overdue, and the order."""
        whose = "everyone's" if self.owner == ALL_OWNERS else f"{self.owner}'s"
        count = count_noun(len(self.tasks), f"{STATE_WORDS[self.state]} task")
        if self.state != "open":
            return f"{count} ({whose}), by due date."
        late = f", {self.overdue} overdue (listed first: they are due earliest)" if self.overdue else ", none overdue"
        return f"{count} ({whose}){late}."

    @property
    def empty_message(self) -> str:
        if self.state == "open":
            return ("Nothing needs you today: no open task. The rules raise tasks when an account drops a "
                    "band, turns green-but-failing, has a flag past review, a renewal at risk or a "
                    "pre-renewal spike; add one yourself below.")
        return f"No {STATE_WORDS[self.state]} task."


def owner_matching(owners: tuple[str, ...], name: str | None) -> str | None:
    """The owner spelled as the accounts spell `name` (case-insensitive), or None."""
    return next((o for o in owners if same_owner(o, name)), None)


def my_work_view(ws: "Workspace", account_filter: AccountFilter | None, as_of, owner: str = ALL_OWNERS,
                 state: str = "open", today: dt.date | None = None) -> MyWorkView:
    """The page's result for `owner` (ALL_OWNERS: everyone) and tasks in `state`."""
    today = today or dt.date.today()
    tasks = list_tasks(ws, owner or None, state, today)
    tasks = keep_filtered(ws, tasks, account_filter).reset_index(drop=True)
    owners = ws.query("SELECT DISTINCT csm_owner FROM accounts WHERE csm_owner IS NOT NULL ORDER BY 1")
    return MyWorkView(owner, state, today, tasks, tuple(owners["csm_owner"]), rule_configs(ws), RULES)


@dataclass(frozen=True)
class TimelineView:
    account_id: str
    events: pd.DataFrame  # at, kind, what, who, detail; every kind, newest first

    def of_kinds(self, kinds: tuple[str, ...]) -> pd.DataFrame:
        """The events of the chosen kinds (computed once, filtered per choice without rescoring)."""
        return self.events[self.events["kind"].isin(kinds)].reset_index(drop=True)

    @staticmethod
    def caption(events: pd.DataFrame) -> str:
        return f"{count_noun(len(events), 'event')}, newest first."


def timeline_view(ws: "Workspace", account_filter: AccountFilter | None, as_of, account_id: str) -> TimelineView:
    """One account's timeline (tasks.timeline) of every kind, newest first."""
    return TimelineView(account_id, timeline(ws, account_id, as_of, TIMELINE_KINDS, newest_first=True))
