"""The flag form under AppTest (issue 11): identity from the link, the account's flags shown
before saving, the conflict warning then confirm, the form cleared after a save, and withdrawing
someone else's flag on the Account page only with an override reason."""
from __future__ import annotations

import shutil

import pytest

from conftest import assert_no_exception
from cs_analytics.core.db import open_workspace
from cs_analytics.reality.flags import account_flags, flag_account

REALITY = "app_pages/reality.py"
ACCOUNT = "app_pages/account.py"


@pytest.fixture
def small(small_demo_master_path, tmp_path):
    path = tmp_path / "small.duckdb"
    shutil.copyfile(small_demo_master_path, path)
    return path


def _account(path) -> tuple[str, str]:
    ws = open_workspace(path)
    row = ws.query("SELECT account_id, csm_owner FROM accounts ORDER BY account_id LIMIT 1").iloc[0]
    return row["account_id"], row["csm_owner"]


def _captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_identity_comes_from_the_link_and_my_book_ignores_case(app_test, small):
    _, owner = _account(small)
    at = app_test(REALITY, workspace=small, query={"as_user": f" {owner.lower()} ", "tab": "Track record"},
                  timeout=120)
    assert_no_exception(at)
    assert f"Flagging as **{owner.lower()}**: remembered in this link" in _captions(at).replace("\\", "")
    assert at.query_params["as_user"] == [owner.lower()] or at.query_params["as_user"] == owner.lower()
    # Per-CSM track record, then the spikes a CSM can act on and the rising-usage rule, stated.
    by_csm = next(d.value for d in at.dataframe if "lift" in d.value.columns)
    assert len(by_csm) >= 3 and (by_csm["calls"] > 0).all()
    at.toggle(key="reality_my_book").set_value(True).run()
    assert_no_exception(at)
    mine = next(d.value for d in at.dataframe if "lift" in d.value.columns)
    assert mine["calls"].sum() < by_csm["calls"].sum()  # the track record follows My book
    assert any(f"owned by {owner.lower()}" in c.value.replace("\\", "") for c in at.caption)
    assert not at.warning
    at.query_params["tab"] = "Spikes before renewal"  # the link of the next tab
    at.run()
    assert_no_exception(at)
    assert any(s.value == "Coming up: renewals with usage already rising" for s in at.subheader)
    assert any("at least 1.5x their average 60-day usage" in c.value for c in at.caption)


def test_typed_name_matches_an_owner_and_an_unknown_one_gets_suggestions(app_test, small):
    _, owner = _account(small)
    at = app_test(REALITY, workspace=small, timeout=120)
    at.text_input(key="identity_name_input").input(owner.upper()).run()
    at.button(key="identity_set_name").click().run()
    assert f"Flagging as **{owner}**" in _captions(at).replace("\\", "")  # the owner's own spelling
    at.button(key="identity_change").click().run()
    at.text_input(key="identity_name_input").input(owner[:-2]).run()
    at.button(key="identity_set_name").click().run()
    assert any("did you mean" in i.value and owner in i.value.replace("\\", "") for i in at.info)


def test_form_shows_flags_warns_on_conflict_confirms_and_clears(app_test, small):
    account, _ = _account(small)
    ws = open_workspace(small)
    flag_account(ws, account, reason="budget_cut", user="Eli Moss", sentiment="yellow")
    at = app_test(REALITY, workspace=small, query={"as_user": "Bob Stone", "tab": "Flags"}, timeout=120)
    at.text_input(key="flag_search").set_value(account).run()
    at.selectbox(key="flag_account").select(account).run()
    assert "yellow by Eli Moss" in _captions(at).replace("\\", "")  # shown before saving
    at.text_area(key="flag_note").input("Sponsor gone").run()
    # Another CSM flags the account after this form was rendered.
    flag_account(ws, account, reason="champion_left", user="Dana Lee")
    at.selectbox(key="flag_reason").select("competitor")
    at.button(key="flag_submit").click().run()
    assert_no_exception(at)
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Dana Lee flagged this account just now: red, Champion left." in warning
    assert sorted(account_flags(ws, account)["user_name"]) == ["Dana Lee", "Eli Moss"]  # nothing saved yet
    at.button(key="flag_confirm").click().run()
    assert_no_exception(at)
    assert any(f"Flagged {account} red" in s.value.replace("\\", "") and "Competitor" in s.value
               for s in at.success)
    assert sorted(account_flags(ws, account)["user_name"]) == ["Bob Stone", "Dana Lee", "Eli Moss"]
    assert at.selectbox(key="flag_account").value is None and at.text_area(key="flag_note").value == ""
    assert not at.warning


def test_account_page_lists_every_flag_and_overrides_need_a_reason(app_test, small):
    account, _ = _account(small)
    ws = open_workspace(small)
    dana = flag_account(ws, account, reason="champion_left", user="Dana Lee")
    flag_account(ws, account, reason="budget_cut", user="Eli Moss", sentiment="yellow")
    at = app_test(ACCOUNT, workspace=small, query={"account": account, "as_user": "Bob Stone"}, timeout=120)
    assert_no_exception(at)
    captions = _captions(at).replace("\\", "")
    assert "red by Dana Lee" in captions and "yellow by Eli Moss" in captions
    at.selectbox(key="account_withdraw_flag").select(dana).run()
    at.button(key="account_withdraw_submit").click().run()
    assert any("override reason" in e.value for e in at.error)
    assert len(account_flags(ws, account)) == 2
    at.text_input(key="account_withdraw_override").input("Dana is on leave").run()
    at.button(key="account_withdraw_submit").click().run()
    assert_no_exception(at)
    assert account_flags(ws, account)["user_name"].tolist() == ["Eli Moss"]
    history = ws.query("SELECT override_reason FROM flags WHERE action = 'withdraw'")
    assert history["override_reason"].tolist() == ["Dana is on leave"]
