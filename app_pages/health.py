"""Health page: scores by band, the accounts table, the scorecard editor and the churn backtest.

Thin page: it lays out cs_analytics.views.health's results (cached by ui.cache.cached_view, keyed
on the workspace generation) and the editor's widgets.
"""
from __future__ import annotations

import streamlit as st

from cs_analytics.charts import health as charts
from cs_analytics.core import config
from cs_analytics.core.filters import AccountFilter
from cs_analytics.health import backtest as bt
from cs_analytics.health.bands import BANDS
from cs_analytics.health.scorecard import Scorecard, active_scorecard
from cs_analytics.views.health import HealthScores, health_scores
from cs_analytics.views.scorecard import scorecard_lines
from ui.cache import cached_view, filter_key
from ui.common import (
    ACCOUNT_LINK_CONFIG,
    account_link_column,
    current_filter,
    definition_card,
    download_csv,
    get_workspace,
    page_as_of,
    require_data,
    view_as_of,
)
from ui.tables import first_rows
from ui.health_evidence import backtest_results, discovery_section
from ui.scorecard_editor import BACKTEST_STATE, EDITOR_PREFIX, LINE, editor_section, init_editor
from ui.text import md

HEALTH_DEFINITION = (
    "A customer's health score is the weighted average of its measure scores: each measure's raw "
    "value, using only data dated on or before the date, is turned into a score from 0 to 100, and "
    "the weights add up to 100. A measure missing for an account is left out and the other weights "
    "are scaled up to 100 again.  \n**score = Σ weight × measure score / 100**  \n"
    "Bands: green from {green:g}, yellow from {yellow:g}, red below {yellow:g}. CSM sentiment never "
    "enters the score; a CSM flag is shown as an override beside it."
)


# -- sections ---------------------------------------------------------------------------------

def scores_section(summary: HealthScores, active: Scorecard, as_of) -> None:
    if summary.is_empty:
        st.info("No account is a customer on this date (no active contract with MRR > 0), so there is nothing to score.")
        return
    cols = st.columns(5)
    cols[0].metric("Customers scored", f"{summary.customers:,}")
    for col, band in zip(cols[1:4], BANDS):
        col.metric(f"Metric {band}", f"{summary.metric_bands[band]:,}")
    cols[4].metric("CSM overrides", f"{summary.overrides:,}")
    st.plotly_chart(charts.score_distribution(summary.scores, active.green_min, active.yellow_min), key="health_dist")
    table = account_link_column(first_rows(summary.table, "customers"), id_column="Account ID")
    st.dataframe(
        table.drop(columns="Account ID"), hide_index=True, key="health_table",
        column_config={
            **ACCOUNT_LINK_CONFIG,
            "Score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%.1f"),
            "MRR": st.column_config.NumberColumn("MRR", format="%.0f"),
            "Δ month": st.column_config.NumberColumn("Δ month", format="%+.1f"),
        },
    )
    download_csv(summary.table, f"health_{as_of}.csv", key="health_download")


def backtest_section(ws, account_filter: AccountFilter) -> None:
    lines = cached_view(scorecard_lines, ws, None, None)
    line = st.selectbox("Scorecard to backtest", list(lines), key="health_backtest_line",
                        help="A segment's scorecard is backtested on that segment's accounts.")
    segment = lines[line]
    active = active_scorecard(ws, segment)
    if segment is not None:
        account_filter = AccountFilter({**dict(account_filter.terms), "segment": (segment,)})
    st.caption(
        "At every month-end at least one horizon before the as-of date, the customers are scored with "
        "only the data known then; each is then checked for churn within the horizon: with contracts, "
        "its month-end MRR falls to 0 at some month-end after T, up to T + H; with a churn list and no "
        "contracts, its churn date lies in (T, T + H]. A churn list without that much history is one "
        "snapshot at the as-of date, labelled by the list (no horizon)."
    )
    horizon = st.number_input("Horizon (days)", min_value=7, max_value=730, value=config.DEFAULT_HORIZON_DAYS,
                              step=1, key="health_horizon")
    if st.button("Run backtest", key="health_run_backtest"):
        bar = st.progress(0.0, text="Starting")
        result = bt.run_backtest(ws, int(horizon), active, account_filter, as_of=view_as_of(ws),
                                 progress=lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), text=msg))
        st.session_state[BACKTEST_STATE] = (int(horizon), active.version, filter_key(account_filter), result)
    stored = st.session_state.get(BACKTEST_STATE)
    if not stored:
        return
    horizon_run, version_run, filter_run, result = stored
    if version_run != active.version or filter_run != filter_key(account_filter):
        st.caption("These results are for an earlier scorecard version; run again to refresh.")
    if result.too_small:
        st.warning(md(result.too_small))
    if result.auc is None:
        return
    backtest_results(ws, result, horizon_run, segment)


# -- page -------------------------------------------------------------------------------------

TABS = ("Scores", "Scorecard", "Does it predict churn?", "Which signals predict churn?")
TAB_PARAM = "tab"  # the open tab rides in the link (?tab=Scorecard); Scores when absent


def keep_editor_draft() -> None:
    """Keep the scorecard editor's unsaved values while another tab is open: only the open tab is
    drawn, and Streamlit forgets a widget's value in a run that does not draw it unless the value
    is assigned again (its documented way to keep widget state across such runs)."""
    for key in [k for k in st.session_state if str(k).startswith(EDITOR_PREFIX)]:
        st.session_state[key] = st.session_state[key]


def ensure_editor_draft(ws) -> None:
    """Seed the editor's draft (once per scorecard line and version) even when its tab is closed:
    the evidence tabs add a signal or the fitted scorecard to that draft."""
    lines = cached_view(scorecard_lines, ws, None, None)
    label = st.session_state.get(LINE)
    segment = lines[label] if label in lines else lines[next(iter(lines))]
    init_editor(active_scorecard(ws, segment), segment)


def open_tab_sections(ws, account_filter: AccountFilter, as_of, active: Scorecard) -> None:
    """The four tabs; only the open one is computed and drawn (the others cost nothing per click)."""
    keep_editor_draft()
    ensure_editor_draft(ws)
    scores, editor, backtest, discovery = st.tabs(TABS, key=TAB_PARAM, bind="query-params")
    if scores.open:
        with scores:
            scores_section(cached_view(health_scores, ws, account_filter, as_of), active, as_of)
    if editor.open:
        with editor:
            editor_section(ws, as_of, account_filter)
    if backtest.open:
        with backtest:
            backtest_section(ws, account_filter)
    if discovery.open:
        with discovery:
            discovery_section(ws, account_filter, as_of)

def main() -> None:
    ws = get_workspace()
    st.title("Health")
    # Contracts, or (without them) usage scored against a churn list (metrics.md, Outcomes).
    if ws.row_count("usage") == 0 and not require_data(ws, ("contracts",)):
        return
    account_filter = current_filter()
    as_of = page_as_of(ws)
    active = active_scorecard(ws)
    st.caption(f"As of **{as_of:%Y-%m-%d}**, {md(active.label)}. Filter: {md(account_filter.describe())}.")
    definition_card(
        "health score",
        HEALTH_DEFINITION.format(green=active.green_min, yellow=active.yellow_min),
        as_of=as_of,
        excluded="accounts that are not customers on the date (no active contract with MRR > 0; without "
                 "contracts: no data yet, or churned by then in the churn list).",
    )
    open_tab_sections(ws, account_filter, as_of, active)


main()
