"""The Renewals page under AppTest: lists, forecast, a CSM's call recorded, empty workspace."""
from __future__ import annotations

from conftest import assert_no_exception
from cs_analytics.core.db import close_workspace, open_workspace
from renewals_demo import confident_uncalled_renewal

PAGE = "app_pages/renewals.py"


def _table_with(at, column: str):
    return [d.value for d in at.dataframe if column in d.value.columns]


def test_page_shows_lists_forecast_and_records_a_call(app_test, demo_ws, demo_workspace_path):
    account, _, due = confident_uncalled_renewal(demo_ws)  # demo_ws holds the same data
    at = app_test(PAGE, workspace=demo_workspace_path, timeout=240)
    assert_no_exception(at)
    assert any(m.label.endswith("forecast") for m in at.metric)
    assert any("Seed claim" in m.value for m in at.markdown)
    assert any("Brier score" in m.value for m in at.markdown)
    upcoming = _table_with(at, "mrr_at_risk")[0]
    assert len(upcoming) > 0
    # Without a name nothing is recorded.
    at.selectbox(key="call_renewal").select((account, due))
    at.button(key="call_submit").click()
    at.run()
    assert any("Enter your name" in e.value for e in at.error)
    at.text_input(key="identity_name_input").input("Casey CSM")
    at.button(key="identity_set_name").click()
    at.run()
    at.selectbox(key="call_renewal").select((account, due))
    at.radio(key="call_value").set_value("at_risk")
    at.text_input(key="call_note").input("Champion left")
    at.button(key="call_submit").click()
    at.run()
    assert_no_exception(at)
    assert any(account in s.value for s in at.success)
    stored = open_workspace(demo_workspace_path).query(
        "SELECT account_id, call, note, user_name FROM renewal_calls WHERE source = 'app'")
    assert stored.values.tolist() == [[account, "at_risk", "Champion left", "Casey CSM"]]
    # The call shows at once in the disagreement list (the model says >= 85%).
    at.segmented_control(key="renewals_window").set_value(180).run()
    upcoming_table, disagreement_table = _table_with(at, "call_note")[:2]
    assert "Champion left" in upcoming_table["call_note"].tolist()
    assert "Champion left" in disagreement_table["call_note"].tolist()
    history = next(t for t in _table_with(at, "user_name") if "note" in t.columns)
    assert history[["note", "user_name"]].values.tolist()[0] == ["Champion left", "Casey CSM"]  # newest first


def test_empty_workspace_shows_the_empty_state(app_test, tmp_path):
    at = app_test(PAGE, workspace=tmp_path / "empty.duckdb")
    assert_no_exception(at)
    assert any("needs the contracts table" in i.value for i in at.info)


def test_contracts_without_end_dates_say_nothing_is_due(app_test, tmp_path):
    import pandas as pd

    from factories import build_workspace

    path = tmp_path / "open.duckdb"
    build_workspace(path, contracts=pd.DataFrame({"account_id": ["A", "B"], "start_date": ["2025-01-01", "2025-03-01"],
                                                  "mrr": [10, 20]}))
    close_workspace(path)
    at = app_test(PAGE, workspace=path)
    assert_no_exception(at)
    assert any("nothing is ever due" in i.value for i in at.info)
    assert any("Too few past renewals" in w.value for w in at.warning)
    assert any("No renewal has a known outcome" in i.value for i in at.info)


def test_the_renewal_target_is_saved_for_the_workspace(app_test, tmp_path):
    from cs_analytics.core.settings import get_setting
    from cs_analytics.demo.build import write_demo

    path = tmp_path / "small.duckdb"
    write_demo(open_workspace(path), accounts=60, seed=3)
    close_workspace(path)
    at = app_test(PAGE, workspace=path)
    assert_no_exception(at)
    at.number_input(key="renewal_target").set_value(95.0).run()
    at.button(key="save_renewal_target").click().run()
    assert_no_exception(at)
    assert any("Target saved" in s.value for s in at.success)
    assert float(get_setting(open_workspace(path), "target_renewal_rate")) == 0.95


def test_hostile_ids_names_and_notes_stay_text(app_test, tmp_path):
    """A call on an account whose id and name are markdown links: the page shows them as text."""
    import datetime as dt

    import pandas as pd

    from factories import build_workspace
    from test_hostile_pages import assert_no_live_markup

    hostile_id = "[verify](https://evil.example/x)"
    path = tmp_path / "hostile_renewal.duckdb"
    build_workspace(
        path,
        accounts=pd.DataFrame({"account_id": [hostile_id], "account_name": ["![t](https://evil.example/t.png)"]}),
        contracts=pd.DataFrame({"account_id": [hostile_id], "start_date": ["2025-01-01"],
                                "end_date": [(dt.date.today() + dt.timedelta(days=40)).isoformat()], "mrr": [100]}),
        usage=pd.DataFrame({"account_id": [hostile_id], "event_date": [dt.date.today().isoformat()]}),
    )
    close_workspace(path)
    at = app_test(PAGE, workspace=path)
    assert_no_exception(at)
    at.text_input(key="identity_name_input").input("<b>[me](https://evil.example)</b>")
    at.button(key="identity_set_name").click()
    at.run()
    renewal = at.selectbox(key="call_renewal").options[0]
    at.selectbox(key="call_renewal").select_index(0)
    at.text_input(key="call_note").input("<img src=x onerror=alert(1)> [n](https://evil.example)")
    at.button(key="call_submit").click()
    at.run()
    assert_no_exception(at)
    assert any("Recorded call" in s.value for s in at.success), renewal
    assert_no_live_markup(at)
