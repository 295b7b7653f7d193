"""Onboarding charts: pure functions from frames to plotly Figures (no Streamlit here)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cs_analytics.core.text import escape_plotly

PALETTE = ["#1e88e5", "#e53935", "#2e7d32", "#8e24aa", "#fb8c00", "#00897b", "#6d4c41", "#546e7a"]
GROUP_COLORS = {"activated": "#2e7d32", "not_activated": "#e53935"}
GROUP_NAMES = {"activated": "Activated", "not_activated": "Not activated"}


def activation_curve_figure(curve: pd.DataFrame, rule_text: str) -> go.Figure:
    """Cumulative share activated by day since start, one line per group (frame of
    onboarding.activation.activation_curve: group, day, accounts, activated, share)."""
    fig = go.Figure()
    for i, (group, sub) in enumerate(curve.groupby("group", sort=True)):
        name = escape_plotly(f"{group} (n={int(sub['accounts'].iloc[0])})")  # segments come from files
        fig.add_trace(go.Scatter(
            x=sub["day"], y=sub["share"], mode="lines", name=name, line=dict(color=PALETTE[i % len(PALETTE)], shape="hv"),
            customdata=sub[["activated", "accounts"]],
            hovertemplate=name + ", day %{x}: %{y:.1%} (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        ))
    fig.update_layout(title="Cumulative activation by day since start", xaxis_title="Days since start",
                      yaxis_title="Share activated", yaxis_tickformat=".0%", yaxis_range=[0, 1.02],
                      margin=dict(t=50), annotations=[dict(text=escape_plotly(rule_text), showarrow=False,
                                                           xref="paper", yref="paper", x=0, y=1.06,
                                                           xanchor="left", font=dict(size=11))])
    return fig


def activation_retention_figure(curves: pd.DataFrame, label: str) -> go.Figure:
    """Retention by month since start of activated versus not activated accounts (frame of
    onboarding.outcomes.retention_curves: group, month_since_start, accounts, retained, share)."""
    fig = go.Figure()
    for group, sub in curves.groupby("group", sort=True):
        name = GROUP_NAMES.get(group, escape_plotly(group))
        fig.add_trace(go.Scatter(
            x=sub["month_since_start"], y=sub["share"], mode="lines+markers", name=name,
            line=dict(color=GROUP_COLORS.get(group, PALETTE[0])), customdata=sub[["retained", "accounts"]],
            hovertemplate=name + ", month %{x}: %{y:.1%} (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        ))
    fig.update_layout(title=f"{label} by month since start", xaxis_title="Months since start month",
                      yaxis_title=label, yaxis_tickformat=".0%", yaxis_range=[0, 1.02], margin=dict(t=50))
    return fig
