"""Health charts: pure functions, data in, plotly Figure out."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from cs_analytics.health.bands import BAND_COLOURS, BANDS, band_colour
from cs_analytics.core.text import escape_plotly


def score_distribution(scores: pd.DataFrame, green_min: float = 70, yellow_min: float = 40,
                       band_column: str = "band") -> go.Figure:
    """Histogram of scores (5-point bins), one colour per band, with the cut-offs marked."""
    fig = go.Figure()
    for band in BANDS:
        part = scores[scores[band_column] == band]
        fig.add_trace(go.Histogram(
            x=part["score"], name=f"{band} ({len(part)})", marker_color=BAND_COLOURS[band],
            xbins=dict(start=0, end=100.0001, size=5), hovertemplate="score %{x}<br>%{y} accounts<extra></extra>",
        ))
    for cut in (yellow_min, green_min):
        fig.add_vline(x=cut, line_dash="dot", line_color="grey")
    fig.update_layout(barmode="stack", xaxis_title="health score", yaxis_title="accounts",
                      xaxis_range=[0, 100], height=320, margin=dict(t=30, b=40), legend_title_text="band")
    return fig


def explanation_waterfall(table: pd.DataFrame, score: float) -> go.Figure:
    """Waterfall of each counted measure's points, ending at the total score."""
    counted = table[table["status"] == "counted"]
    fig = go.Figure(go.Waterfall(
        x=[*counted["label"], "Score"],
        y=[*counted["points"], score],
        measure=["relative"] * len(counted) + ["total"],
        text=[f"{p:.1f}" for p in counted["points"]] + [f"{score:.1f}"],
        textposition="outside",
        connector={"line": {"color": "#999"}},
        hovertemplate="%{x}: %{y:.2f} points<extra></extra>",
    ))
    fig.update_layout(yaxis_title="points", yaxis_range=[0, 105], height=340, margin=dict(t=30, b=40),
                      showlegend=False)
    return fig


def change_bars(change: pd.DataFrame) -> go.Figure:
    """Horizontal bars: each measure's change in points since last month."""
    fig = go.Figure(go.Bar(
        x=change["change"], y=change["label"], orientation="h",
        marker_color=["#2e7d32" if c >= 0 else "#c62828" for c in change["change"].fillna(0)],
        hovertemplate="%{y}: %{x:+.2f} points<extra></extra>",
    ))
    fig.update_layout(xaxis_title="change in points since last month", height=260, margin=dict(t=20, b=40))
    return fig


def score_history_chart(history: pd.DataFrame, versions: pd.DataFrame | None = None,
                        green_min: float = 70, yellow_min: float = 40) -> go.Figure:
    """The score over time with band-coloured markers, band areas, and scorecard versions marked."""
    fig = go.Figure()
    fig.add_hrect(y0=green_min, y1=100, fillcolor=BAND_COLOURS["green"], opacity=0.07, line_width=0)
    fig.add_hrect(y0=yellow_min, y1=green_min, fillcolor=BAND_COLOURS["yellow"], opacity=0.07, line_width=0)
    fig.add_hrect(y0=0, y1=yellow_min, fillcolor=BAND_COLOURS["red"], opacity=0.07, line_width=0)
    if not history.empty:
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(history["as_of"]), y=history["score"], mode="lines+markers", name="score",
            line=dict(color="#555"),
            marker=dict(size=9, color=[band_colour(b) for b in history["band"]]),
            hovertemplate="%{x|%Y-%m-%d}: %{y:.1f}<extra></extra>",
        ))
    if versions is not None and not versions.empty:
        for row in versions.itertuples():
            x = pd.Timestamp(row.created_at)
            fig.add_vline(x=x.value / 1e6, line_dash="dash", line_color="#1565c0")
            fig.add_annotation(x=x, y=100, text=f"v{row.version}", showarrow=False, yshift=8,
                               font=dict(color="#1565c0"))
    fig.update_layout(yaxis_title="health score", yaxis_range=[0, 105], height=320, margin=dict(t=30, b=40),
                      showlegend=False)
    return fig


def mrr_history_chart(account_month: pd.DataFrame) -> go.Figure:
    """Month-end MRR of one account (step line)."""
    fig = go.Figure(go.Scatter(
        x=pd.to_datetime(account_month["month"]), y=account_month["mrr"], mode="lines", line_shape="hv",
        hovertemplate="%{x|%Y-%m}: %{y:,.0f}<extra></extra>",
    ))
    fig.update_layout(yaxis_title="MRR (month-end)", height=260, margin=dict(t=20, b=40))
    return fig


