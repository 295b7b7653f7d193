"""Flags with owners (issue 11): one flag in force per user, the most severe overrides, withdrawals
end exactly one flag, someone else's needs an override reason, and the conflict check."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.reality.flags import (
    FlagConflict, account_flags, current_flags, flag_account, flag_history, flag_version,
    withdraw_flag,
)
from cs_analytics.reality.overrides import overrides_from
from cs_analytics.reality.sentiment import csm_sentiment_at
from factories import build_workspace

NOW = dt.datetime(2024, 6, 1, 9, 30)


def later(minutes: int) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "owners.duckdb"
    workspace = build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": ["A", "B"], "account_name": ["Alpha", "Beta"],
                               "csm_owner": ["Dana Lee", "Bob"]}),
        contracts=pd.DataFrame({"account_id": ["A", "B"], "start_date": ["2023-01-01"] * 2,
                                "end_date": [None, None], "mrr": [100.0, 200.0]}),
    )
    yield workspace
    close_workspace(path)


def in_force(ws, minutes=60):
    frame = account_flags(ws, "A", now=later(minutes))
    return sorted(zip(frame["user_name"], frame["sentiment"]))


def test_two_users_flags_both_stay_in_force_and_red_beats_a_later_yellow(ws):
    red = flag_account(ws, "A", reason="champion_left", user="Dana Lee", now=NOW)
    flag_account(ws, "A", reason="budget_cut", user="Bob", sentiment="yellow", now=later(1))
    assert in_force(ws) == [("Bob", "yellow"), ("Dana Lee", "red")]
    scores = pd.DataFrame({"account_id": ["A"], "score": [80.0], "band": ["green"]})
    row = overrides_from(scores, current_flags(ws, now=later(2))).iloc[0]
    assert row["effective_band"] == "red" and row["override_label"] == "CSM override: red (metric: green 80)"
    sentiment = csm_sentiment_at(ws, dt.date(2024, 6, 1), now=later(2)).set_index("account_id").loc["A"]
    assert sentiment["flagged"] and sentiment["flag_id"] == red and sentiment["flag_sentiment"] == "red"


def test_reflagging_replaces_only_your_own_flag_whatever_the_case(ws):
    flag_account(ws, "A", reason="champion_left", user="Dana Lee", now=NOW)
    flag_account(ws, "A", reason="budget_cut", user="Bob", now=later(1))
    flag_account(ws, "A", reason="competitor", user="  dana lee ", sentiment="yellow", now=later(2))
    assert in_force(ws) == [("Bob", "red"), ("dana lee", "yellow")]
    assert len(flag_history(ws, "A")) == 3  # nothing replaced in the history


def test_withdrawing_your_own_flag_leaves_the_others(ws):
    dana = flag_account(ws, "A", reason="champion_left", user="Dana Lee", now=NOW)
    flag_account(ws, "A", reason="budget_cut", user="Bob", now=later(1))
    withdrawal = withdraw_flag(ws, "A", user="BOB", now=later(2))
    assert in_force(ws) == [("Dana Lee", "red")]
    row = ws.query("SELECT withdraws_flag_id, override_reason FROM flags WHERE flag_id = ?", [withdrawal])
    assert row.values.tolist()[0][0] != dana and row["override_reason"].isna().all()


def test_someone_else_s_flag_needs_an_override_reason_recorded_and_shown(ws):
    dana = flag_account(ws, "A", reason="champion_left", user="Dana Lee", now=NOW)
    with pytest.raises(ValueError, match="made by Dana Lee; withdrawing someone else's flag needs an override reason") as info:
        withdraw_flag(ws, "A", user="Bob", now=later(1))
    assert "\n" not in str(info.value)
    assert ws.row_count("flags") == 1
    withdraw_flag(ws, "A", user="Bob", override_reason="  Dana is on leave; sponsor is back ", now=later(2))
    assert in_force(ws) == []
    history = flag_history(ws, "A")
    last = history.iloc[-1]
    assert (last["action"], last["user_name"], last["withdraws_flag_id"], last["override_reason"]) == (
        "withdraw", "Bob", dana, "Dana is on leave; sponsor is back")


def test_one_withdrawal_withdraws_exactly_one_flag(ws):
    flag_account(ws, "A", reason="champion_left", user="Dana Lee", now=NOW)
    bob = flag_account(ws, "A", reason="budget_cut", user="Bob", now=later(1))
    with pytest.raises(ValueError, match="has 2 flags in force .*say which one"):
        withdraw_flag(ws, "A", user="Casey", override_reason="x", now=later(2))
    withdraw_flag(ws, "A", user="Casey", flag_id=bob, override_reason="budget restored", now=later(3))
    assert in_force(ws) == [("Dana Lee", "red")]
    with pytest.raises(ValueError, match="not in force"):
        withdraw_flag(ws, "A", user="Casey", flag_id=bob, override_reason="again", now=later(4))


def test_an_older_withdrawal_without_a_named_flag_ends_every_earlier_flag(ws):
    """Workspaces from before issue 11 hold withdrawals that name no flag: they ended the account's
    flag, so they end every flag made before them, and none made after."""
    flag_account(ws, "A", reason="champion_left", user="Dana Lee", now=NOW)
    flag_account(ws, "A", reason="budget_cut", user="Bob", now=later(1))
    with ws.transaction() as cur:
        cur.execute("INSERT INTO flags (account_id, action, user_name, created_at) VALUES ('A', 'withdraw', 'old', ?)",
                    [later(2)])
    assert in_force(ws) == []
    sentiment = csm_sentiment_at(ws, dt.date(2024, 6, 1), now=later(3))
    assert "A" not in set(sentiment.loc[sentiment["flagged"], "account_id"])
    flag_account(ws, "A", reason="other", user="Bob", now=later(3))
    assert in_force(ws) == [("Bob", "red")]


def test_saving_after_someone_else_flagged_warns_then_confirm_appends(ws):
    seen = flag_version(ws, "A")
    assert seen == 0
    dana = flag_account(ws, "A", reason="champion_left", user="Dana Lee", now=NOW)
    with pytest.raises(FlagConflict) as info:
        flag_account(ws, "A", reason="budget_cut", user="Bob", sentiment="yellow", seen_version=seen,
                     now=later(2))
    assert str(info.value) == "Dana Lee flagged this account 2 minutes ago: red, Champion left."
    assert info.value.version == dana and ws.row_count("flags") == 1
    bob = flag_account(ws, "A", reason="budget_cut", user="Bob", sentiment="yellow", seen_version=seen,
                       confirm=True, now=later(3))
    assert in_force(ws) == [("Bob", "yellow"), ("Dana Lee", "red")]
    assert flag_version(ws, "A") == bob


def test_your_own_actions_and_other_accounts_never_conflict(ws):
    seen = flag_version(ws, "A")
    flag_account(ws, "A", reason="champion_left", user="Bob", now=NOW)
    flag_account(ws, "B", reason="champion_left", user="Dana Lee", now=NOW)
    flag_account(ws, "A", reason="competitor", user=" bob", seen_version=seen, now=later(1))
    seen = flag_version(ws, "A")
    withdraw_flag(ws, "A", user="Dana Lee", override_reason="wrong account", now=later(2))
    with pytest.raises(FlagConflict, match="Dana Lee withdrew flag .* on this account just now"):
        flag_account(ws, "A", reason="other", user="Bob", seen_version=seen, now=later(2))
