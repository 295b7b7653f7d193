"""CLI commands of the tasks group (docs/spec/cli.md): tasks, task add|done|snooze|reopen|rules,
timeline, digest."""
from __future__ import annotations

import getpass
import os
import sys

import pandas as pd

from cs_analytics.cli.common import add_command, common_options, iso_date, workspace_from
from cs_analytics.digest.build import build_digest
from cs_analytics.digest.deliver import deliver, load_config
from cs_analytics.digest.render import FORMATS, render_digest
from cs_analytics.tasks.rule_config import RULES, parse_assignment, rule_configs, set_rule_config
from cs_analytics.tasks.run import ensure_rules_current
from cs_analytics.tasks.store import LIST_STATUSES, add_task, list_tasks, set_status
from cs_analytics.tasks.timeline import TIMELINE_KINDS, timeline

# docs/spec/cli.md's columns, then what a CSM needs to act (overdue, account_name, title, reason)
TASK_LIST_COLUMNS = ["task_id", "account_id", "kind", "owner", "due_date", "status", "created_at",
                     "overdue", "account_name", "title", "reason"]
USER_ENV_VAR = "CS_ANALYTICS_USER"


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    p = add_command(subparsers, common, "tasks", cmd_tasks, "tasks by due date (rules run first when the data changed)",
                    "List tasks by due date, overdue first. The task rules run first when anything was "
                    "written since they last ran (docs/tasks.md).")
    p.add_argument("--owner", metavar="NAME", help="one CSM's tasks (case-insensitive); default everyone's")
    p.add_argument("--status", choices=LIST_STATUSES, default="open", help="default open")
    p.add_argument("--no-rules", action="store_true", dest="no_rules", help="do not run the rules first")
    task = subparsers.add_parser("task", help="add a task, mark one done, snooze or reopen it, edit the rules",
                                 description="Change tasks and the task rules.")
    actions = task.add_subparsers(dest="task_action", metavar="ACTION", required=True)
    p = add_command(actions, common, "add", cmd_task_add, "add a task to an account", "Add a task by hand.")
    p.add_argument("account_id", metavar="ACCOUNT_ID")
    p.add_argument("--title", required=True)
    p.add_argument("--due", required=True, type=iso_date, metavar="DATE", help="due date YYYY-MM-DD")
    p.add_argument("--owner", help="default: the account's CSM owner")
    p.add_argument("--note", help="why (the task's reason)")
    p.add_argument("--user", help=f"who adds it (default ${USER_ENV_VAR}, else the login name)")
    for name, summary in (("done", "mark a task done"), ("snooze", "snooze a task until a date"),
                          ("reopen", "reopen a done or snoozed task")):
        p = add_command(actions, common, name, cmd_task_status, summary, summary.capitalize() + " (recorded with a note).")
        p.add_argument("task_id", type=int, metavar="TASK_ID")
        p.add_argument("--note")
        p.add_argument("--user", help=f"who (default ${USER_ENV_VAR}, else the login name)")
        if name == "snooze":
            p.add_argument("--until", required=True, type=iso_date, metavar="DATE", help="YYYY-MM-DD, after today")
    p = add_command(actions, common, "rules", cmd_task_rules, "show or change the task rules",
                    "The rules' settings in force; --set RULE.PARAM=VALUE changes one (repeatable). "
                    "Rules: " + ", ".join(RULES) + ".")
    p.add_argument("--set", action="append", default=[], dest="assignments", metavar="RULE.PARAM=VALUE")
    p.add_argument("--user", help=f"who (default ${USER_ENV_VAR}, else the login name)")
    p = add_command(subparsers, common, "timeline", cmd_timeline, "one account's timeline",
                    "Band changes, assessments, flags, tasks, NPS and contracts of one account, in time order.")
    p.add_argument("account_id", metavar="ACCOUNT_ID")
    p.add_argument("--kind", action="append", choices=TIMELINE_KINDS, dest="kinds", help="only these kinds (repeatable)")
    digest = subparsers.add_parser("digest", parents=[common_options()], conflict_handler="resolve",
                                   help="what changed in a book since a date",
                                   description="Accounts that turned, new green-but-failing, flags due, "
                                               "renewals at risk and open tasks, each linking to the app.")
    digest.set_defaults(handler=cmd_digest)  # its own copy of the common options: --format differs
    digest.add_argument("--format", choices=FORMATS, default="md", help="md (default), html or json")
    digest.add_argument("--owner", metavar="NAME", help="one CSM's book (case-insensitive); default every book")
    digest.add_argument("--since", type=iso_date, metavar="DATE", help="default: 7 days before the as-of date")
    digest.add_argument("--send", action="store_true", help="deliver by the SMTP / webhook of secrets.toml [digest]")
    digest.add_argument("--secrets", metavar="FILE", help="secrets file (default .streamlit/secrets.toml)")


def _user(args) -> str:
    return args.user or os.environ.get(USER_ENV_VAR) or getpass.getuser()


def task_rows(frame: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Tasks as the CLI prints them: kind = the rule that raised it ('manual' when added by a
    person), status = the state today (a snooze that ended reads open)."""
    out = frame.rename(columns={"rule": "kind", "state": "status"})
    return out[TASK_LIST_COLUMNS + list(extra)].reset_index(drop=True)


def _one_task(ws, task_id: int) -> pd.DataFrame:
    every = list_tasks(ws, status="all")
    return every[every["task_id"] == task_id]


def cmd_tasks(args) -> pd.DataFrame:
    ws = workspace_from(args)
    if not args.no_rules:
        run = ensure_rules_current(ws, args.as_of)
        if run is not None and run.created_total:
            print(f"The rules raised {run.created_total} new task(s).", file=sys.stderr)
    return task_rows(list_tasks(ws, args.owner, args.status))


def cmd_task_add(args) -> pd.DataFrame:
    ws = workspace_from(args)
    task_id = add_task(ws, args.account_id, args.title, args.due, user=_user(args), owner=args.owner, note=args.note)
    return task_rows(_one_task(ws, task_id))


def cmd_task_status(args) -> pd.DataFrame:
    ws = workspace_from(args)
    status = {"done": "done", "snooze": "snoozed", "reopen": "open"}[args.task_action]
    set_status(ws, args.task_id, status, user=_user(args), note=args.note, snooze_until=getattr(args, "until", None))
    return task_rows(_one_task(ws, args.task_id), ("note", "changed_by"))


def cmd_task_rules(args) -> pd.DataFrame:
    ws = workspace_from(args)
    changes: dict[str, dict] = {}
    for text in args.assignments:
        rule, param, value = parse_assignment(text)
        changes.setdefault(rule, {})[param] = value
    for rule, values in changes.items():
        set_rule_config(ws, rule, values, user=_user(args))
    rows = [{"rule": name, "setting": key, "value": value, "meaning": RULES[name].param(key).label}
            for name, config in rule_configs(ws).items() for key, value in config.items()]
    return pd.DataFrame(rows)


def cmd_timeline(args) -> pd.DataFrame:
    ws = workspace_from(args, need_data=True)
    return timeline(ws, args.account_id, args.as_of, tuple(args.kinds or TIMELINE_KINDS))


def cmd_digest(args) -> str:
    config = load_config(args.secrets)
    ws = workspace_from(args, need_data=True)
    ensure_rules_current(ws, args.as_of)
    digest = build_digest(ws, args.owner, args.since, args.as_of, app_url=config.app_url)
    if args.send:
        for sentence in deliver(digest, config):
            print(f"The digest was {sentence}.", file=sys.stderr)
    return render_digest(digest, args.format).rstrip("\n")
