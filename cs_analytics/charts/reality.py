"""Charts of the Reality page: data in, plotly Figure out (no Streamlit)."""
from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cs_analytics.reality.quadrants import QUADRANT_LABELS, QUADRANTS
from cs_analytics.core.text import escape_plotly

SENTIMENT_LEVELS = {"none": 0, "red": 1, "yellow": 2, "green": 3}
SENTIMENT_TICKS = ["no recent assessment", "red", "yellow", "green"]
QUADRANT_COLOURS = {
    "green_but_failing": "#d62728",
    "red_but_fine": "#1f77b4",
    "agree_at_risk": "#ff7f0e",
    "agree_healthy": "#2ca02c",
    "unassessed": "#9e9e9e",
}
JITTER = 0.32


def _jitter(account_id: str) -> float:
    """A stable offset in [-JITTER, JITTER] per account (same place on every rerun)."""
    digest = hashlib.sha1(str(account_id).encode()).digest()
    return (digest[0] / 255.0 * 2 - 1) * JITTER


def quadrant_chart(frame: pd.DataFrame) -> go.Figure:
    """Metric score (x) versus latest CSM sentiment (y, categorical, jittered), one trace per
    quadrant, marker area by MRR. customdata[0] is the raw account_id (for selections); the hover
    shows HTML-escaped copies (customdata[5], [6]) so an id or name is never rendered as markup."""
    fig = go.Figure()
    mrr = frame["mrr"].astype(float).fillna(0).clip(lower=0) if len(frame) else pd.Series(dtype=float)
    max_mrr = float(mrr.max()) if len(mrr) and mrr.max() > 0 else 1.0
    for quadrant in QUADRANTS:
        part = frame[frame["quadrant"] == quadrant]
        if part.empty:
            continue
        level = part["csm_sentiment"].fillna("none").map(SENTIMENT_LEVELS).fillna(0)
        y = level.to_numpy(dtype=float) + np.array([_jitter(a) for a in part["account_id"]])
        size = 6 + 30 * np.sqrt(part["mrr"].astype(float).fillna(0).clip(lower=0) / max_mrr)
        custom = np.column_stack([
            part["account_id"].astype(str),
            part["account_name"].fillna("").astype(str),
            part["band"].fillna("").astype(str),
            part["csm_sentiment"].fillna("none").astype(str),
            part["mrr"].astype(float).fillna(0).round(0).astype(str),
            part["account_id"].map(escape_plotly),
            part["account_name"].map(escape_plotly),
        ])
        fig.add_trace(go.Scatter(
            x=part["score"].astype(float), y=y, mode="markers", name=QUADRANT_LABELS[quadrant],
            marker=dict(size=size, color=QUADRANT_COLOURS[quadrant], opacity=0.7,
                        line=dict(width=0.5, color="white")),
            customdata=custom,
            hovertemplate=("<b>%{customdata[6]}</b> (%{customdata[5]})<br>score %{x:.0f} "
                           "(%{customdata[2]})<br>CSM: %{customdata[3]}<br>MRR %{customdata[4]}"
                           "<extra>" + QUADRANT_LABELS[quadrant] + "</extra>"),
        ))
    fig.update_layout(
        xaxis=dict(title="Metric health score", range=[-2, 102]),
        yaxis=dict(title="Latest CSM sentiment", tickvals=list(range(4)), ticktext=SENTIMENT_TICKS,
                   range=[-0.5, 3.5]),
        legend=dict(orientation="h", y=-0.2), height=480, margin=dict(t=30, l=10, r=10, b=10),
        dragmode="lasso",
    )
    return fig


