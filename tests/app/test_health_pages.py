"""Health and Account pages under AppTest, and the scorecard editor in a real browser."""
from __future__ import annotations

import re

import pytest

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.health.scorecard import active_scorecard
from conftest import assert_no_exception, wait_for_app
from health_cases import synthetic_workspace


@pytest.fixture
def syn_path(tmp_path):
    path = tmp_path / "syn.duckdb"
    synthetic_workspace(path, accounts=150, usage_rows=40_000)
    close_workspace(path)
    return path


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_health_page_renders_scores_editor_and_backtest(app_test, syn_path):
    at = app_test("app_pages/health.py", syn_path)
    assert_no_exception(at)
    assert at.title[0].value == "Health"
    assert any("Customers scored" == m.label for m in at.metric)
    open_tab(at, "Scorecard")
    assert re.search(r"\*\*0 accounts change band\*\*", _markdown(at))
    # editing a weight changes the live preview, and nothing is saved
    at.number_input(key="sc_edit_usage_trend_weight").set_value(0.0).run()
    at.number_input(key="sc_edit_green").set_value(90.0).run()
    assert_no_exception(at)
    match = re.search(r"(\d+) accounts change band", _markdown(at))
    assert match and int(match.group(1)) > 0
    # run the backtest: the fitted scorecard is judged on held-out rows and the verdict is said
    open_tab(at, "Does it predict churn?")
    at.button(key="health_run_backtest").click().run(timeout=120)
    assert_no_exception(at)
    assert any(m.label.startswith("Score AUC") for m in at.metric)
    assert any(m.label == "Fitted scorecard AUC (held out)" for m in at.metric)
    verdicts = [e.value for e in [*at.info, *at.success] if "held-out data" in e.value]
    assert verdicts and re.search(r"AUC \d\.\d{3} vs \d\.\d{3}, difference interval \\?\[", verdicts[0])
    ws = open_workspace(syn_path)
    assert active_scorecard(ws).version == 0
    close_workspace(syn_path)


def open_tab(at, label: str) -> None:
    """Open the Health page's tab `label` as a click on it does (the tab is bound to ?tab=)."""
    at.session_state["tab"] = label
    at.run()
    assert_no_exception(at)


def test_health_page_draws_only_the_open_tab_and_keeps_the_draft(app_test, syn_path):
    at = app_test("app_pages/health.py", syn_path)
    assert at.get("plotly_chart") and not [n for n in at.number_input if n.key == "sc_edit_green"]
    open_tab(at, "Scorecard")
    assert not any(m.label == "Customers scored" for m in at.metric)  # the Scores tab is not drawn
    at.number_input(key="sc_edit_green").set_value(91.0).run()
    open_tab(at, "Does it predict churn?")
    assert not [n for n in at.number_input if n.key == "sc_edit_green"]
    open_tab(at, "Scorecard")  # the unsaved edit survived the other tab
    assert at.number_input(key="sc_edit_green").value == 91.0


def test_health_link_opens_its_tab(app_test, syn_path):
    at = app_test("app_pages/health.py", syn_path, query={"tab": "Does it predict churn?"})
    assert_no_exception(at)
    assert [b for b in at.button if b.key == "health_run_backtest"]
    assert not any(m.label == "Customers scored" for m in at.metric)


def test_health_page_saves_a_new_version(app_test, syn_path):
    at = app_test("app_pages/health.py", syn_path, query={"tab": "Scorecard"})
    at.number_input(key="sc_edit_nps_weight").set_value(40.0).run()
    name_inputs = [t for t in at.text_input if t.label == "Your name"]
    name_inputs[0].set_value("Dana")
    [b for b in at.button if b.label == "Save as a new version"][0].click().run()
    assert_no_exception(at)
    ws = open_workspace(syn_path)
    sc = active_scorecard(ws)
    assert sc.version == 1 and sc.created_by == "Dana" and sc.setting("nps").weight == 40.0
    close_workspace(syn_path)
    assert any("scorecard v1" in c.value for c in at.caption)


def test_health_page_empty_workspace(app_test, tmp_path):
    at = app_test("app_pages/health.py", tmp_path / "empty.duckdb")
    assert_no_exception(at)
    assert any("needs the contracts" in i.value for i in at.info)


