"""The Health page's evidence: the backtest's results with the fitted scorecard, and "Which of my
signals predict churn?" with "Add to draft scorecard". Layout only: the numbers come from
cs_analytics.views.health_fit; the draft is the scorecard editor's (ui/scorecard_editor.py), never
saved until someone saves it as a version.
"""
from __future__ import annotations

import streamlit as st

from cs_analytics.charts import health as charts
from cs_analytics.core import config
from cs_analytics.core.filters import AccountFilter
from cs_analytics.core.formatting import count_noun
from cs_analytics.health import backtest as bt
from cs_analytics.health.discovery import add_candidate
from cs_analytics.health.scorecard import Scorecard, format_thresholds, save_scorecard
from cs_analytics.views.health_fit import backtest_tables, signal_discovery
from ui.cache import cached_view
from ui.identity import current_user
from ui.scorecard_editor import DRAFT, editor_key, editor_scorecard
from ui.text import md

SELECTED_CANDIDATE = "health_signal_selected"


# -- the draft (ui/scorecard_editor.py keeps it: DRAFT JSON plus one widget per measure field) ---

def _set_draft(sc: Scorecard, names: list[str]) -> None:
    """Make `sc` the editor's draft and put the settings of `names` into their widgets."""
    st.session_state[DRAFT] = sc.to_json()
    for m in sc.measures:
        if m.name in names:
            st.session_state[editor_key(m.name, "enabled")] = bool(m.enabled)
            st.session_state[editor_key(m.name, "weight")] = float(m.weight)
            st.session_state[editor_key(m.name, "direction")] = m.direction
            st.session_state[editor_key(m.name, "normalisation")] = m.normalisation
            st.session_state[editor_key(m.name, "thresholds")] = format_thresholds(m.thresholds)


def _add_to_draft(name: str, definition: dict, direction: str) -> None:
    """Callback: the candidate joins the editor's draft (as edited so far); nothing is saved."""
    current, _ = editor_scorecard() if DRAFT in st.session_state else (None, None)
    base = current or Scorecard.from_json(st.session_state[DRAFT])
    _set_draft(add_candidate(base, definition, direction), [name])
    st.session_state["health_signal_added"] = name


def _use_fitted_as_draft(fitted_json: str) -> None:
    """Callback: the fitted scorecard becomes the editor's draft, every measure's widgets set."""
    fitted = Scorecard.from_json(fitted_json)
    _set_draft(fitted, fitted.measure_names)
    st.session_state["sc_edit_loaded_note"] = True


# -- which of my signals predict churn ---------------------------------------------------------

def discovery_section(ws, account_filter: AccountFilter, as_of) -> None:
    """Candidates ranked by AUC alone, the churn rate by bin of the one selected, and the button
    that adds it to the draft scorecard."""
    st.caption(
        "Every usage metric (and all of them together) as a 30-day sum, days with usage, distinct "
        "users, a 30-day trend and days since last use, and every numeric account attribute: each "
        "ranked by how well it ALONE separates the accounts that churned (AUC: 0.5 = chance, 1 = "
        "perfect), in the direction the data shows."
    )
    horizon = st.number_input("Horizon (days)", min_value=7, max_value=730, value=config.DEFAULT_HORIZON_DAYS,
                              step=1, key="health_signal_horizon")
    if not st.toggle("Rank my signals", key="health_signal_run"):
        return
    with st.spinner("Computing every candidate at each snapshot..."):
        found = cached_view(signal_discovery, ws, account_filter, as_of, int(horizon))
    st.caption(md(found.outcome_note))
    if found.is_empty:
        st.info(md(found.empty_reason or "No candidate has values."))
        return
    dates = found.snapshot_dates
    st.caption(f"{count_noun(len(dates), 'snapshot')} ({dates[0]} to {dates[-1]}).")
    st.dataframe(found.table, hide_index=True, key="health_signal_table",
                 column_config={"AUC alone": st.column_config.NumberColumn(format="%.3f")})
    names = found.candidates["measure"].tolist()
    name = st.selectbox("Candidate", names, key=SELECTED_CANDIDATE)
    row = found.candidates.set_index("measure").loc[name]
    st.markdown(f"**{md(name)}**: {md(row['description'])}. AUC alone {row['auc']:.3f}, "
                f"{row['direction']} is better, {count_noun(int(row['accounts']), 'account')} covered.")
    bins = found.bins[name]
    overall = float(bins["churned"].sum() / bins["rows"].sum()) if bins["rows"].sum() else None
    st.plotly_chart(charts.churn_rate_by_bin_chart(bins, overall, value_label=name), key="health_signal_chart")
    st.button("Add to draft scorecard", key="health_signal_add", on_click=_add_to_draft,
              args=(name, found.definitions[name], row["direction"]), disabled=DRAFT not in st.session_state)
    added = st.session_state.pop("health_signal_added", None)
    if added:
        st.success(f"Added {md(added)} to the draft scorecard (weight 10, percentile normalisation, "
                   f"{row['direction']} is better). Edit it, backtest the draft beside the active version and "
                   "save it in the Scorecard tab; nothing is saved until then.")