def contracts_timeline(contracts: pd.DataFrame, as_of) -> go.Figure:
    """One bar per contract from start to end (open-ended contracts run to as_of)."""
    fig = go.Figure()
    for row in contracts.itertuples():
        end = pd.Timestamp(row.end_date) if pd.notna(row.end_date) else pd.Timestamp(as_of)
        start = pd.Timestamp(row.start_date)
        fig.add_trace(go.Scatter(
            x=[start, end], y=[escape_plotly(row.contract_id)] * 2, mode="lines+markers", line=dict(width=10),
            name=escape_plotly(row.contract_id),
            hovertemplate=f"{escape_plotly(row.contract_id)}: {start:%Y-%m-%d} to "
                          f"{'open' if pd.isna(row.end_date) else f'{end:%Y-%m-%d}'}, MRR {row.mrr:,.0f}<extra></extra>",
        ))
    fig.update_layout(height=max(160, 60 + 30 * len(contracts)), showlegend=False, margin=dict(t=20, b=40),
                      yaxis_title="contract")
    return fig


def usage_by_metric_chart(usage: pd.DataFrame) -> go.Figure:
    """Monthly usage value per metric (columns month, metric, value)."""
    fig = go.Figure()
    for metric, part in usage.groupby("metric"):
        fig.add_trace(go.Scatter(x=pd.to_datetime(part["month"]), y=part["value"], mode="lines", name=escape_plotly(metric)))
    fig.update_layout(yaxis_title="usage value per month", height=300, margin=dict(t=20, b=40))
    return fig


def calibration_chart(calibration: pd.DataFrame, model_calibration: pd.DataFrame | None = None) -> go.Figure:
    """Churn rate per score decile (1 = lowest scores), with counts on hover."""
    fig = go.Figure()
    if not calibration.empty:
        fig.add_trace(go.Bar(
            x=calibration["decile"], y=calibration["churn_rate"], name="health score",
            customdata=calibration[["score_min", "score_max", "accounts", "churned"]].to_numpy(),
            hovertemplate="decile %{x} (score %{customdata[0]:.0f}-%{customdata[1]:.0f}): "
                          "%{y:.1%} churned (%{customdata[3]} of %{customdata[2]})<extra></extra>",
            marker_color="#1565c0",
        ))
    if model_calibration is not None and not model_calibration.empty:
        fig.add_trace(go.Bar(
            x=model_calibration["decile"], y=model_calibration["churn_rate"], name="model (test snapshots)",
            marker_color="#9e9e9e",
        ))
    fig.update_layout(barmode="group", xaxis_title="score decile (1 = lowest scores)",
                      yaxis_title="churned within horizon", yaxis_tickformat=".0%", height=320,
                      margin=dict(t=30, b=40), xaxis=dict(dtick=1))
    return fig


def weights_comparison_chart(current: dict, suggested: dict | None, suggested_name: str = "suggested") -> go.Figure:
    """Current versus suggested (e.g. fitted) weights (normalised to 100), side by side."""
    names = list(dict.fromkeys([*current, *(suggested or {})]))
    fig = go.Figure()
    fig.add_trace(go.Bar(x=names, y=[current.get(n, 0) for n in names], name="current", marker_color="#1565c0"))
    if suggested:
        fig.add_trace(go.Bar(x=names, y=[suggested.get(n, 0) for n in names], name=suggested_name, marker_color="#ef6c00"))
    fig.update_layout(barmode="group", yaxis_title="weight (sums to 100)", height=300, margin=dict(t=30, b=40))
    return fig


def churn_rate_by_bin_chart(bins: pd.DataFrame, overall_rate: float | None = None, value_label: str = "value") -> go.Figure:
    """Churn rate per bin of a candidate measure (bin, lower, upper, rows, churned, churn_rate), bins
    in value order, so a cliff (a jump between two neighbouring bins) shows as a step; the overall
    churn rate as a dashed line."""
    labels = [f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}" for lo, hi in zip(bins["lower"], bins["upper"])]
    fig = go.Figure(go.Bar(
        x=labels, y=bins["churn_rate"], marker_color="#c62828",
        customdata=bins[["rows", "churned"]].to_numpy(),
        hovertemplate="%{x}: %{y:.1%} churned (%{customdata[1]} of %{customdata[0]})<extra></extra>",
    ))
    if overall_rate is not None:
        fig.add_hline(y=overall_rate, line_dash="dash", line_color="#616161",
                      annotation_text=f"all rows {overall_rate:.1%}", annotation_position="top left")
    fig.update_layout(xaxis_title=escape_plotly(value_label), yaxis_title="churn rate", yaxis_tickformat=".0%",
                      height=300, margin=dict(t=30, b=40), xaxis=dict(type="category"))
    return fig
