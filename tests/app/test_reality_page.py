"""The Reality page under AppTest: flag, withdraw, My book, empty workspace."""
from __future__ import annotations

from conftest import assert_no_exception
from cs_analytics.core.db import close_workspace, open_workspace

PAGE = "app_pages/reality.py"


def _set_name(at, name: str):
    at.text_input(key="identity_name_input").input(name)
    at.button(key="identity_set_name").click()
    at.run()
    assert_no_exception(at)


def _metric(at, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label).replace(",", ""))


def _flags(path):
    # The app under test shares this process's connection: do not close it here.
    return open_workspace(path).query(
        "SELECT account_id, action, user_name, reason FROM flags ORDER BY flag_id")


def _healthy_green_account(path) -> str:
    """A metric-green account the CSM does not call red: flagging it moves it to green-but-failing."""
    from cs_analytics.reality.quadrants import AGREE_HEALTHY, quadrants

    ws = open_workspace(path)
    try:
        frame = quadrants(ws)
        return frame[(frame["quadrant"] == AGREE_HEALTHY) & (frame["band"] == "green")]["account_id"].iloc[0]
    finally:
        close_workspace(path)


def test_flag_then_withdraw_shows_at_once(app_test, demo_workspace_path):
    account = _healthy_green_account(demo_workspace_path)
    at = app_test(PAGE, workspace=demo_workspace_path, timeout=180, query={"tab": "Flags"})
    assert_no_exception(at)
    gbf_before = _metric(at, "Green but failing")
    # Without a name the flag is refused and nothing is written.
    at.text_input(key="flag_search").set_value(account).run()
    at.selectbox(key="flag_account").select(account)
    at.button(key="flag_submit").click()
    at.run()
    assert any("Enter your name" in e.value for e in at.error)
    _set_name(at, "Casey CSM")
    at.text_input(key="flag_search").set_value(account).run()
    at.selectbox(key="flag_account").select(account)
    at.selectbox(key="flag_reason").select("champion_left")
    at.text_area(key="flag_note").input("Our champion left last week")
    at.button(key="flag_submit").click()
    at.run()
    assert_no_exception(at)
    assert any(account in s.value for s in at.success)
    assert _metric(at, "Green but failing") == gbf_before + 1
    flags_table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert account in flags_table["account_name"].tolist() or any(account in str(v) for v in flags_table["link"])
    stored = _flags(demo_workspace_path)
    assert stored.values.tolist() == [[account, "flag", "Casey CSM", "champion_left"]]

    at.selectbox(key="withdraw_account").select(account)
    at.text_input(key="withdraw_note").input("Spoke to the new sponsor")
    at.button(key="withdraw_submit").click()
    at.run()
    assert_no_exception(at)
    assert _metric(at, "Green but failing") == gbf_before
    assert _flags(demo_workspace_path)["action"].tolist() == ["flag", "withdraw"]


def test_my_book_filters_to_the_signed_in_csm(app_test, demo_workspace_path):
    ws = open_workspace(demo_workspace_path)
    owner, owned = ws.query(
        "SELECT csm_owner, count(*) AS n FROM accounts GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    ).iloc[0]
    close_workspace(demo_workspace_path)
    at = app_test(PAGE, workspace=demo_workspace_path, timeout=180)
    total = sum(int(m.value.replace(",", "")) for m in at.metric)
    at.toggle(key="reality_my_book").set_value(True)
    at.run()
    assert any("Enter your name" in w.value for w in at.warning)
    _set_name(at, owner)
    mine = sum(int(m.value.replace(",", "")) for m in at.metric)
    assert 0 < mine < total and mine <= owned
    assert any(f"owned by {owner}" in c.value for c in at.caption)


def test_empty_workspace_tells_what_is_missing(app_test, tmp_path):
    at = app_test(PAGE, workspace=tmp_path / "empty.duckdb")
    assert_no_exception(at)
    assert any("contracts" in i.value for i in at.info)
