"""Health page on a churn-list workspace without contracts (AppTest): scores, the one-snapshot
backtest with its verdict, "Which signals predict churn?" and "Add to draft scorecard"."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from conftest import assert_no_exception
from factories import build_workspace

ACCOUNTS = 400
HOSTILE_METRIC = "**bold** [x](http://evil.test) <b>tag</b>"


@pytest.fixture
def churn_list_path(tmp_path):
    """400 accounts, one usage export day, two metrics, a churn list with reasons; no contracts.
    Service calls >= 3: 70% churn, else 5%; minutes are noise."""
    rng = np.random.default_rng(3)
    calls = rng.poisson(1.5, ACCOUNTS)
    churned = rng.random(ACCOUNTS) < np.where(calls >= 3, 0.7, 0.05)
    ids = [f"A{i:03d}" for i in range(ACCOUNTS)]
    usage = pd.concat([
        pd.DataFrame({"account_id": ids, "event_date": "2024-06-30", "metric": "service calls", "value": calls + 1e-9}),
        pd.DataFrame({"account_id": ids, "event_date": "2024-06-30", "metric": "minutes",
                      "value": rng.normal(180, 40, ACCOUNTS).clip(1)}),
        pd.DataFrame({"account_id": ids, "event_date": "2024-06-30", "metric": HOSTILE_METRIC,
                      "value": rng.normal(5, 1, ACCOUNTS).clip(0.1)}),
    ])
    outcomes = pd.DataFrame({"account_id": ids, "churned": churned,
                             "reason": np.where(churned, "<b>price</b>", None)})
    path = tmp_path / "list.duckdb"
    build_workspace(path, usage=usage, outcomes=outcomes)
    close_workspace(path)
    return path


def _frame_with(at, column: str) -> pd.DataFrame:
    """The first dataframe on the page with `column` (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_discovery_ranks_signals_and_adds_one_to_the_draft(app_test, churn_list_path):
    at = app_test("app_pages/health.py", churn_list_path)
    assert_no_exception(at)
    assert any(m.label == "Customers scored" and m.value == f"{ACCOUNTS:,}" for m in at.metric)
    at.session_state["tab"] = "Which signals predict churn?"  # as a click on the tab
    at.run()
    at.toggle(key="health_signal_run").set_value(True).run(timeout=120)
    assert_no_exception(at)
    table = _frame_with(at, "Candidate")
    assert table["Candidate"].iloc[0] == "service_calls_sum_30d"
    assert table["Better when"].iloc[0] == "lower is better"
    assert any("the churn list is the label" in c.value for c in at.caption)
    at.selectbox(key="health_signal_selected").set_value("service_calls_sum_30d").run()
    at.button(key="health_signal_add").click().run()
    assert_no_exception(at)
    assert any("Added service_calls_sum_30d to the draft" in s.value
               for s in at.success)
    at.session_state["tab"] = "Scorecard"
    at.run()
    assert at.number_input(key="sc_edit_service_calls_sum_30d_weight").value == 10.0
    assert at.selectbox(key="sc_edit_service_calls_sum_30d_direction").value == "lower"


def test_a_hostile_metric_name_is_shown_as_text(app_test, churn_list_path):
    at = app_test("app_pages/health.py", churn_list_path, query={"tab": "Which signals predict churn?"})
    at.toggle(key="health_signal_run").set_value(True).run(timeout=120)
    hostile = [n for n in _frame_with(at, "Candidate")["Candidate"] if n.startswith("bold_x_http")]
    assert hostile  # the measure name is a safe slug of the metric name
    at.selectbox(key="health_signal_selected").set_value(hostile[0]).run()
    assert_no_exception(at)
    shown = next(m.value for m in at.markdown if "AUC alone" in m.value)
    assert "\\*\\*bold\\*\\*" in shown and "\\[x\\]" in shown and "\\<b\\>" in shown  # escaped: no bold, link or tag


def test_one_snapshot_backtest_says_cv_and_shows_reasons_as_text(app_test, churn_list_path):
    at = app_test("app_pages/health.py", churn_list_path, query={"tab": "Does it predict churn?"})
    at.button(key="health_run_backtest").click().run(timeout=120)
    assert_no_exception(at)
    assert any("cross-validation" in c.value for c in at.caption)
    assert any("No fitted scorecard" in i.value for i in at.info)  # the built-in measures say nothing here
    reasons = _frame_with(at, "Churn reason")
    assert reasons["Churn reason"].tolist() == ["<b>price</b>"]  # shown as text, never as HTML


def test_data_page_offers_the_outcomes_table(app_test, tmp_path):
    from cs_analytics.core.tables import TABLES

    assert "outcomes" in TABLES
    at = app_test("app_pages/data.py", tmp_path / "empty.duckdb")
    assert_no_exception(at)