def test_account_page_explains_the_account_from_the_query(app_test, syn_path):
    at = app_test("app_pages/account.py", syn_path, query={"account": "A000003"})
    assert_no_exception(at)
    assert at.selectbox[0].value == "A000003"
    assert any(m.label == "Health score" for m in at.metric) or any("not a customer" in i.value for i in at.info)
    at.selectbox[0].set_value("A000004").run()
    assert_no_exception(at)


def test_account_page_searches_by_name_and_the_link_follows_the_choice(app_test, syn_path):
    at = app_test("app_pages/account.py", syn_path, query={"account": "A000003"})
    box = at.selectbox(key="account_select_A000003_")
    assert len(box.options) <= 51 and box.value == "A000003"  # 150 accounts: the first 50 offered
    assert any("Offering the first 50 of 150" in c.value for c in at.caption)
    at.text_input(key="account_search").set_value("a000140").run()
    assert_no_exception(at)
    box = at.selectbox(key="account_select_A000003_a000140")
    assert box.value == "A000003" and "A000140 — " in box.options[1]  # the current account stays shown
    box.set_value("A000140").run()
    assert_no_exception(at)
    assert at.query_params["account"] in ("A000140", ["A000140"])  # the link is the source of truth
    assert any(m.label == "Health score" for m in at.metric) or any("not a customer" in i.value for i in at.info)
    at.text_input(key="account_search").set_value("no such account").run()
    assert any("No account matches" in i.value for i in at.info) is False  # the linked one is still offered
    assert at.selectbox(key="account_select_A000140_no such account").options == ["A000140 — " +
                                                                                   at.selectbox(key="account_select_A000140_no such account").options[0].split(" — ", 1)[1]]


def test_account_page_draws_only_the_open_chart_tab(app_test, demo_workspace_path):
    ws = open_workspace(demo_workspace_path)
    account = ws.scalar("SELECT min(account_id) FROM contracts WHERE mrr > 0")
    close_workspace(demo_workspace_path)
    counts = {}
    for tab in ("Score history", "Contracts and MRR", "Usage by metric"):
        at = app_test("app_pages/account.py", demo_workspace_path, query={"account": account, "tab": tab})
        assert_no_exception(at)
        assert any("Timeline" in m.value for m in at.markdown)  # the rest of the page is drawn
        counts[tab] = len(at.get("plotly_chart"))
    # waterfall and change bars on every tab, then the open tab's: history 1, contracts and MRR 2, usage 1
    assert counts["Contracts and MRR"] == counts["Score history"] + 1 == counts["Usage by metric"] + 1
    assert counts["Score history"] <= 3


def test_account_page_empty_workspace(app_test, tmp_path):
    at = app_test("app_pages/account.py", tmp_path / "empty.duckdb")
    assert_no_exception(at)


def test_account_page_on_demo_shows_override_and_signals(app_test, demo_workspace_path):
    ws = open_workspace(demo_workspace_path)
    from cs_analytics.reality.flags import flag_account
    from cs_analytics.health.scoring import score_accounts

    target = score_accounts(ws).sort_values("score", ascending=False).iloc[0]["account_id"]
    flag_account(ws, target, reason="champion_left", user="Dana", note="champion left")
    close_workspace(demo_workspace_path)
    at = app_test("app_pages/account.py", demo_workspace_path, query={"account": target})
    assert_no_exception(at)
    html = "\n".join(m.value for m in at.markdown)
    assert "CSM override: red (metric: green" in html
    assert any(m.label == "Health score" for m in at.metric)


@pytest.mark.browser
@pytest.mark.slow
def test_browser_weight_edit_changes_the_preview(app_server, browser_page, syn_path):
    server = app_server(syn_path)
    page = browser_page
    page.goto(f"{server.url}/health")
    wait_for_app(page, timeout_ms=60_000)
    page.get_by_role("tab", name="Scorecard").click()
    preview = page.get_by_text(re.compile(r"\d+ accounts change band"))
    preview.wait_for()
    assert preview.inner_text().startswith("0 accounts")
    green = page.get_by_label("green when score >=")
    green.fill("95")
    green.press("Enter")
    wait_for_app(page, timeout_ms=60_000)
    page.wait_for_function(
        "() => /[1-9]\\d* accounts change band/.test(document.body.innerText)", timeout=30_000)
    text = page.get_by_text(re.compile(r"\d+ accounts change band")).first.inner_text()
    assert int(re.match(r"(\d+)", text).group(1)) > 0
