"""Onboarding charts are pure functions; text from the user's files is escaped for plotly."""
from __future__ import annotations

import pandas as pd

from cs_analytics.charts.onboarding import activation_curve_figure, activation_retention_figure

HOSTILE = "<b>SMB</b> <a href='x'>"


def test_curve_lines_per_segment_with_escaped_names():
    curve = pd.DataFrame({"group": [HOSTILE, HOSTILE, "ENT", "ENT"], "day": [0, 1, 0, 1], "accounts": [4, 4, 2, 2],
                          "activated": [1, 2, 0, 2], "share": [0.25, 0.5, 0.0, 1.0]})
    fig = activation_curve_figure(curve, "rule <i>x</i>")
    by_name = {trace.name: trace for trace in fig.data}
    assert "ENT (n=2)" in by_name
    hostile = next(trace for name, trace in by_name.items() if "SMB" in name)
    assert "<b>" not in hostile.name and "<a" not in hostile.name and hostile.name.endswith("(n=4)")
    assert "<b>" not in hostile.hovertemplate
    assert "<i>" not in fig.layout.annotations[0].text
    assert list(hostile.y) == [0.25, 0.5]


def test_retention_figure_has_both_groups():
    curves = pd.DataFrame({"group": ["activated", "activated", "not_activated", "not_activated"],
                           "month_since_start": [0, 1, 0, 1], "accounts": [10, 9, 5, 5], "retained": [10, 8, 5, 2],
                           "share": [1.0, 8 / 9, 1.0, 0.4]})
    fig = activation_retention_figure(curves, "Logo retention")
    assert [t.name for t in fig.data] == ["Activated", "Not activated"]
    assert fig.layout.yaxis.title.text == "Logo retention"
