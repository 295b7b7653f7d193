"""views/health.py: the Health page's typed results."""
from __future__ import annotations

import datetime as dt

from cs_analytics.core.db import close_workspace
from cs_analytics.health import backtest as bt
from cs_analytics.health.bands import BANDS
from cs_analytics.health.scorecard import default_scorecard
from cs_analytics.views.health import band_change_preview, health_scores
from cs_analytics.views.health_fit import backtest_tables
from health_cases import backtest_case, nps_only_scorecard

T = dt.date(2024, 1, 31)


def test_health_scores_count_bands_once_and_show_readable_columns(tmp_path):
    ws = backtest_case(tmp_path / "b.duckdb")
    view = health_scores(ws, None, T)
    assert view.customers == 4 == len(view.table)
    assert set(view.metric_bands) == set(BANDS)
    assert sum(view.metric_bands.values()) == view.scores["band"].notna().sum()
    assert {"Account ID", "Account name", "Score", "Metric band", "CSM override"} <= set(view.table.columns)
    assert "account_name" not in view.table.columns
    text = view.table.select_dtypes(include="object")
    assert not text.isna().any().any()  # blanks, never "None"
    close_workspace(tmp_path / "b.duckdb")


def test_band_change_preview_and_backtest_tables(tmp_path):
    ws = backtest_case(tmp_path / "b.duckdb")
    same = default_scorecard().to_json()
    assert band_change_preview(ws, None, T, same, same).empty
    tables = backtest_tables(bt.run_backtest(ws, 90, nps_only_scorecard()))
    assert list(tables.per_band.columns[:4]) == ["Metric band", "Account-snapshots", "Churned", "Churn rate"]
    assert tables.measures.empty  # one snapshot with two churned accounts: no fitted scorecard
    assert tables.verdict.startswith("No fitted scorecard")
    close_workspace(tmp_path / "b.duckdb")


def test_fitted_scorecard_is_said_in_words_without_coefficients():
    import pandas as pd

    result = bt.BacktestResult(horizon_days=90, as_of=T, scorecard_version=0, measures=pd.DataFrame({
        "measure": ["nps", "recency"], "direction": ["higher", "lower"], "bins": [3, 2],
        "information_value": [0.31, 0.05], "current_weight": [20.0, 15.0], "fitted_weight": [80.0, 20.0],
        "thresholds": [[(0.0, 0.0), (6.0, 0.0), (7.0, 100.0)], [(0.0, 100.0), (30.0, 0.0)]],
    }))
    measures = backtest_tables(result).measures
    assert measures["Measure"].tolist() == ["NPS", "Recency"]
    assert measures["Better when"].tolist() == ["higher is better", "lower is better"]
    assert measures["Fitted points (raw: score)"].tolist()[1] == "0:100, 30:0"
    assert not {"coefficient", "permutation_importance", "Higher measure score went with"} & set(measures.columns)
