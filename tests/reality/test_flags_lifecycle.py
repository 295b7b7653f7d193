"""Flags: validation, append-only history, withdraw, expiry at review-by, and survival of uploads."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cs_analytics.core import config
from cs_analytics.reality.flags import (
    current_flags,
    flag_account,
    flag_history,
    flags_due_for_review,
    withdraw_flag,
)
from factories import build_workspace

NOW = dt.datetime(2024, 6, 1, 9, 30)


@pytest.fixture
def ws(tmp_path):
    from cs_analytics.core.db import close_workspace

    path = tmp_path / "flags.duckdb"
    workspace = build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": ["A", "B"], "account_name": ["Alpha", "Beta"],
                               "csm_owner": ["Ann", "Bob"]}),
        contracts=pd.DataFrame({"account_id": ["A", "B"], "start_date": ["2023-01-01"] * 2,
                                "end_date": [None, None], "mrr": [100.0, 200.0]}),
        assessments=pd.DataFrame({"account_id": ["A"], "assessed_at": ["2024-05-01"],
                                  "sentiment": ["green"], "csm": ["Ann"]}),
    )
    yield workspace
    close_workspace(path)


def test_flag_records_who_when_why_and_default_review_by(ws):
    flag_id = flag_account(ws, "A", reason="champion_left", user=" Ann ", note="Sponsor left", now=NOW)
    assert isinstance(flag_id, int)
    row = ws.query("SELECT * FROM flags WHERE flag_id = ?", [flag_id]).iloc[0]
    assert row["action"] == "flag" and row["user_name"] == "Ann" and row["reason"] == "champion_left"
    assert row["note"] == "Sponsor left" and row["sentiment"] == "red"
    assert row["created_at"].to_pydatetime() == NOW
    assert row["review_by"].date() == NOW.date() + dt.timedelta(days=config.DEFAULT_FLAG_REVIEW_DAYS)


@pytest.mark.parametrize("kwargs, message", [
    ({"account_id": "A", "reason": "vibes", "user": "Ann"}, "Unknown reason code"),
    ({"account_id": "ZZZ", "reason": "other", "user": "Ann"}, "Unknown account"),
    ({"account_id": "A", "reason": "other", "user": "  "}, "name of the person"),
    ({"account_id": "A", "reason": "other", "user": "Ann", "sentiment": "green"}, "red or yellow"),
    ({"account_id": "A", "reason": "other", "user": "Ann", "review_by": dt.date(2024, 5, 1)}, "in the past"),
])
def test_bad_flags_are_refused_with_one_sentence(ws, kwargs, message):
    account_id = kwargs.pop("account_id")
    with pytest.raises(ValueError, match=message) as info:
        flag_account(ws, account_id, now=NOW, **kwargs)
    assert "\n" not in str(info.value)
    assert ws.row_count("flags") == 0


def test_withdraw_appends_and_clears_current_flag(ws):
    flag_id = flag_account(ws, "A", reason="budget_cut", user="Ann", now=NOW)
    assert current_flags(ws, now=NOW)["account_id"].tolist() == ["A"]
    withdraw_id = withdraw_flag(ws, "A", user="Bob", note="Budget restored",
                                override_reason="Ann is on leave", now=NOW + dt.timedelta(days=3))
    assert withdraw_id > flag_id
    assert current_flags(ws, now=NOW + dt.timedelta(days=3)).empty
    rows = ws.query("SELECT action, user_name FROM flags ORDER BY flag_id")
    assert rows.values.tolist() == [["flag", "Ann"], ["withdraw", "Bob"]]
    with pytest.raises(ValueError, match="no flag to withdraw"):
        withdraw_flag(ws, "A", user="Bob", now=NOW + dt.timedelta(days=4))
    with pytest.raises(ValueError, match="no flag to withdraw"):
        withdraw_flag(ws, "B", user="Bob", now=NOW)


def test_flag_expires_after_review_by_and_is_listed_for_review(ws):
    flag_account(ws, "B", reason="competitor", user="Bob", review_by=dt.date(2024, 6, 30), now=NOW)
    on_day = current_flags(ws, now=dt.datetime(2024, 6, 30, 18))
    assert on_day["status"].tolist() == ["active"]
    after = current_flags(ws, now=dt.datetime(2024, 7, 1, 8))
    assert after["status"].tolist() == ["expired"]
    assert flags_due_for_review(ws, today=dt.date(2024, 6, 30)).empty
    assert flags_due_for_review(ws, today=dt.date(2024, 7, 1))["account_id"].tolist() == ["B"]
    # As of a past date, a flag made later is not visible.
    assert current_flags(ws, as_of=dt.date(2024, 5, 31)).empty
    assert current_flags(ws, as_of=dt.date(2024, 6, 1))["status"].tolist() == ["active"]


def test_latest_flag_action_wins(ws):
    flag_account(ws, "A", reason="budget_cut", user="Ann", now=NOW)
    second = flag_account(ws, "A", reason="reorg_or_acquisition", user="Ann", sentiment="yellow",
                          now=NOW + dt.timedelta(hours=1))
    frame = current_flags(ws, now=NOW + dt.timedelta(hours=2))
    assert frame[["flag_id", "reason", "sentiment"]].values.tolist() == [[second, "reorg_or_acquisition", "yellow"]]


def test_history_merges_uploads_and_app_in_order(ws):
    flag_account(ws, "A", reason="other", user="Ann", now=NOW)
    withdraw_flag(ws, "A", user="Ann", now=NOW + dt.timedelta(days=1))
    history = flag_history(ws, "A")
    assert history[["source", "action", "sentiment"]].values.tolist() == [
        ["upload", "assessment", "green"], ["app", "flag", "red"], ["app", "withdraw", None],
    ]
    assert len(flag_history(ws)) == 3


def test_replace_upload_of_assessments_never_deletes_flags(ws):
    from cs_analytics.ingest.load import ingest_dataframe

    ids = [flag_account(ws, "A", reason="other", user="Ann", now=NOW),
           flag_account(ws, "B", reason="budget_cut", user="Bob", now=NOW)]
    before = ws.query("SELECT * FROM flags ORDER BY flag_id")
    new = pd.DataFrame({"account_id": ["B"], "assessed_at": ["2024-05-20"], "sentiment": ["yellow"]})
    ingest_dataframe(ws, "assessments", new, file_name="crm.csv", mode="replace", user="Ann")
    assert ws.query("SELECT account_id FROM assessments")["account_id"].tolist() == ["B"]
    after = ws.query("SELECT * FROM flags ORDER BY flag_id")
    pd.testing.assert_frame_equal(before, after)
    assert current_flags(ws, now=NOW)["flag_id"].tolist() == ids
    for table in ("accounts", "contracts"):
        frame = ws.query(f"SELECT * EXCLUDE (upload_id) FROM {table}") if table == "contracts" else \
            ws.query("SELECT account_id, account_name FROM accounts")
        ingest_dataframe(ws, table, frame, file_name=f"{table}.csv", mode="replace", user="Ann")
    pd.testing.assert_frame_equal(before, ws.query("SELECT * FROM flags ORDER BY flag_id"))
