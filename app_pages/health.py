"""Health page: scores by band, the accounts table, the scorecard editor and the churn backtest.

Thin page: it lays out cs_analytics.views.health's results (cached by ui.cache.cached_view, keyed
on the workspace generation) and the editor's widgets.
"""
from __future__ import annotations

import streamlit as st

from cs_analytics.charts import health as charts
from cs_analytics.core import config
from cs_analytics.core.filters import AccountFilter
from cs_analytics.core.formatting import count_noun
from cs_analytics.health import backtest as bt
from cs_analytics.health.bands import BANDS
from cs_analytics.health.scorecard import Scorecard, active_scorecard
from cs_analytics.views.health import HealthScores, backtest_tables, health_scores
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
from ui.scorecard_editor import BACKTEST_STATE, DRAFT, draft_measures, editor_key, editor_section

from ui.text import md

HEALTH_DEFINITION = (
    "A customer's health score is the weighted average of its measure scores: each measure's raw "
    "value, using only data dated on or before the date, is turned into a score from 0 to 100, and "
    "the weights add up to 100. A measure missing for an account is left out and the other weights "
    "are scaled up to 100 again.  \n**score = Σ weight × measure score / 100**  \n"
    "Bands: green from {green:g}, yellow from {yellow:g}, red below {yellow:g}. CSM sentiment never "
    "enters the score; a CSM flag is shown as an override beside it."
)


MODEL_COLUMN_HELP = {
    "Higher measure score went with": st.column_config.TextColumn(
        "Higher measure score went with",
        help="The sign of the measure's coefficient in the fitted logistic regression: 'less churn' means "
             "accounts with a higher score on this measure churned less, the other measures held fixed."),
    "AUC lost without it": st.column_config.NumberColumn(
        "AUC lost without it", format="%.3f",
        help="Permutation importance: how much the model's AUC on the later (test) snapshots drops when "
             "this measure's values are shuffled between accounts. Near 0 or below: the model did not need it."),
}


# -- the suggestion panel's hand-off to the editor (ui/scorecard_editor.py) -------------------------

def load_suggested(weights: dict[str, float]) -> None:
    """Callback: copy suggested weights into the editor (not saved)."""
    for m in draft_measures() if DRAFT in st.session_state else []:
        if editor_key(m.name, "weight") in st.session_state:
            w = round(float(weights.get(m.name, 0.0)), 1)
            st.session_state[editor_key(m.name, "weight")] = w
            st.session_state[editor_key(m.name, "enabled")] = w > 0
    st.session_state["sc_edit_loaded_note"] = True


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
    table = account_link_column(summary.table, id_column="Account ID")
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
        "only the data known then; each is then checked for churn within the horizon (its month-end "
        "MRR falls to 0). Churned within (T, T+H] = month-end MRR is 0 at some month-end after T, up to T + H."
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
        st.warning(result.too_small)
    if result.auc is None:
        return
    backtest_results(result, horizon_run)


def _auc_text(auc: float | None) -> str:
    return "-" if auc is None else f"{auc:.3f}"


def backtest_results(result: bt.BacktestResult, horizon_days: int) -> None:
    c = st.columns(4)
    c[0].metric("Score AUC (all snapshots)", _auc_text(result.auc))
    c[1].metric("Score AUC (test snapshots)", _auc_text(result.test_auc))
    c[2].metric("Model AUC (test snapshots)", _auc_text(result.model_auc))
    c[3].metric("Suggested weights AUC (test)", _auc_text(result.suggested_auc))
    st.caption(
        f"{count_noun(len(result.snapshot_dates), 'snapshot')} ({result.snapshot_dates[0]} to {result.snapshot_dates[-1]}), "
        f"{count_noun(result.observations, 'account-snapshot')}, {result.churned:,} churned within {horizon_days} days. "
        f"Model trained on the {count_noun(len(result.train_dates), 'earliest snapshot')}, tested on the "
        f"{count_noun(len(result.test_dates), 'later one')}. "
        "AUC 0.5 = no better than chance, 1.0 = perfect ranking."
    )
    tables = backtest_tables(result)
    left, right = st.columns(2)
    with left:
        st.markdown("**Churn per band**")
        st.dataframe(tables.per_band, hide_index=True, key="health_per_band",
                     column_config={"Churn rate": st.column_config.NumberColumn("Churn rate", format="percent")})
    with right:
        st.markdown("**Calibration by score decile**")
        st.plotly_chart(charts.calibration_chart(result.calibration), key="health_calibration")
    if not tables.measures.empty:
        st.markdown("**Current versus suggested weights**")
        st.plotly_chart(charts.weights_comparison_chart(result.current_weights, result.suggested_weights),
                        key="health_weights_chart")
        st.dataframe(tables.measures, hide_index=True, key="health_model_measures", column_config=MODEL_COLUMN_HELP)
        st.caption(
            "A measure keeps a suggested weight only when, in the model, a higher measure score went "
            "with less churn and leaving it out lowers the model's AUC on the later snapshots (a value "
            "below 0 means the model did better without it)."
        )
    if result.suggested_weights:
        st.button("Load suggested weights into the editor", key="health_load_suggested",
                  on_click=load_suggested, args=(result.suggested_weights,))
        st.caption("Loading only fills the editor (Scorecard tab); nothing changes until you save a new version.")


# -- page -------------------------------------------------------------------------------------

def main() -> None:
    ws = get_workspace()
    st.title("Health")
    if not require_data(ws, ("contracts",)):
        return
    account_filter = current_filter()
    as_of = page_as_of(ws)
    active = active_scorecard(ws)
    st.caption(f"As of **{as_of:%Y-%m-%d}**, {md(active.label)}. Filter: {md(account_filter.describe())}.")
    definition_card(
        "health score",
        HEALTH_DEFINITION.format(green=active.green_min, yellow=active.yellow_min),
        as_of=as_of,
        excluded="accounts that are not customers on the date (no active contract with MRR > 0).",
    )
    tabs = st.tabs(["Scores", "Scorecard", "Does it predict churn?"])
    with tabs[0]:
        scores_section(cached_view(health_scores, ws, account_filter, as_of), active, as_of)
    with tabs[1]:
        editor_section(ws, as_of, account_filter)
    with tabs[2]:
        backtest_section(ws, account_filter)


main()
