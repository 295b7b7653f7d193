"""views/health.py: the Health page's typed results."""
from __future__ import annotations

import datetime as dt

from cs_analytics.core.db import close_workspace
from cs_analytics.health import backtest as bt
from cs_analytics.health.bands import BANDS
from cs_analytics.health.scorecard import default_scorecard
from cs_analytics.views.health import backtest_tables, band_change_preview, health_scores
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
    assert tables.measures.empty  # one snapshot: no model
    close_workspace(tmp_path / "b.duckdb")


def test_model_measures_are_said_in_words():
    import pandas as pd

    result = bt.BacktestResult(horizon_days=90, as_of=T, scorecard_version=0, measures=pd.DataFrame({
        "measure": ["nps", "recency"], "coefficient": [-0.8, 0.3], "permutation_importance": [0.05, -0.01],
        "importance_std": [0.01, 0.01], "current_weight": [20.0, 15.0], "suggested_weight": [100.0, 0.0],
    }))
    measures = backtest_tables(result).measures
    assert measures["Measure"].tolist() == ["NPS", "Recency"]
    assert measures["Higher measure score went with"].tolist() == ["less churn", "more churn"]
    assert "coefficient" not in measures.columns and "permutation_importance" not in measures.columns
