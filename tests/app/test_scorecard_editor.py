"""The Health page's scorecard editor under AppTest: add a measure from the user's own metric with
its live definition, backtest the draft beside the active version, remove, save, restore a
version, and give a segment its own scorecard (named on the Account page)."""
from __future__ import annotations

import shutil

import pytest

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.demo.build import write_demo
from cs_analytics.health.scorecard import active_scorecard
from cs_analytics.health.scoring import score_accounts
from cs_analytics.health.versions import version_history
from conftest import assert_no_exception


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory):
    path = tmp_path_factory.mktemp("editor") / "demo.duckdb"
    ws = open_workspace(path)
    write_demo(ws, accounts=120, seed=5)
    ws.checkpoint()
    close_workspace(path)
    return path


@pytest.fixture
def demo_path(demo_master, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_master, path)
    return path


def _table(at, column: str):
    """The first dataframe shown with `column` (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(at) -> str:
    return "\n".join([*(m.value for m in at.markdown), *(c.value for c in at.caption), *(i.value for i in at.info),
                      *(c.value for c in at.code)])


def test_add_a_measure_backtest_the_draft_remove_and_save(app_test, demo_path):
    at = app_test("app_pages/health.py", demo_path, query={"tab": "Scorecard"}, timeout=120)
    assert_no_exception(at)
    at.text_input(key="sc_new_name").set_value("login_days").run()
    at.selectbox(key="sc_new_metric").set_value("login").run()
    at.selectbox(key="sc_new_aggregation").set_value("active_days").run()
    assert "Days with metric 'login' (value > 0) in the 30 days ending T" in _texts(at).replace("\\", "")
    at.number_input(key="sc_new_window").set_value(3).run()  # out of range: clamped by the widget
    assert_no_exception(at)
    at.number_input(key="sc_new_window").set_value(60).run()
    at.button(key="sc_new_add").click().run()
    assert_no_exception(at)
    assert at.number_input(key="sc_edit_login_days_weight").value == 10.0
    assert "login_days: added (Days with metric 'login' (value > 0) in the 60 days ending T)" in _texts(at)
    at.button(key="sc_compare_run").click().run()
    assert_no_exception(at)
    summary = _table(at, "AUC")
    assert summary["Scorecard"].tolist() == ["Draft", "Active"]
    assert summary["Account-snapshots"].nunique() == 1 and summary["AUC"].notna().all()
    # remove a built-in measure from the draft, then save: the version stores the new definition
    at.button(key="sc_remove_nps").click().run()
    assert_no_exception(at)
    assert not [w for w in at.number_input if w.key == "sc_edit_nps_weight"]
    [t for t in at.text_input if t.label == "Your name"][0].set_value("Dana")
    [b for b in at.button if b.label == "Save as a new version"][0].click().run()
    assert_no_exception(at)
    ws = open_workspace(demo_path)
    sc = active_scorecard(ws)
    assert sc.version == 1 and "nps" not in sc.measure_names
    assert sc.setting("login_days").resolved_definition.window_days == 60
    close_workspace(demo_path)


def test_restore_a_version_and_a_segment_scorecard(app_test, demo_path):
    ws = open_workspace(demo_path)
    from cs_analytics.health.scorecard import default_scorecard, save_scorecard
    first = default_scorecard()
    first.setting("nps").weight = 40.0
    save_scorecard(ws, first, "Ana", "v1")
    save_scorecard(ws, default_scorecard(), "Ben", "v2")
    close_workspace(demo_path)
    at = app_test("app_pages/health.py", demo_path, query={"tab": "Scorecard"}, timeout=120)
    at.selectbox(key="sc_restore_version").set_value(1).run()
    at.text_input(key="sc_restore_user").set_value("Cleo").run()
    at.button(key="sc_restore").click().run()
    assert_no_exception(at)
    ws = open_workspace(demo_path)
    sc = active_scorecard(ws)
    assert sc.version == 3 and sc.created_by == "Cleo" and sc.setting("nps").weight == 40.0
    assert version_history(ws).set_index("version").loc[3, "restored_from"] == 1
    close_workspace(demo_path)
    line = [o for o in at.selectbox(key="sc_edit_line").options if o.startswith("Segment Enterprise")][0]
    at.selectbox(key="sc_edit_line").set_value(line).run()
    assert_no_exception(at)
    [t for t in at.text_input if t.label == "Your name"][0].set_value("Dana")
    [b for b in at.button if b.label == "Save as segment Enterprise's own scorecard"][0].click().run()
    assert_no_exception(at)
    ws = open_workspace(demo_path)
    ent = active_scorecard(ws, "Enterprise")
    assert ent.segment == "Enterprise" and ent.version == 4 and active_scorecard(ws).version == 3
    scores = score_accounts(ws)
    account = scores[scores["scorecard_version"] == 4]["account_id"].iloc[0]
    close_workspace(demo_path)
    page = app_test("app_pages/account.py", demo_path, query={"account": account})
    assert_no_exception(page)
    assert "for segment Enterprise" in _texts(page)
    table = _table(page, "definition")
    assert {"definition", "unit"} <= set(table.columns)
