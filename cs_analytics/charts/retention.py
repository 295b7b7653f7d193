"""Retention charts: pure functions from data frames to plotly Figures (no Streamlit here)."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cs_analytics.core import config
from cs_analytics.core.text import escape_plotly

MOVEMENT_COLORS = {
    "new": "#2e7d32",
    "reactivation": "#66bb6a",
    "expansion": "#1e88e5",
    "contraction": "#fb8c00",
    "churn": "#e53935",
}
RATE_LABELS = {"grr_12m": "GRR (12m)", "nrr_12m": "NRR (12m)", "logo_retention_12m": "Logo retention (12m)"}
RATE_COLORS = {"grr_12m": "#1e88e5", "nrr_12m": "#2e7d32", "logo_retention_12m": "#8e24aa"}
DEFAULT_TARGETS = {
    "grr_12m": config.TARGET_GRR,
    "nrr_12m": config.TARGET_NRR,
    "logo_retention_12m": 1.0 - config.TARGET_LOGO_CHURN,
}
CENSORED_TEXT = "not yet observed"


MONEY_TICKS = ",.0f"
OPENING_LABEL = "opening MRR"
OPENING_COLOR = "#90a4ae"


def movements_figure(bridge: pd.DataFrame) -> go.Figure:
    """Stacked bars of MRR movements per month (contraction and churn negative) with the MRR line
    on a second axis. Each bar point carries customdata [movement, month YYYY-MM] for drill-down.

    The first month has no month before it inside the data, so its "new" MRR is the opening book:
    it is drawn as one "opening MRR" bar, not as new business. Both axes show whole amounts."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    months = pd.to_datetime(bridge["month"]) if not bridge.empty else pd.Series(dtype="datetime64[ns]")
    labels = months.dt.strftime("%Y-%m")
    if not bridge.empty:
        fig.add_trace(_movement_bar(OPENING_LABEL, OPENING_COLOR, labels[:1], bridge["new"].iloc[:1],
                                    bridge["new_accounts"].iloc[:1], "new"), secondary_y=False)
    for movement, color in MOVEMENT_COLORS.items():
        sign = -1.0 if movement in ("contraction", "churn") else 1.0
        values = sign * bridge[movement] if not bridge.empty else pd.Series(dtype=float)
        if movement == "new" and not bridge.empty:
            values = values.where(labels != labels.iloc[0], 0.0)
        counts = bridge[f"{movement}_accounts"] if f"{movement}_accounts" in bridge else [None] * len(labels)
        fig.add_trace(_movement_bar(movement, color, labels, values, counts, movement), secondary_y=False)
    fig.add_trace(go.Scatter(
        x=labels, y=bridge["mrr"] if not bridge.empty else [], name="MRR", mode="lines+markers",
        line=dict(color="#263238", width=2), hovertemplate="%{x} MRR: %{y:,.0f}<extra></extra>",
    ), secondary_y=True)
    fig.update_layout(barmode="relative", title="MRR and movements per month", hovermode="closest",
                      legend=dict(orientation="h", y=-0.25), margin=dict(t=50, b=40))
    fig.update_xaxes(tickangle=-45, automargin=True)
    fig.update_yaxes(title_text="Movement (MRR)", tickformat=MONEY_TICKS, secondary_y=False)
    fig.update_yaxes(title_text="MRR (month-end)", tickformat=MONEY_TICKS, secondary_y=True, rangemode="tozero",
                     tickmode="auto", nticks=6, showgrid=False)
    fig.update_xaxes(type="category")
    return fig


def _movement_bar(name: str, color: str, labels, values, counts, movement: str) -> go.Bar:
    """One bar trace of the movements chart; customdata [movement, month, accounts] drills down."""
    labels = list(labels)
    return go.Bar(
        x=labels, y=list(values), name=name, marker_color=color,
        customdata=np.column_stack([[movement] * len(labels), labels, list(counts)]) if labels else None,
        hovertemplate="%{customdata[1]} " + name + ": %{y:,.0f} (%{customdata[2]} accounts)<extra></extra>",
    )


TARGET_LABEL_X = (0.0, 1.0)


def _targets_by_value(targets: dict[str, float | None]) -> dict[float, list[str]]:
    """Target value -> the rate columns sharing it (one label for targets that coincide)."""
    grouped: dict[float, list[str]] = {}
    for column in RATE_LABELS:
        if targets.get(column) is not None:
            grouped.setdefault(round(float(targets[column]), 6), []).append(column)
    return grouped


