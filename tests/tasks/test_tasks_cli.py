"""The tasks commands end to end through cli.main: tasks, task add|done|snooze|reopen|rules, timeline."""
from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd

from cs_analytics.cli.main import main
from cs_analytics.core.db import close_workspace, open_workspace
from task_data import small_demo_path  # noqa: F401 (fixtures)


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_tasks_run_the_rules_then_a_csm_works_them(small_demo_path, capsys):
    ws = ["--workspace", str(small_demo_path)]
    code, out, err = _run(capsys, "tasks", *ws, "--format", "csv")
    assert code == 0 and "The rules raised" in err
    every = pd.read_csv(io.StringIO(out))
    assert list(every.columns) == ["task_id", "account_id", "kind", "owner", "due_date", "status", "created_at",
                                   "overdue", "account_name", "title", "reason"]  # docs/spec/cli.md, then more
    assert every["due_date"].is_monotonic_increasing and set(every["status"]) == {"open"}
    owner = every["owner"].value_counts().index[0]
    code, out, err = _run(capsys, "tasks", *ws, "--owner", owner.swapcase(), "--format", "json")
    mine = json.loads(out)
    assert code == 0 and {t["owner"] for t in mine} == {owner} and "rules raised" not in err
    first, second = mine[0]["task_id"], mine[1]["task_id"]
    assert _run(capsys, "task", "done", str(first), *ws, "--note", "called", "--user", owner)[0] == 0
    until = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    assert _run(capsys, "task", "snooze", str(second), *ws, "--until", until, "--user", owner)[0] == 0
    code, out, _ = _run(capsys, "tasks", *ws, "--owner", owner, "--format", "json")
    assert {t["task_id"] for t in json.loads(out)} == {t["task_id"] for t in mine} - {first, second}
    code, out, _ = _run(capsys, "tasks", *ws, "--owner", owner, "--status", "done", "--format", "json")
    assert [t["task_id"] for t in json.loads(out)] == [first]
    code, _, err = _run(capsys, "task", "done", str(first), *ws, "--user", owner)
    assert code == 1 and "done already" in err
    code, out, _ = _run(capsys, "task", "add", mine[0]["account_id"], *ws, "--title", "QBR", "--due", "2026-12-01",
                        "--user", owner, "--format", "json")
    assert code == 0 and json.loads(out)[0]["owner"] == owner and json.loads(out)[0]["kind"] == "manual"
    code, out, _ = _run(capsys, "timeline", mine[0]["account_id"], *ws, "--kind", "task", "--format", "json")
    events = json.loads(out)
    assert code == 0 and {e["kind"] for e in events} == {"task"}
    assert any(e["what"].startswith("Task done") and e["who"] == owner and e["detail"] == "called" for e in events)


def test_task_rules_show_and_change(small_demo_path, capsys):
    ws = ["--workspace", str(small_demo_path)]
    code, out, _ = _run(capsys, "task", "rules", *ws, "--set", "renewal_risk.window_days=45",
                        "--set", "band_drop.enabled=off", "--user", "Lead", "--format", "json")
    rows = {(r["rule"], r["setting"]): r["value"] for r in json.loads(out)}
    assert code == 0 and rows[("renewal_risk", "window_days")] == 45 and rows[("band_drop", "enabled")] is False
    code, _, err = _run(capsys, "task", "rules", *ws, "--set", "renewal_risk.window_days=9999")
    assert code == 1 and "between 1 and 365" in err
    code, _, err = _run(capsys, "task", "rules", *ws, "--set", "window_days=3")
    assert code == 1 and "RULE.PARAM=VALUE" in err
    code, out, _ = _run(capsys, "tasks", *ws, "--format", "json")
    assert code == 0 and "band_drop" not in {t["kind"] for t in json.loads(out)}
    close_workspace(small_demo_path)
    stored = open_workspace(small_demo_path).query("SELECT rule, set_by FROM task_rule_changes")
    assert set(stored["set_by"]) == {"Lead"}


def test_timeline_of_an_unknown_account_is_one_sentence(small_demo_path, capsys):
    code, _, err = _run(capsys, "timeline", "NOPE", "--workspace", str(small_demo_path))
    assert code == 1 and "Unknown account 'NOPE'" in err
