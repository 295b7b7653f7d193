"""Renewals charts: the reliability curve, renewal rates per quarter, the quarter forecast."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cs_analytics.core.text import escape_plotly


def reliability_chart(curve: pd.DataFrame) -> go.Figure:
    """Observed renewal rate against mean predicted likelihood per bin, with counts; the diagonal
    is perfect calibration."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration",
                             line={"dash": "dot", "color": "#999"}))
    fig.add_trace(go.Scatter(x=curve["mean_likelihood"], y=curve["renewal_rate"], mode="markers+lines+text",
                             name="held-out renewals", text=[f"n={n}" for n in curve["n"]],
                             textposition="top center", marker={"size": 9}))
    fig.update_layout(xaxis_title="Predicted likelihood to renew", yaxis_title="Share renewed",
                      xaxis={"range": [0, 1.02], "tickformat": ".0%"}, yaxis={"range": [0, 1.08], "tickformat": ".0%"},
                      height=360, margin={"t": 30})
    return fig


def history_chart(history: pd.DataFrame, target_rate: float) -> go.Figure:
    """Gross and net renewal rate per quarter of due date, first-year and later apart; the target."""
    fig = go.Figure()
    for first_year, label in ((True, "first-year"), (False, "later")):
        part = history[history["first_year"] == first_year]
        for column, dash in (("gross_rate", "solid"), ("net_rate", "dot")):
            fig.add_trace(go.Scatter(x=part["quarter"], y=part[column], mode="lines+markers",
                                     name=escape_plotly(f"{column.split('_')[0]} ({label})"),
                                     line={"dash": dash}))
    fig.add_hline(y=target_rate, line={"dash": "dash", "color": "#2e7d32"},
                  annotation_text=f"target {target_rate:.0%}")
    fig.update_layout(yaxis={"tickformat": ".0%"}, xaxis_title="Quarter of due date", height=360,
                      margin={"t": 30})
    return fig


def forecast_chart(forecast: pd.DataFrame) -> go.Figure:
    """Forecast renewal MRR per quarter with its 5-95% interval, beside expiring and target MRR."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=forecast["quarter"], y=forecast["expiring_mrr"], name="expiring MRR",
                         marker={"color": "#cfd8dc"}))
    fig.add_trace(go.Bar(x=forecast["quarter"], y=forecast["forecast_mrr"], name="forecast renewal MRR",
                         error_y={"type": "data", "symmetric": False,
                                  "array": forecast["high_mrr"] - forecast["forecast_mrr"],
                                  "arrayminus": forecast["forecast_mrr"] - forecast["low_mrr"]}))
    fig.add_trace(go.Scatter(x=forecast["quarter"], y=forecast["target_mrr"], mode="markers",
                             name="target", marker={"symbol": "line-ew-open", "size": 40, "color": "#2e7d32"}))
    fig.update_layout(barmode="group", yaxis_title="MRR", height=340, margin={"t": 30})
    return fig