def rates_figure(bridge: pd.DataFrame, targets: dict[str, float] | None = None) -> go.Figure:
    """Trailing-12m GRR, NRR and logo retention lines with dashed target reference lines
    (defaults: GRR 90 %, NRR 110 %, logo retention 90 % = logo churn below 10 %). Targets that
    coincide share one label; labels alternate left and right so they never overlap."""
    targets = {**DEFAULT_TARGETS, **(targets or {})}
    fig = go.Figure()
    defined = bridge.dropna(subset=["nrr_12m"]) if not bridge.empty else bridge
    labels = pd.to_datetime(defined["month"]).dt.strftime("%Y-%m") if not defined.empty else []
    for column, label in RATE_LABELS.items():
        fig.add_trace(go.Scatter(
            x=labels, y=defined[column] if not defined.empty else [], name=label, mode="lines+markers",
            line=dict(color=RATE_COLORS[column]), hovertemplate="%{x} " + label + ": %{y:.1%}<extra></extra>",
        ))
    for position, (target, columns) in enumerate(_targets_by_value(targets).items()):
        for column in columns:
            fig.add_hline(y=target, line_dash="dash", line_color=RATE_COLORS[column], opacity=0.6)
        names = " and ".join(RATE_LABELS[c] for c in columns)
        fig.add_annotation(x=TARGET_LABEL_X[position % 2], xref="paper", xanchor="left" if position % 2 == 0
                           else "right", y=target, yref="y", yanchor="bottom", showarrow=False,
                           text=f"{names} target {target:.0%}", font=dict(size=11))
    fig.update_layout(title="Trailing-12-month retention", yaxis_tickformat=".0%", hovermode="x unified",
                      legend=dict(orientation="h", y=-0.15), margin=dict(t=50, b=40))
    fig.update_xaxes(type="category")
    return fig


