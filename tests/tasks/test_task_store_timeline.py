"""Task status changes (recorded, who/when/note, snooze wake-up, refusals) and the account
timeline (order, content, kinds, export), on a small hand-made workspace."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.core.export import to_csv_text
from cs_analytics.reality.flags import flag_account, withdraw_flag
from cs_analytics.tasks.store import add_task, list_tasks, set_status, task_events
from cs_analytics.tasks.timeline import timeline
from factories import build_workspace
from task_data import small_demo, small_demo_path  # noqa: F401 (fixtures)

T0 = dt.datetime(2026, 11, 2, 9, 0)


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "tasks.duckdb"
    workspace = build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": ["A", "B"], "account_name": ["Alpha", "Beta"],
                               "csm_owner": ["Priya Raman", "Bob"]}),
        contracts=pd.DataFrame({"account_id": ["A", "A", "B"], "contract_id": ["A1", "A2", "B1"],
                                "start_date": ["2025-01-01", "2026-01-01", "2025-06-01"],
                                "end_date": ["2025-12-31", "2026-12-31", None], "mrr": [100.0, 120.0, 50.0]}),
        usage=pd.DataFrame({"account_id": ["A"] * 3, "event_date": ["2026-09-01", "2026-10-01", "2026-10-20"]}),
        assessments=pd.DataFrame({"account_id": ["A"], "assessed_at": ["2026-06-15"], "sentiment": ["yellow"],
                                  "csm": ["Priya Raman"], "reason": ["budget_cut"], "note": ["CFO cut"]}),
        nps=pd.DataFrame({"account_id": ["A", "A"], "responded_at": ["2026-03-10", "2026-09-10"],
                          "score": [9, 4], "comment": ["Great", "<b>slow</b>"]}),
    )
    yield workspace
    close_workspace(path)


def test_every_status_change_is_recorded_with_who_when_and_note(ws):
    task_id = add_task(ws, " A ", "Call the sponsor", "2026-11-10", user="Lead", now=T0)
    assert list_tasks(ws, today=dt.date(2026, 11, 3))["owner"].tolist() == ["Priya Raman"]  # the account's CSM
    set_status(ws, task_id, "snoozed", user="Priya", note="on holiday", snooze_until="2026-11-05",
               now=T0 + dt.timedelta(hours=1))
    assert list_tasks(ws, today=dt.date(2026, 11, 4)).empty  # snoozed
    woke = list_tasks(ws, today=dt.date(2026, 11, 5))  # the snooze ended: open again
    assert woke["task_id"].tolist() == [task_id] and not woke["overdue"].iloc[0]
    assert list_tasks(ws, today=dt.date(2026, 11, 11))["overdue"].tolist() == [True]
    set_status(ws, task_id, "done", user="Priya", note="renewed", now=T0 + dt.timedelta(days=3))
    with pytest.raises(ValueError, match="done already"):
        set_status(ws, task_id, "done", user="Priya")
    events = task_events(ws, "A")
    assert events["status"].tolist() == ["open", "snoozed", "done"]
    assert events["user_name"].tolist() == ["Lead", "Priya", "Priya"]
    assert events["note"].tolist()[1:] == ["on holiday", "renewed"]
    done = list_tasks(ws, "priya raman", "done", dt.date(2026, 11, 11))  # the owner, any case
    assert done["task_id"].tolist() == [task_id] and done["changed_by"].iloc[0] == "Priya"
    set_status(ws, task_id, "open", user="Lead", note="not renewed after all")
    assert list_tasks(ws, "PRIYA RAMAN", today=dt.date(2026, 11, 11))["task_id"].tolist() == [task_id]


@pytest.mark.parametrize("call, message", [
    (lambda ws: add_task(ws, "ZZZ", "x", "2026-11-10", user="L"), "Unknown account"),
    (lambda ws: add_task(ws, "A", "  ", "2026-11-10", user="L"), "needs a title"),
    (lambda ws: add_task(ws, "A", "x", "10/11/2026", user="L"), "YYYY-MM-DD"),
    (lambda ws: add_task(ws, "A", "x", "2026-11-10", user=" "), "name of the person"),
    (lambda ws: set_status(ws, 999, "done", user="L"), "no task 999"),
    (lambda ws: set_status(ws, 1, "closed", user="L"), "status is one of"),
    (lambda ws: set_status(ws, add_task(ws, "A", "x", "2026-11-10", user="L"), "snoozed", user="L"), "after today"),
])
def test_bad_changes_are_refused_with_a_sentence(ws, call, message):
    with pytest.raises(ValueError, match=message):
        call(ws)


def test_timeline_is_one_chronological_list_with_who_and_when(ws):
    flag_account(ws, "A", reason="champion_left", user="Priya Raman", note="Sponsor left",
                 review_by="2026-12-01", now=T0)
    withdraw_flag(ws, "A", user="Priya Raman", note="new sponsor", now=T0 + dt.timedelta(hours=2))
    task_id = add_task(ws, "A", "Meet the new sponsor", "2026-11-20", user="Lead", now=T0 + dt.timedelta(hours=3))
    set_status(ws, task_id, "done", user="Priya Raman", note="met", now=T0 + dt.timedelta(hours=4))
    frame = timeline(ws, "A", "2026-10-31", kinds=("assessment", "flag", "task", "nps", "contract"))
    expected = [  # an independent list of what happened, in order
        ("2025-01-01", "contract", "Contract starts", ""), ("2025-12-31", "contract", "Contract ends", ""),
        ("2026-01-01", "contract", "Contract starts", ""), ("2026-03-10", "nps", "NPS 9", ""),
        ("2026-06-15", "assessment", "Assessed yellow", "Priya Raman"), ("2026-09-10", "nps", "NPS 4", ""),
        ("2026-11-02", "flag", "Flagged red", "Priya Raman"), ("2026-11-02", "flag", "Flag withdrawn", "Priya Raman"),
        ("2026-11-02", "task", "Task added: Meet the new sponsor", "Lead"),
        ("2026-11-02", "task", "Task done: Meet the new sponsor", "Priya Raman"),
    ]
    got = [(f"{r.at:%Y-%m-%d}", r.kind, r.what, r.who) for r in frame.itertuples()]
    assert got == expected
    assert frame["at"].is_monotonic_increasing
    assert "review by 2026-12-01" in frame.loc[frame["what"] == "Flagged red", "detail"].iloc[0]
    assert frame.loc[frame["what"] == "NPS 4", "detail"].iloc[0] == "<b>slow</b>"  # text, escaped at display
    # the contract ending 2026-12-31 is after the as-of: not in the list yet
    assert "2026-12-31" not in {f"{t:%Y-%m-%d}" for t in frame["at"]}
    only = timeline(ws, "A", "2026-10-31", kinds=("nps",), newest_first=True)
    assert only["what"].tolist() == ["NPS 4", "NPS 9"]
    assert to_csv_text(only).splitlines()[0] == "at,kind,what,who,detail"


def test_timeline_refuses_an_unknown_account_or_kind(ws):
    with pytest.raises(ValueError, match="Unknown account"):
        timeline(ws, "NOPE")
    with pytest.raises(ValueError, match="Unknown kind"):
        timeline(ws, "A", kinds=("emails",))


def test_band_changes_in_the_timeline_follow_the_score_history(small_demo):
    from cs_analytics.health.scoring import score_history

    account = small_demo.scalar("SELECT min(account_id) FROM account_month WHERE is_customer")
    history = score_history(small_demo, account, months=24)
    bands = history["band"].tolist()
    expected = [(pd.Timestamp(history["as_of"].iloc[i]), b) for i, b in enumerate(bands)
                if i == 0 or b != bands[i - 1]]
    frame = timeline(small_demo, account, kinds=("band",))
    assert [(r.at, r.what.split()[-1]) for r in frame.itertuples()] == expected


def test_two_people_marking_one_task_done_at_once_record_it_once(ws):
    """The check (not done yet) and the append happen in one transaction under the write lock."""
    import threading

    task_id = add_task(ws, "A", "Call", "2026-11-10", user="Lead")
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def mark(i: int) -> None:
        barrier.wait()
        try:
            set_status(ws, task_id, "done", user=f"CSM {i}", note=f"done by {i}")
            outcomes.append("ok")
        except ValueError:
            outcomes.append("refused")

    threads = [threading.Thread(target=mark, args=(i,)) for i in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    assert task_events(ws, "A")["status"].tolist() == ["open", "done"]
