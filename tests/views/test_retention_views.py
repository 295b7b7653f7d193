"""The Revenue and Cohorts views: KPI tiles written one way, tables as read, choices kept per grain."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cs_analytics.retention.cohorts import CohortMatrix
from cs_analytics.views.cohorts import CohortView, kept_choices, matrix_table
from cs_analytics.views.kpi_tiles import NO_CHANGE, kpi_tile


def test_kpi_tile_writes_money_counts_and_ratios():
    assert kpi_tile("mrr", "MRR", 1_234_567.0, 45_600.0).value == "1.23M"
    assert kpi_tile("mrr", "MRR", 1_234_567.0, 45_600.0).delta == "+45.6k vs a year ago"
    assert kpi_tile("customers", "Customers", 1200.0, -3.0).delta == "-3 vs a year ago"
    tile = kpi_tile("grr_12m", "GRR (12m)", 0.912, 0.021)
    assert (tile.value, tile.delta, tile.delta_color) == ("91.2%", "+2.1 pts vs a year ago", "normal")
    assert kpi_tile("logo_churn_12m", "Logo churn", 0.1, 0.01, higher_is_better=False).delta_color == "inverse"
    assert kpi_tile("grr_12m", "GRR", None, None).value == "n/a"


def test_a_change_that_shows_as_zero_has_no_arrow_and_no_colour():
    tile = kpi_tile("grr_12m", "GRR (12m)", 0.9, 0.0001)
    assert (tile.delta, tile.delta_color, tile.delta_arrow) == (NO_CHANGE, "off", "off")
    assert kpi_tile("customers", "Customers", 10.0, 0.0).delta == NO_CHANGE


def matrix() -> CohortMatrix:
    cells = pd.DataFrame({
        "cohort": pd.to_datetime(["2024-01-01"] * 3), "cohort_label": "2024-01", "period": [0, 1, 2],
        "value_month": pd.date_range("2024-01-01", periods=3, freq="MS"), "cohort_size": 10,
        "start_mrr": 1000.0, "retained": [10.0, 9.0, None], "value": [1.0, 0.99864, None],
        "censored": [False, False, True],
    })
    sizes = cells.loc[cells["period"] == 0, ["cohort", "cohort_label", "cohort_size", "start_mrr"]]
    return CohortMatrix("logo", "month", False, dt.date(2024, 2, 1), cells, sizes)


def test_matrix_table_shows_percents_not_raw_fractions():
    table = matrix_table(matrix(), percent=True)
    assert list(table.columns) == ["cohort_size", "month 0", "month 1", "month 2"]
    assert table.loc["2024-01"].tolist() == [10, "100.0%", "99.9%", ""]


def test_comparison_keeps_only_cohorts_of_the_current_grain():
    view = CohortView(matrix(), pd.DataFrame(), ("2024-Q1", "2024-Q2"), ("2024-Q1",), 2)
    assert kept_choices(["2024-01", "2024-02"], view) == ["2024-Q1"]
    assert kept_choices(["2024-Q2", "2024-01"], view) == ["2024-Q2"]