# -- does it predict churn: results --------------------------------------------------------------

def _auc_text(auc: float | None) -> str:
    return "-" if auc is None else f"{auc:.3f}"


def backtest_results(ws, result: bt.BacktestResult, horizon_days: int, segment: str | None = None) -> None:
    """AUCs, churn per band and reasons, calibration, and the fitted scorecard with its verdict
    (saved, when offered and asked, as the next version of `segment`'s scorecard; None = default)."""
    c = st.columns(3)
    c[0].metric("Score AUC (all snapshots)", _auc_text(result.auc))
    c[1].metric("Score AUC (held out)", _auc_text(result.test_auc))
    c[2].metric("Fitted scorecard AUC (held out)", _auc_text(result.model_auc))
    st.caption(md(_run_sentence(result, horizon_days)))
    tables = backtest_tables(result)
    left, right = st.columns(2)
    with left:
        st.markdown("**Churn per band**")
        st.dataframe(tables.per_band, hide_index=True, key="health_per_band",
                     column_config={"Churn rate": st.column_config.NumberColumn("Churn rate", format="percent")})
        if not tables.reasons.empty:
            st.markdown("**Churn reasons** (from the churn list)")
            st.dataframe(tables.reasons, hide_index=True, key="health_churn_reasons")
    with right:
        st.markdown("**Calibration by score decile**")
        st.plotly_chart(charts.calibration_chart(result.calibration), key="health_calibration")
    if tables.verdict:
        (st.success if result.offered else st.info)(md(tables.verdict))
    if not tables.measures.empty:
        _fitted_section(ws, result, tables, segment)


def _run_sentence(result: bt.BacktestResult, horizon_days: int) -> str:
    dates = result.snapshot_dates
    what = ("listed as churned" if result.label_only else f"churned within {horizon_days} days")
    text = (f"{result.outcome_note} {count_noun(len(dates), 'snapshot')} ({dates[0]} to {dates[-1]}), "
            f"{count_noun(result.observations, 'account-snapshot')}, {result.churned:,} {what}. ")
    ev = result.evaluation
    if ev and ev.kind == "out_of_time":
        text += (f"Fitted on the {count_noun(len(ev.train_dates), 'earliest snapshot')}, both scores judged on the "
                 f"{count_noun(len(ev.test_dates), 'later one')} ({ev.heldout_rows:,} rows). ")
    elif ev:
        text += f"Both scores judged by stratified 5-fold cross-validation on the same {ev.heldout_rows:,} rows. "
    return text + "AUC 0.5 = no better than chance, 1.0 = perfect ranking."


def _fitted_section(ws, result: bt.BacktestResult, tables, segment: str | None) -> None:
    st.markdown("**The fitted scorecard** (binned logistic regression: each measure's bins become points)")
    fitted = result.measures.set_index("measure")["fitted_weight"].to_dict()
    st.plotly_chart(charts.weights_comparison_chart(result.current_weights, fitted, "fitted"),
                    key="health_weights_chart")
    st.dataframe(tables.measures, hide_index=True, key="health_model_measures")
    st.caption(
        "Information value: how much the measure's bins separate churned from retained accounts (below "
        "0.02 the measure is left out). Fitted points: the measure's score at each raw value, a step per "
        "bin; the fitted weights add up to 100. The fitted scorecard is refitted on every row."
    )
    if not result.offered:
        return
    st.button("Load the fitted scorecard into the editor", key="health_use_fitted",
              on_click=_use_fitted_as_draft, args=(result.fitted_scorecard.to_json(),))
    st.caption("Loading only fills the editor (Scorecard tab); nothing changes until you save a new version.")
    with st.form("save_fitted"):
        user = st.text_input("Your name", value=current_user() or "")
        if st.form_submit_button("Save the fitted scorecard as a new version"):
            saved = save_scorecard(ws, result.fitted_scorecard, user, "fitted scorecard (binned logistic regression)",
                                   segment)
            st.success(f"Saved scorecard v{saved}; it is now the active version.")