def cohort_heatmap(matrix, percent: bool = True) -> go.Figure:
    """Heatmap of a CohortMatrix: cohorts (with size) down, periods across; censored cells are
    blank (null z) and their hover text says "not yet observed"."""
    wide = matrix.wide(percent=percent)
    fig = go.Figure()
    if wide.empty:
        fig.update_layout(title="No cohorts yet")
        return fig
    censored = matrix.censored_mask().to_numpy()  # a plain array: .iloc per cell cost ~0.3 s at 700 cells
    sizes = dict(zip(matrix.sizes["cohort_label"], matrix.sizes["cohort_size"]))
    y_labels = [f"{c} (n={sizes[c]})" for c in wide.index]
    z = wide.to_numpy(dtype=float)
    z_plot = np.where(np.isnan(z), None, z * 100 if percent else z).tolist()
    hover, text = [], []
    for i, cohort in enumerate(wide.index):
        hover_row, text_row = [], []
        for j, period in enumerate(wide.columns):
            if censored[i, j]:
                hover_row.append(f"Cohort {cohort}, period {period}: {CENSORED_TEXT}")
                text_row.append("")
            else:
                hover_row.append(f"Cohort {cohort} (n={sizes[cohort]}), period {period}: "
                                 f"{cell_text(z[i, j], percent, decimals=1)}")
                text_row.append(cell_text(z[i, j], percent))
        hover.append(hover_row)
        text.append(text_row)
    show_text = wide.shape[0] * wide.shape[1] <= 600
    # Text as numpy arrays: plotly validates a list element by element (~0.3 s here), an array at once.
    fig.add_trace(go.Heatmap(
        z=z_plot, x=np.array([str(p) for p in wide.columns]), y=np.array(y_labels),
        customdata=np.array([[c] * wide.shape[1] for c in wide.index]),
        hovertext=np.array(hover), hoverinfo="text", text=np.array(text) if show_text else None,
        texttemplate="%{text}" if show_text else None, colorscale="Blues", hoverongaps=False,
        colorbar=dict(title="%" if percent else ""), xgap=1, ygap=1,
    ))
    # Streamlit's plotly selection does not report heatmap clicks; near-invisible square markers
    # over the observed cells make every cell clickable (points selection) with the same hover.
    cell_x, cell_y, cell_hover = [], [], []
    for i, y_label in enumerate(y_labels):
        for j, period in enumerate(wide.columns):
            if not censored[i, j]:
                cell_x.append(str(period))
                cell_y.append(y_label)
                cell_hover.append(hover[i][j])
    fig.add_trace(go.Scatter(
        x=np.array(cell_x), y=np.array(cell_y), mode="markers", name="cells", showlegend=False,
        hovertext=np.array(cell_hover),
        hoverinfo="text", marker=dict(symbol="square", size=max(8, min(22, 700 // max(1, wide.shape[1]))),
                                      color="rgba(0,0,0,0.01)"),
    ))
    unit = "%" if percent else ("MRR" if matrix.basis in ("grr", "nrr") else "accounts")
    fig.update_layout(
        title=dict(text=f"{matrix.label} by {matrix.grain} cohort ({unit}; blank = {CENSORED_TEXT})",
                   y=1.0, yref="container", yanchor="top", pad=dict(t=10)),
        xaxis_title=f"Period ({matrix.grain}s since start)", yaxis_title="Cohort",
        margin=dict(t=HEATMAP_TOP_MARGIN), height=max(300, 22 * len(y_labels) + HEATMAP_TOP_MARGIN + 70),
    )
    fig.update_xaxes(type="category", side="top", range=[-0.5, wide.shape[1] - 0.5])
    fig.update_yaxes(type="category", range=[len(y_labels) - 0.5, -0.5])
    return fig


HEATMAP_TOP_MARGIN = 110  # room for the title above the period tick labels and axis title on top


def cell_text(value: float, percent: bool, decimals: int = 0) -> str:
    """A cell as shown: a percent with `decimals` (one more where rounding would show 100% or 0%
    for a value that is not), or a whole number; blank for a missing value."""
    if np.isnan(value):
        return ""
    if not percent:
        return f"{value:,.0f}"
    shown = round(value * 100, decimals)
    if shown in (0.0, 100.0) and value not in (0.0, 1.0):
        decimals += 1
    return f"{value * 100:.{decimals}f}%"


def average_curve_figure(average: pd.DataFrame, label: str = "Average", grain: str = "month") -> go.Figure:
    """The size-weighted average retention curve (observed cohorts only) by period."""
    fig = go.Figure(go.Scatter(
        x=average["period"], y=average["value"], mode="lines+markers", name=label,
        customdata=average[["cohorts"]] if not average.empty else None,
        hovertemplate="period %{x}: %{y:.1%} over %{customdata[0]} cohorts<extra></extra>",
    ))
    fig.update_layout(title=f"Weighted average: {label}", yaxis_tickformat=".0%",
                      xaxis_title=f"Period ({grain}s since start)", margin=dict(t=50))
    return fig


def cohort_lines_figure(matrix, cohorts: Iterable[str], percent: bool = True) -> go.Figure:
    """One line per chosen cohort across periods (observed cells only), plus the average."""
    wide = matrix.wide(percent=percent)
    fig = go.Figure()
    for cohort in cohorts:
        if cohort not in wide.index:
            continue
        row = wide.loc[cohort].dropna()
        fig.add_trace(go.Scatter(x=row.index.tolist(), y=row.to_numpy(), mode="lines+markers", name=cohort))
    if percent:
        avg = matrix.average_curve()
        fig.add_trace(go.Scatter(x=avg["period"], y=avg["value"], mode="lines", name="weighted average",
                                 line=dict(dash="dot", color="#455a64")))
        fig.update_layout(yaxis_tickformat=".0%")
    fig.update_layout(title="Cohort comparison", xaxis_title=f"Period ({matrix.grain}s since start)",
                      margin=dict(t=50))
    return fig


def km_figure(curves: pd.DataFrame) -> go.Figure:
    """Kaplan-Meier survival step curves per group with shaded confidence bands."""
    fig = go.Figure()
    palette = ["#1e88e5", "#e53935", "#2e7d32", "#8e24aa", "#fb8c00", "#00897b", "#6d4c41", "#546e7a"]
    for i, (group, sub) in enumerate(curves.groupby("group", sort=True)):
        color = palette[i % len(palette)]
        name = escape_plotly(group)  # group values come from the user's files
        fig.add_trace(go.Scatter(x=sub["month"], y=sub["ci_upper"], mode="lines", line=dict(width=0, shape="hv"),
                                 showlegend=False, hoverinfo="skip", legendgroup=name))
        fig.add_trace(go.Scatter(x=sub["month"], y=sub["ci_lower"], mode="lines", line=dict(width=0, shape="hv"),
                                 fill="tonexty", fillcolor=_rgba(color, 0.15), showlegend=False,
                                 hoverinfo="skip", legendgroup=name))
        fig.add_trace(go.Scatter(
            x=sub["month"], y=sub["survival"], mode="lines", name=name, legendgroup=name,
            line=dict(color=color, shape="hv"), customdata=sub[["at_risk"]],
            hovertemplate=name + ", month %{x}: %{y:.1%} (at risk %{customdata[0]})<extra></extra>",
        ))
    fig.update_layout(title="Customer lifetime (Kaplan-Meier)", xaxis_title="Months since first customer month",
                      yaxis_title="Share still a customer", yaxis_tickformat=".0%", yaxis_range=[0, 1.02],
                      margin=dict(t=50))
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    return f"rgba({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)}, {alpha})"
