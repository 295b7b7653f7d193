"""Retention charts inspected as figures: the polish defects of issue 13 stay fixed."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cs_analytics.charts import retention as charts
from cs_analytics.retention.cohorts import CohortMatrix
from cs_analytics.retention.revenue import BRIDGE_COLUMNS, MOVEMENTS


def bridge(months: int = 3) -> pd.DataFrame:
    frame = pd.DataFrame({c: [0.0] * months for c in BRIDGE_COLUMNS})
    frame["month"] = pd.date_range("2024-01-01", periods=months, freq="MS")
    frame["mrr"] = [33_000.0 + 500 * i for i in range(months)]
    frame["new"] = [33_000.0] + [500.0] * (months - 1)
    frame["new_accounts"] = [40] + [1] * (months - 1)
    return frame


def test_opening_book_is_opening_mrr_not_new():
    fig = charts.movements_figure(bridge())
    traces = {t.name: t for t in fig.data}
    assert list(traces["opening MRR"].y) == [33_000.0]
    assert list(traces["new"].y) == [0.0, 500.0, 500.0]
    assert {m for m in MOVEMENTS} <= set(traces)


def test_money_axes_show_whole_amounts_not_fractions_of_millions():
    fig = charts.movements_figure(bridge())
    assert fig.layout.yaxis.tickformat == ",.0f"
    assert fig.layout.yaxis2.tickformat == ",.0f"


def test_mrr_axis_picks_its_own_round_ticks_not_the_movement_axis_grid():
    """A secondary axis synced to the left axis's grid reads 32,903 / 493,289 / ...; its own
    automatic ticks read 1,000,000 / 2,000,000."""
    fig = charts.movements_figure(bridge())
    assert fig.layout.yaxis2.tickmode == "auto" and fig.layout.yaxis2.showgrid is False


def test_coinciding_targets_share_one_label_and_labels_do_not_overlap():
    fig = charts.rates_figure(bridge(14), {"grr_12m": 0.9, "nrr_12m": 1.1, "logo_retention_12m": 0.9})
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["GRR (12m) and Logo retention (12m) target 90%", "NRR (12m) target 110%"]
    assert len({a.x for a in fig.layout.annotations}) == 2  # alternating sides
    assert sorted(round(s.y0, 6) for s in fig.layout.shapes) == [0.9, 0.9, 1.1]


def matrix(values: list[float]) -> CohortMatrix:
    cells = pd.DataFrame({
        "cohort": pd.to_datetime(["2024-01-01"] * len(values)), "cohort_label": "2024-01",
        "period": range(len(values)), "value_month": pd.date_range("2024-01-01", periods=len(values), freq="MS"),
        "cohort_size": 10, "start_mrr": 1000.0, "retained": [v * 10 for v in values],
        "value": values, "censored": False,
    })
    sizes = cells.loc[cells["period"] == 0, ["cohort", "cohort_label", "cohort_size", "start_mrr"]]
    return CohortMatrix("logo", "month", False, dt.date(2024, 6, 1), cells, sizes)


def test_heatmap_hover_never_rounds_to_100_percent():
    fig = charts.cohort_heatmap(matrix([1.0, 0.9952, 0.5]))
    hover = fig.data[0].hovertext[0]
    assert hover[1].endswith(": 99.5%") and hover[2].endswith(": 50.0%") and hover[0].endswith(": 100.0%")
    assert fig.data[0].text[0][1] == "99.5%"
    assert charts.cell_text(0.004, True) == "0.4%"
    assert charts.cell_text(np.nan, True) == ""


def test_heatmap_title_sits_above_the_top_tick_labels():
    fig = charts.cohort_heatmap(matrix([1.0, 0.8]))
    assert fig.layout.xaxis.side == "top"
    assert fig.layout.title.yref == "container" and fig.layout.title.y == 1.0
    assert fig.layout.margin.t >= 100
