"""When the task rules run: lazily, when someone looks at tasks and the data changed since.

`ensure_rules_current` is called by the My work page on load and by the `tasks` and `digest`
commands. It compares a marker in `workspace_info` ("generation|as_of|today" at the last check)
with the workspace now: when they match (nothing was written since, same as-of, same day) it
costs one query; otherwise `run_rules` evaluates every enabled rule and inserts the new tasks
and the marker in one transaction. Task changes themselves keep the marker current
(store.bump_keeping_rules_fresh), so marking a task done does not re-run the rules; an ingest,
a flag or a settings change does. Running twice, or in two processes at once, creates no
duplicate: the rule_key is UNIQUE in DuckDB.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cs_analytics.core.schema import GENERATION_KEY, bump_tasks_generation_in
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.tasks.rule_config import rule_configs
from cs_analytics.tasks.rules import RULE_FUNCTIONS, RuleContext
from cs_analytics.tasks.store import RULES_CHECKED_KEY, NewTask, insert_tasks

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

RULES_USER = "rules"


@dataclass(frozen=True)
class RuleRun:
    """What one run of the rules found: tasks proposed and created per rule (rule -> count)."""

    as_of: dt.date | None
    proposed: dict[str, int]
    created: dict[str, int]

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


def evaluate_rules(ws: "Workspace", as_of=None, today: dt.date | None = None,
                   rules: tuple[str, ...] | None = None) -> dict[str, list[NewTask]]:
    """The tasks each enabled rule would raise now ({rule: [NewTask]}); writes nothing."""
    day = resolve_as_of(ws, as_of)
    if day is None:
        return {}
    owners = ws.query_named("tasks/account_owners").set_index("account_id")["csm_owner"]
    ctx = RuleContext(ws, day, today or dt.date.today(), as_of_arg=as_of, owners=owners)
    configs = rule_configs(ws)
    return {name: func(ctx, configs[name]) for name, func in RULE_FUNCTIONS.items()
            if configs[name]["enabled"] and (rules is None or name in rules)}


def _marker(ws_or_cur, as_of, today: dt.date) -> str:
    return f"|{resolve_as_of(ws_or_cur, as_of)}|{today}"


def rules_checked(ws: "Workspace", as_of=None, today: dt.date | None = None) -> bool:
    """Whether the rules ran at the current generation, as-of and day (one small query)."""
    today = today or dt.date.today()
    marker = ws.scalar("SELECT value FROM workspace_info WHERE key = ?", [RULES_CHECKED_KEY])
    return marker == f"{ws.generation()}{_marker(ws, as_of, today)}"


def run_rules(ws: "Workspace", as_of=None, today: dt.date | None = None) -> RuleRun:
    """Evaluate every enabled rule and create the tasks not raised before, in one transaction
    with the freshness marker; the generation is bumped only when a task was created."""
    today = today or dt.date.today()
    proposals = evaluate_rules(ws, as_of, today)
    raised = set(ws.query("SELECT rule_key FROM tasks WHERE rule_key IS NOT NULL")["rule_key"])
    # Skipping keys already raised keeps task ids dense (a refused insert would use up an id);
    # the UNIQUE key still decides when two runs insert at the same time.
    fresh = {rule: [t for t in tasks if t.rule_key not in raised] for rule, tasks in proposals.items()}
    suffix = _marker(ws, as_of, today)
    created: dict[str, int] = {}
    now = dt.datetime.now()
    with ws.transaction(bump_generation=False) as cur:
        for rule, tasks in fresh.items():
            created[rule] = len(insert_tasks(cur, tasks, RULES_USER, now))
        if any(created.values()):
            bump_tasks_generation_in(cur)
        generation = cur.execute("SELECT value FROM workspace_info WHERE key = ?", [GENERATION_KEY]).fetchone()
        cur.execute("INSERT OR REPLACE INTO workspace_info (key, value) VALUES (?, ?)",
                    [RULES_CHECKED_KEY, f"{generation[0] if generation else 0}{suffix}"])
    return RuleRun(resolve_as_of(ws, as_of), {r: len(t) for r, t in proposals.items()}, created)


def ensure_rules_current(ws: "Workspace", as_of=None, today: dt.date | None = None) -> RuleRun | None:
    """Run the rules unless they ran at this generation, as-of and day; None when skipped."""
    if resolve_as_of(ws, as_of) is None or rules_checked(ws, as_of, today):
        return None
    return run_rules(ws, as_of, today)
