"""The Onboarding page under AppTest: the default rule, editing and saving the rule, the finder's
offer saved in one click, and a usage-only workspace (no contracts)."""
from __future__ import annotations

import json

import pandas as pd

from conftest import assert_no_exception
from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.settings import get_setting
from factories import build_workspace

PAGE = "app_pages/onboarding.py"


def _saved_rule(path) -> dict:
    ws = open_workspace(path)
    try:
        return json.loads(get_setting(ws, "activation_rule"))
    finally:
        close_workspace(path)


def _text(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [i.value for i in at.info] + [w.value for w in at.warning]
                     + [c.value for c in at.caption] + [s.value for s in at.success])


def test_default_rule_then_edit_preview_and_save(app_test, demo_workspace_path):
    at = app_test(PAGE, demo_workspace_path)
    assert_no_exception(at)
    assert [m.label for m in at.metric][:4] == ["Accounts with a start", "Activated within 30 days",
                                                "Activated within 90 days", "Median days to activation"]
    assert "distinct active days (any metric) \\>= 2 within 90 days" in _text(at)
    table = next(d.value for d in at.dataframe if "Within 30 days" in d.value.columns)
    assert table["Within 30 days"].str.contains(" of ").any()
    assert "hard to activate later" in _text(at)
    assert "Lifetimes differ between activation groups" in _text(at)
    waiting = next(d.value for d in at.dataframe if "observed_days" in d.value.columns)
    assert set(waiting["status"]) <= {"not_activated", "pending"} and len(waiting) > 0
    assert waiting["link"].str.startswith("/account?").all()
    before = at.metric[2].value
    at.radio(key="onboarding_grain").set_value("quarter")
    at.toggle(key="onboarding_by_segment").set_value(True).run()
    assert_no_exception(at)
    table = next(d.value for d in at.dataframe if "Within 30 days" in d.value.columns)
    assert table["Cohort"].str.contains("-Q").all() and table["Segment"].nunique() > 1

    at.selectbox(key="rule_kind").set_value("users")
    at.number_input(key="rule_threshold").set_value(3.0)
    at.number_input(key="rule_window").set_value(30)
    at.button(key="rule_preview").click().run()
    assert_no_exception(at)
    assert "Previewing a rule that is not saved" in _text(at)
    assert _saved_rule(demo_workspace_path)["kind"] == "active_days"
    at.button(key="rule_save").click().run()
    assert_no_exception(at)
    assert _saved_rule(demo_workspace_path) == {"metric": "any", "kind": "users", "threshold": 3, "window_days": 30}
    assert "Saved the activation rule" in _text(at)
    assert at.metric[2].value != before


def test_finder_offer_saves_the_winner(app_test, demo_workspace_path):
    at = app_test(PAGE, demo_workspace_path)
    at.button(key="run_finder").click().run()
    assert_no_exception(at)
    assert "Best rule" in _text(at) and "Checked on starts" in _text(at)
    offer = at.button(key="use_winner")
    winner_text = offer.label.removeprefix("Use this rule: ")
    offer.click().run()
    assert_no_exception(at)
    saved = _saved_rule(demo_workspace_path)
    assert saved["window_days"] in (7, 14, 30, 60, 90) and f"within {saved['window_days']} days" in winner_text
    assert "The winner is the saved rule already" in _text(at)


def test_usage_only_workspace_shows_activity_retention(app_test, tmp_path):
    days = pd.date_range("2023-01-02", "2024-12-30", freq="7D")
    rows = [(f"acc{i}", d.date(), "purchase", 10.0) for i in range(30) for j, d in enumerate(days)
            if (i % 3 == 0 and j in (i, i + 1)) or (i % 3 != 0 and j >= i and j % (i % 3 + 1) == 0)]
    usage = pd.DataFrame(rows, columns=["account_id", "event_date", "metric", "value"])
    path = tmp_path / "usage_only.duckdb"
    build_workspace(path, usage=usage)
    close_workspace(path)
    at = app_test(PAGE, path)
    assert_no_exception(at)
    text = _text(at)
    assert "first usage day (no contracts in this workspace)" in text
    assert "no contracts, so there is no customer lifetime" in text
    assert [m.value for m in at.metric][0] == "30"


def test_empty_and_contracts_only_workspaces(app_test, tmp_path):
    empty = tmp_path / "empty.duckdb"
    build_workspace(empty)
    close_workspace(empty)
    at = app_test(PAGE, empty)
    assert_no_exception(at)
    assert "This page needs the usage table" in _text(at)

    contracts_only = tmp_path / "contracts.duckdb"
    build_workspace(contracts_only, contracts=pd.DataFrame({
        "account_id": ["a", "b"], "start_date": ["2024-01-01", "2024-03-01"], "end_date": [None, None],
        "mrr": [10.0, 20.0]}))
    close_workspace(contracts_only)
    at = app_test(PAGE, contracts_only)
    assert_no_exception(at)
    assert "There is no usage data, so no account can activate" in _text(at)


def test_a_hostile_metric_in_the_saved_rule_reads_as_text(app_test, tmp_path):
    from cs_analytics.core.settings import set_setting
    from onboarding_cases import ACCOUNTS, CONTRACTS, USAGE

    path = tmp_path / "hostile_rule.duckdb"
    ws = build_workspace(path, accounts=ACCOUNTS, contracts=CONTRACTS, usage=USAGE)
    evil = "[click](http://evil.example) <b>x</b>"
    set_setting(ws, "activation_rule", json.dumps({"metric": evil, "kind": "sum", "threshold": 1}))
    close_workspace(path)
    at = app_test(PAGE, path)
    assert_no_exception(at)
    shown = [w.value for w in at.warning] + [c.value for c in at.caption]
    mentions = [t for t in shown if "click" in t]
    assert len(mentions) >= 2  # the caption's rule and the unknown-metric warning
    for text in mentions:
        assert "](" not in text.replace("\\]\\(", "").replace("\\](", "") and "<b>" not in text
