"""Overview: the first page. Freshness, revenue KPIs against targets, health bands, CSM signals.

It lays out `views.overview.overview_summary`, cached by `ui.cache.cached_view`."""
from __future__ import annotations

import streamlit as st

from cs_analytics.demo.build import write_demo
from cs_analytics.health.bands import BANDS
from cs_analytics.views.overview import OverviewSummary, overview_summary
from ui.cache import cached_view
from ui.common import current_filter, get_workspace, view_as_of
from ui.text import md

BAND_LABELS = {"green": ":green[●] Green", "yellow": ":orange[●] Yellow", "red": ":red[●] Red"}


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


def render_freshness(summary: OverviewSummary) -> None:
    freshness = f"Data as of **{summary.as_of:%Y-%m-%d}**"
    if summary.last_upload_at:
        freshness += f" · last upload {summary.last_upload_at:%Y-%m-%d %H:%M}"
    if not current_filter().is_empty:
        freshness += f" · filtered to {md(current_filter().describe())}"
    st.caption(freshness)
    if summary.partial_month_note:
        st.caption(summary.partial_month_note)


def render_kpis(summary: OverviewSummary) -> None:
    st.markdown(f"**Revenue, {summary.last_complete_month:%B %Y}** (last complete month)")
    columns = st.columns(len(summary.kpis) or 1)
    for column, kpi in zip(columns, summary.kpis):
        tile = kpi.tile
        with column.container(border=True):
            st.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color,
                      delta_arrow=tile.delta_arrow)
            if kpi.target_text:
                st.caption(kpi.target_text)
            st.page_link("app_pages/revenue.py", label="Revenue", icon=":material/arrow_forward:")


def render_bands(summary: OverviewSummary) -> None:
    st.markdown(f"**Accounts per health band** ({summary.scored_accounts:,} customers scored)")
    for col, band in zip(st.columns(3), BANDS):
        shown = summary.effective_bands.get(band, 0)
        metric_only = summary.metric_bands.get(band, 0)
        delta = None if shown == metric_only else f"{shown - metric_only:+d} by CSM overrides"
        col.metric(BAND_LABELS[band], f"{shown:,}", delta, delta_color="off")
    st.caption(summary.overrides_note)
    st.page_link("app_pages/health.py", label="Why? See Health", icon=":material/arrow_forward:")


def render_health(summary: OverviewSummary) -> None:
    left, middle, right = st.columns([2, 1, 1])
    with left.container(border=True):
        render_bands(summary)
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
summary = cached_view(overview_summary, ws, current_filter(), view_as_of(ws))
if summary.is_empty:
    render_empty_state(ws)
    st.stop()

render_freshness(summary)
if summary.kpis:
    render_kpis(summary)
else:
    st.info("No contracts yet: revenue KPIs need the contracts table (Data page)." if current_filter().is_empty
            else "None of the accounts the filters select has a contract, so there is no revenue KPI.")
render_health(summary)