def quadrant_bins_chart(bins: pd.DataFrame) -> go.Figure:
    """The quadrant chart at scale: one marker per score bin (reality.quadrant_bins) at the bin's
    middle score and its CSM sentiment (a small offset per quadrant so bins never overlap), marker
    area by the bin's accounts. customdata[0] is the bin id (for selections)."""
    fig = go.Figure()
    most = float(bins["accounts"].max()) if len(bins) else 1.0
    for offset, quadrant in zip(np.linspace(-0.16, 0.16, len(QUADRANTS)), QUADRANTS):
        part = bins[bins["quadrant"] == quadrant]
        if part.empty:
            continue
        level = part["csm_sentiment"].map(SENTIMENT_LEVELS).fillna(0).to_numpy(dtype=float)
        custom = np.column_stack([part["bin_id"], part["accounts"].map("{:,}".format),
                                  part["csm_sentiment"].map(escape_plotly), part["mrr"].round(0).map("{:,.0f}".format),
                                  part["score_from"].map("{:g}".format), part["score_to"].map("{:g}".format)])
        fig.add_trace(go.Scatter(
            x=(part["score_from"] + part["score_to"]) / 2, y=level + offset, mode="markers",
            name=QUADRANT_LABELS[quadrant], customdata=custom,
            marker=dict(size=6 + 30 * np.sqrt(part["accounts"] / most), color=QUADRANT_COLOURS[quadrant],
                        opacity=0.7, line=dict(width=0.5, color="white")),
            hovertemplate=("<b>%{customdata[1]} accounts</b><br>score %{customdata[4]} to %{customdata[5]}"
                           "<br>CSM: %{customdata[2]}<br>MRR %{customdata[3]}"
                           "<extra>" + QUADRANT_LABELS[quadrant] + "</extra>"),
        ))
    fig.update_layout(
        xaxis=dict(title="Metric health score (bins)", range=[-2, 102]),
        yaxis=dict(title="Latest CSM sentiment", tickvals=list(range(4)), ticktext=SENTIMENT_TICKS,
                   range=[-0.5, 3.5]),
        legend=dict(orientation="h", y=-0.2), height=480, margin=dict(t=30, l=10, r=10, b=10),
        dragmode="lasso",
    )
    return fig


def usage_curve_chart(curve: pd.DataFrame, contract_end: dt.date, window_days: int = 7) -> go.Figure:
    """Daily usage around a contract end with a `window_days` rolling mean, the end marked and
    the 60-day before/after windows shaded."""
    fig = go.Figure()
    if not curve.empty:
        x = pd.to_datetime(curve["date"])
        fig.add_trace(go.Bar(x=x, y=curve["usage"], name="daily usage", marker_color="#c7d4e8"))
        fig.add_trace(go.Scatter(x=x, y=curve["usage"].rolling(window_days, min_periods=1).mean(),
                                 name=f"{window_days}-day mean", line=dict(color="#1f77b4")))
    end = pd.Timestamp(contract_end)
    fig.add_vrect(x0=end - pd.Timedelta(days=60), x1=end, fillcolor="#ff7f0e", opacity=0.12,
                  line_width=0, annotation_text="60 days before", annotation_position="top left")
    fig.add_vrect(x0=end, x1=end + pd.Timedelta(days=60), fillcolor="#9e9e9e", opacity=0.12,
                  line_width=0, annotation_text="60 days after", annotation_position="top right")
    fig.add_vline(x=end, line_dash="dash", line_color="#d62728")
    fig.update_layout(xaxis_title="Date", yaxis_title="Usage (sum of values per day)", height=360,
                      margin=dict(t=30, l=10, r=10, b=10), legend=dict(orientation="h", y=-0.25))
    return fig


def track_record_chart(record_frame: pd.DataFrame) -> go.Figure:
    """Churn rate per track-record group (bars), counts in the labels."""
    labels = {
        "green_but_failing": "Green but failing (CSM red/flag)",
        "green_no_red": "Metric green, no red signal",
        "red_but_fine": "Red but fine (CSM green)",
        "red_not_green": "Metric red, CSM not green",
    }
    frame = record_frame.copy()
    frame["label"] = frame["group"].map(labels)
    frame["text"] = [f"{c:,} of {n:,}" for c, n in zip(frame["churned"], frame["accounts"])]
    fig = go.Figure(go.Bar(
        x=frame["churn_rate"].fillna(0), y=frame["label"], orientation="h", text=frame["text"],
        marker_color=["#d62728", "#2ca02c", "#1f77b4", "#ff7f0e"][: len(frame)],
    ))
    fig.update_layout(xaxis=dict(title="Churn rate within the horizon", tickformat=".0%"),
                      yaxis=dict(autorange="reversed"), height=260, margin=dict(t=10, l=10, r=10, b=10))
    return fig
