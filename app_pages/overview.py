"""Overview: the first page. Freshness, revenue KPIs against targets, health bands, CSM signals."""
from __future__ import annotations

import streamlit as st

from cs_analytics.demo.build import write_demo
from cs_analytics.core.formatting import compact_money
from cs_analytics.health.bands import BANDS
from cs_analytics.views.overview import Kpi, overview_summary
from cs_analytics.core.view_state import partial_month_note
from ui.common import current_filter, get_workspace, view_as_of
from ui.text import md

BAND_LABELS = {"green": ":green[●] green", "yellow": ":orange[●] yellow", "red": ":red[●] red"}


def render_empty_state(ws) -> None:
    st.subheader("No data yet")
    st.write(
        "Start with the demo data set (about 1,200 realistic SaaS accounts over 36 months, "
        "with planted green-but-failing accounts), or upload your own exports."
    )
    left, right = st.columns(2)
    with left:
        if st.button("Load the demo data", type="primary", key="overview_demo"):
            bar = st.progress(0.0, text="Generating the demo data...")
            write_demo(ws, progress=lambda fraction, message: bar.progress(min(fraction, 1.0), text=message))
            bar.progress(1.0, text="Demo data loaded.")
            st.rerun()
    with right:
        st.page_link("app_pages/data.py", label="Upload your files on the Data page", icon=":material/upload:")


def format_kpi(kpi: Kpi) -> tuple[str, str | None]:
    """(value text, delta text vs a year before) of a KPI tile."""
    if kpi.value is None:
        return "n/a", None
    if kpi.metric == "mrr":
        delta = None if kpi.change is None else f"{compact_money(kpi.change, signed=True)} vs a year ago"
        return compact_money(kpi.value), delta
    delta = None if kpi.change is None else f"{kpi.change * 100:+.1f} pts vs a year ago"
    return f"{kpi.value:.1%}", delta


def render_kpis(summary) -> None:
    st.markdown(f"**Revenue, {summary.last_complete_month:%B %Y}** (last complete month)")
    columns = st.columns(len(summary.kpis) or 1)
    for column, kpi in zip(columns, summary.kpis):
        value, delta = format_kpi(kpi)
        with column.container(border=True):
            st.metric(kpi.label, value, delta,
                      delta_color="normal" if kpi.higher_is_better else "inverse")
            if kpi.target is not None:
                verdict = {True: "meets", False: "misses", None: "no value for"}[kpi.meets_target]
                sign = "≥" if kpi.higher_is_better else "≤"
                st.caption(f"Target {sign} {kpi.target:.0%}: {verdict} target")
            st.page_link("app_pages/revenue.py", label="Revenue", icon=":material/arrow_forward:")


def render_health(summary) -> None:
    left, middle, right = st.columns([2, 1, 1])
    with left.container(border=True):
        st.markdown(f"**Accounts per health band** ({summary.scored_accounts:,} customers scored)")
        cols = st.columns(3)
        for col, band in zip(cols, BANDS):
            shown = summary.effective_bands.get(band, 0)
            metric_only = summary.metric_bands.get(band, 0)
            delta = None if shown == metric_only else f"{shown - metric_only:+d} by CSM overrides"
            col.metric(BAND_LABELS[band], f"{shown:,}", delta, delta_color="off")
        st.caption(
            f"{summary.overrides} CSM override(s) in force; the metric alone would show "
            + ", ".join(f"{summary.metric_bands.get(b, 0)} {b}" for b in BANDS) + "."
            + (f" {summary.unscored_accounts} customer(s) have no measure to score yet."
               if summary.unscored_accounts else "")
        )
        st.page_link("app_pages/health.py", label="Why? See Health", icon=":material/arrow_forward:")
    with middle.container(border=True):
        st.metric("Green but failing", f"{summary.green_but_failing:,}",
                  help="Metric green while the CSM reports red (or yellow with a flag).")
        st.page_link("app_pages/reality.py", label="Reality", icon=":material/arrow_forward:")
    with right.container(border=True):
        st.metric("Flags due for review", f"{summary.flags_due_for_review:,}",
                  help="CSM flags whose review-by date has passed.")
        st.page_link("app_pages/reality.py", label="Reality", icon=":material/arrow_forward:")


ws = get_workspace()
st.title("Overview")
summary = overview_summary(ws, current_filter(), view_as_of(ws))
if summary.is_empty:
    render_empty_state(ws)
    st.stop()

freshness = f"Data as of **{summary.as_of:%Y-%m-%d}**"
if summary.last_upload_at:
    freshness += f" · last upload {summary.last_upload_at:%Y-%m-%d %H:%M}"
if not current_filter().is_empty:
    freshness += f" · filtered to {md(current_filter().describe())}"
st.caption(freshness)
if partial_month_note(summary.as_of):
    st.caption(partial_month_note(summary.as_of))
if summary.kpis:
    render_kpis(summary)
else:
    st.info("No contracts yet: revenue KPIs need the contracts table (Data page)." if current_filter().is_empty
            else "None of the accounts the filters select has a contract, so there is no revenue KPI.")
render_health(summary)
