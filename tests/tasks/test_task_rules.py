"""Each task rule: what it raises (against a pandas reference), idempotence (twice, two threads,
two processes), switched off, thresholds, and when the rules run (the generation marker)."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.scoring import score_snapshots
from cs_analytics.reality.flags import flag_account
from cs_analytics.reality.quadrants import quadrants, renewal_dates
from cs_analytics.reality.spikes import activity_spikes
from cs_analytics.tasks.rule_config import set_rule_config
from cs_analytics.tasks.rules import previous_month_end
from cs_analytics.tasks.run import ensure_rules_current, evaluate_rules, rules_checked, run_rules
from cs_analytics.tasks.store import list_tasks, set_status
from task_data import small_demo, small_demo_path  # noqa: F401 (fixtures)

TODAY = dt.date(2026, 11, 20)
ROOT = Path(__file__).resolve().parents[2]


def _accounts(tasks) -> set[str]:
    return {t.account_id for t in tasks}


def _stored(ws) -> pd.DataFrame:
    return ws.query("SELECT rule, rule_key, account_id, owner, due_date FROM tasks")


def _bands(ws):
    as_of = resolve_as_of(ws)
    prev = previous_month_end(as_of)
    scores = score_snapshots(ws, [prev, as_of])
    wide = scores.pivot(index="account_id", columns="as_of", values="band").dropna()
    return as_of, prev, wide.rename(columns={pd.Timestamp(prev).date(): "before", as_of: "now"})


def test_band_drop_matches_a_pandas_reference(small_demo):
    as_of, prev, wide = _bands(small_demo)
    rank = {"red": 0, "yellow": 1, "green": 2}
    drop = wide["before"].map(rank) - wide["now"].map(rank)
    proposed = evaluate_rules(small_demo, today=TODAY)["band_drop"]
    assert _accounts(proposed) == set(wide.index[drop >= 1]) and proposed
    turned_red = [t for t in proposed if t.title == "Turned red"]
    assert _accounts(turned_red) == set(wide.index[(drop >= 1) & (wide["now"] == "red")])
    owners = small_demo.query("SELECT account_id, csm_owner FROM accounts").set_index("account_id")["csm_owner"]
    assert all(t.owner == owners[t.account_id] for t in proposed)
    assert all(t.due_date == TODAY + dt.timedelta(days=7) for t in proposed)
    set_rule_config(small_demo, "band_drop", {"min_bands_dropped": 2})
    two = evaluate_rules(small_demo, today=TODAY)["band_drop"]
    assert _accounts(two) == set(wide.index[drop >= 2])


def test_green_but_failing_raises_only_new_ones(small_demo):
    as_of, prev, _ = _bands(small_demo)
    now, before = quadrants(small_demo), quadrants(small_demo, prev)
    new = set(now.loc[now["quadrant"] == "green_but_failing", "account_id"]) - set(
        before.loc[before["quadrant"] == "green_but_failing", "account_id"])
    proposed = evaluate_rules(small_demo, today=TODAY)["green_but_failing"]
    assert _accounts(proposed) == new
    # a CSM flags a healthy green account red: it becomes new green-but-failing and gets a task
    healthy = now[(now["band"] == "green") & (now["quadrant"] == "agree_healthy")]["account_id"].iloc[0]
    flag_account(small_demo, healthy, reason="champion_left", user="Casey")
    assert healthy in _accounts(evaluate_rules(small_demo, today=TODAY)["green_but_failing"])


def test_flag_review_raises_a_task_per_flag_past_review(small_demo):
    account = small_demo.scalar("SELECT min(account_id) FROM accounts")
    flag_id = flag_account(small_demo, account, reason="champion_left", user="Casey",
                           review_by=dt.date(2026, 10, 5), now=dt.datetime(2026, 10, 1, 9))
    proposed = evaluate_rules(small_demo, today=TODAY)["flag_review"]
    assert [(t.account_id, t.rule_key) for t in proposed] == [(account, f"flag_review|{account}|{flag_id}")]
    assert "review by 2026-10-05 has passed" in proposed[0].reason


def test_renewal_risk_matches_a_reference_and_is_due_by_the_renewal(small_demo):
    as_of, _, wide = _bands(small_demo)
    renewals = renewal_dates(small_demo, as_of)
    soon = renewals[renewals["renewal_date"] <= as_of + dt.timedelta(days=90)]
    soon = soon.merge(wide["now"].rename("band").reset_index(), on="account_id")
    proposed = evaluate_rules(small_demo, today=as_of)["renewal_risk"]
    calls = small_demo.query("SELECT account_id, due_date, call, created_at, call_id FROM renewal_calls")
    calls["due_date"] = pd.to_datetime(calls["due_date"]).dt.date
    newest = calls.sort_values(["created_at", "call_id"]).groupby(["account_id", "due_date"]).tail(1)
    at_risk = set(newest[(newest["call"] == "at_risk") & (newest["due_date"] > as_of)]["account_id"])
    assert at_risk, "the demo plants at-risk calls on upcoming renewals"
    expected = soon["band"].isin(["red", "yellow"]) | soon["account_id"].isin(at_risk)
    assert _accounts(proposed) == set(soon.loc[expected, "account_id"])
    renewal_of = soon.set_index("account_id")["renewal_date"]
    assert all(t.due_date == min(as_of + dt.timedelta(days=14), renewal_of[t.account_id]) for t in proposed)
    set_rule_config(small_demo, "renewal_risk", {"include_yellow": "false", "window_days": 30})
    red = evaluate_rules(small_demo, today=as_of)["renewal_risk"]
    ref = soon[((soon["band"] == "red") | soon["account_id"].isin(at_risk))
               & (soon["renewal_date"] <= as_of + dt.timedelta(days=30))]
    assert _accounts(red) == set(ref["account_id"])


def test_renewal_risk_takes_an_at_risk_call(small_demo):
    from cs_analytics.renewals.calls import record_call

    as_of = resolve_as_of(small_demo)
    renewals = renewal_dates(small_demo, as_of)
    green = set(score_snapshots(small_demo, [as_of]).query("band == 'green'")["account_id"])
    target = sorted(set(renewals[renewals["renewal_date"] <= as_of + dt.timedelta(days=90)]["account_id"]) & green)[0]
    assert target not in _accounts(evaluate_rules(small_demo, today=as_of)["renewal_risk"])
    due = renewals.set_index("account_id").loc[target, "renewal_date"]
    record_call(small_demo, target, due, "good", user="Dana Lee")
    assert target not in _accounts(evaluate_rules(small_demo, today=as_of)["renewal_risk"])
    record_call(small_demo, target, due, "at_risk", user="Dana Lee")  # the newest call is in force
    task = next(t for t in evaluate_rules(small_demo, today=as_of)["renewal_risk"] if t.account_id == target)
    assert "renewal call at risk" in task.reason


def test_pre_renewal_spike_within_the_look_back(small_demo):
    as_of = resolve_as_of(small_demo)
    spikes = activity_spikes(small_demo, as_of)
    set_rule_config(small_demo, "pre_renewal_spike", {"lookback_days": 730})
    flagged = spikes[spikes["flagged"] & (spikes["contract_end"] >= as_of - dt.timedelta(days=730))]
    proposed = evaluate_rules(small_demo, today=TODAY)["pre_renewal_spike"]
    assert {(t.account_id, t.rule_key.rsplit("|", 1)[1]) for t in proposed} == {
        (r.account_id, f"{r.contract_end:%Y-%m-%d}") for r in flagged.itertuples()}
    assert len(flagged) > 0


def test_a_rule_switched_off_raises_nothing(small_demo):
    set_rule_config(small_demo, "band_drop", {"enabled": False})
    assert "band_drop" not in evaluate_rules(small_demo, today=TODAY)
    run = run_rules(small_demo, today=TODAY)
    assert "band_drop" not in run.created and small_demo.scalar("SELECT count(*) FROM tasks WHERE rule = 'band_drop'") == 0


def test_bad_rule_settings_are_refused(small_demo):
    for rule, change in (("band_drop", {"min_bands_dropped": 3}), ("renewal_risk", {"window_days": "x"}),
                         ("nope", {"due_days": 1}), ("flag_review", {"threshold": 1})):
        with pytest.raises(ValueError):
            set_rule_config(small_demo, rule, change)


def test_running_twice_raises_nothing_new_and_done_tasks_stay_done(small_demo):
    first = run_rules(small_demo, today=TODAY)
    stored = _stored(small_demo)
    assert first.created_total == len(stored) > 0 and stored["rule_key"].is_unique
    task_id = int(list_tasks(small_demo, today=TODAY).iloc[0]["task_id"])
    set_status(small_demo, task_id, "done", user="Ann", note="handled")
    second = run_rules(small_demo, today=TODAY)
    assert second.created_total == 0 and len(_stored(small_demo)) == len(stored)
    assert task_id not in set(list_tasks(small_demo, today=TODAY)["task_id"])


def test_the_unique_key_refuses_a_task_raised_twice(small_demo):
    """The guarantee itself, without the early skip of run_rules: the same proposals inserted
    twice (as two runs that evaluated at the same time would) are stored once."""
    import datetime as dtm

    from cs_analytics.tasks.store import insert_tasks

    proposals = [t for tasks in evaluate_rules(small_demo, today=TODAY).values() for t in tasks]
    with small_demo.transaction() as cur:
        first = insert_tasks(cur, proposals, "rules", dtm.datetime.now())
        second = insert_tasks(cur, proposals, "rules", dtm.datetime.now())
    assert len(first) == len(proposals) > 0 and second == []
    assert _stored(small_demo)["rule_key"].is_unique


def test_two_threads_running_the_rules_at_once_create_no_duplicate(small_demo):
    barrier = threading.Barrier(2)
    errors = []

    def work():
        try:
            barrier.wait()
            run_rules(small_demo, today=TODAY)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    stored = _stored(small_demo)
    assert len(stored) > 0 and stored["rule_key"].is_unique


def _flags_past_review(path) -> None:
    """A tiny workspace whose three flags are past their review date (cheap to evaluate)."""
    from cs_analytics.core.db import open_workspace
    from factories import build_workspace

    ids = ["A", "B", "C"]
    ws = build_workspace(path, accounts=pd.DataFrame({"account_id": ids, "csm_owner": ["Ann"] * 3}),
                         contracts=pd.DataFrame({"account_id": ids, "start_date": ["2025-01-01"] * 3,
                                                 "end_date": [None] * 3, "mrr": [100.0] * 3}))
    for account in ids:
        flag_account(ws, account, reason="champion_left", user="Casey", review_by=dt.date(2026, 10, 5),
                     now=dt.datetime(2026, 10, 1, 9))
    assert len(evaluate_rules(open_workspace(path), today=TODAY)["flag_review"]) == 3


@pytest.mark.slow
def test_two_processes_running_the_rules_at_once_create_no_duplicate(tmp_path):
    path = tmp_path / "tiny.duckdb"
    _flags_past_review(path)
    close_workspace(path)
    code = ("import sys, datetime as dt; sys.path.insert(0, %r); from cs_analytics.core.db import open_workspace; "
            "from cs_analytics.tasks.run import run_rules; "
            "print(run_rules(open_workspace(sys.argv[1], wait_seconds=60), today=dt.date(2026, 11, 20)).created_total)"
            % str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [int(p.communicate(timeout=300)[0].strip()) for p in procs]
    from cs_analytics.core.db import open_workspace

    stored = _stored(open_workspace(path))
    assert sorted(outs) == [0, 3] and len(stored) == 3 and stored["rule_key"].is_unique


def test_the_rules_run_when_the_data_changed_not_after_a_task_change(small_demo):
    assert ensure_rules_current(small_demo, today=TODAY) is not None
    assert rules_checked(small_demo, today=TODAY)
    assert ensure_rules_current(small_demo, today=TODAY) is None  # nothing written since: one query
    task_id = int(list_tasks(small_demo, today=TODAY).iloc[0]["task_id"])
    set_status(small_demo, task_id, "done", user="Ann")  # a task change alone keeps them current
    assert rules_checked(small_demo, today=TODAY)
    account = small_demo.scalar("SELECT min(account_id) FROM accounts")
    flag_account(small_demo, account, reason="champion_left", user="Casey")  # a data write: stale
    assert not rules_checked(small_demo, today=TODAY)
    assert ensure_rules_current(small_demo, today=TODAY) is not None
    assert not rules_checked(small_demo, today=TODAY + dt.timedelta(days=1))  # a new day: run again
