"""Health page: scores by band, the accounts table, the scorecard editor and the churn backtest.

Thin page: every number comes from cs_analytics.health.scoring / scorecard / backtest.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from cs_analytics.health import backtest as bt
from cs_analytics.charts import health as charts
from cs_analytics.core import config
from cs_analytics.core.filters import AccountFilter
from cs_analytics.health.scoring import TREND_ARROWS, band_changes, score_with_trend
from cs_analytics.health.measures import MEASURES, availability
from cs_analytics.health.scorecard import (
    DIRECTIONS,
    NORMALISATIONS,
    MeasureSetting,
    Scorecard,
    active_scorecard,
    diff_scorecards,
    format_thresholds,
    parse_thresholds,
    save_scorecard,
    scorecard_history,
)
from ui.common import (
    ACCOUNT_LINK_CONFIG,
    account_link_column,
    current_filter,
    data_version,
    definition_card,
    download_csv,
    get_workspace,
    page_as_of,
    view_as_of,
    require_data,
)
from ui.identity import current_user
from ui.text import md

from cs_analytics.reality.overrides import apply_overrides

EDITOR_PREFIX = "sc_edit_"
EDITOR_BASE = "sc_edit_base_version"
BACKTEST_STATE = "health_backtest_result"


# -- cached computations --------------------------------------------------------------------

@st.cache_data(show_spinner="Scoring accounts...", max_entries=64)
def cached_scores(_ws, version_key: str, sc_json: str, sc_version: int, where: tuple, as_of) -> pd.DataFrame:
    sc = Scorecard.from_json(sc_json)
    sc.version = sc_version
    return score_with_trend(_ws, as_of, sc, AccountFilter(dict(where)))


@st.cache_data(show_spinner="Comparing bands...", max_entries=64)
def cached_band_changes(_ws, version_key: str, cand_json: str, ref_json: str, where: tuple, as_of) -> pd.DataFrame:
    return band_changes(_ws, Scorecard.from_json(cand_json), Scorecard.from_json(ref_json), as_of,
                        AccountFilter(dict(where)))


def filter_key(f: AccountFilter) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in f.where.items()))


# -- editor state -----------------------------------------------------------------------------

def _key(name: str, field: str) -> str:
    return f"{EDITOR_PREFIX}{name}_{field}"


def init_editor(sc: Scorecard, force: bool = False) -> None:
    """Put the scorecard's settings into the editor widgets' state (once per active version)."""
    if not force and st.session_state.get(EDITOR_BASE) == sc.version:
        return
    for m in sc.measures:
        st.session_state[_key(m.name, "enabled")] = bool(m.enabled)
        st.session_state[_key(m.name, "weight")] = float(m.weight)
        st.session_state[_key(m.name, "direction")] = m.direction
        st.session_state[_key(m.name, "normalisation")] = m.normalisation
        st.session_state[_key(m.name, "thresholds")] = format_thresholds(m.thresholds)
    st.session_state[f"{EDITOR_PREFIX}green"] = float(sc.green_min)
    st.session_state[f"{EDITOR_PREFIX}yellow"] = float(sc.yellow_min)
    st.session_state[EDITOR_BASE] = sc.version


def load_suggested(weights: dict[str, float]) -> None:
    """Callback: copy suggested weights into the editor (not saved)."""
    for name in MEASURES:
        if _key(name, "weight") in st.session_state:
            w = round(float(weights.get(name, 0.0)), 1)
            st.session_state[_key(name, "weight")] = w
            st.session_state[_key(name, "enabled")] = w > 0
    st.session_state["sc_edit_loaded_note"] = True


def editor_scorecard(active: Scorecard) -> tuple[Scorecard | None, str | None]:
    """The scorecard described by the editor widgets, or (None, error message)."""
    settings = []
    try:
        for m in active.measures:
            settings.append(MeasureSetting(
                name=m.name,
                enabled=st.session_state[_key(m.name, "enabled")],
                weight=float(st.session_state[_key(m.name, "weight")]),
                direction=st.session_state[_key(m.name, "direction")],
                normalisation=st.session_state[_key(m.name, "normalisation")],
                thresholds=parse_thresholds(st.session_state[_key(m.name, "thresholds")]),
            ))
        sc = Scorecard(settings, green_min=float(st.session_state[f"{EDITOR_PREFIX}green"]),
                       yellow_min=float(st.session_state[f"{EDITOR_PREFIX}yellow"]))
        return sc.validate(), None
    except ValueError as exc:
        return None, str(exc)


def flip_direction(name: str) -> None:
    """Callback: when the direction changes, mirror the threshold scores so the curve follows."""
    text = st.session_state.get(_key(name, "thresholds"), "")
    try:
        points = parse_thresholds(text)
    except ValueError:
        return
    st.session_state[_key(name, "thresholds")] = format_thresholds([(r, 100.0 - s) for r, s in points])


# -- sections ---------------------------------------------------------------------------------

def scores_section(ws, scores: pd.DataFrame, active: Scorecard, as_of) -> None:
    if scores.empty:
        st.info("No account is a customer on this date (no active contract with MRR > 0), so there is nothing to score.")
        return
    scores = apply_overrides(ws, scores, None)
    counts = scores["band"].value_counts()
    cols = st.columns(5)
    cols[0].metric("Customers scored", f"{len(scores):,}")
    for col, band in zip(cols[1:4], ("green", "yellow", "red")):
        col.metric(f"Metric {band}", f"{int(counts.get(band, 0)):,}")
    cols[4].metric("CSM overrides", f"{int(scores['is_override'].sum()):,}")
    st.plotly_chart(charts.score_distribution(scores, active.green_min, active.yellow_min), key="health_dist")
    table = pd.DataFrame({
        "account_id": scores["account_id"],
        "account_name": scores["account_name"],
        "segment": scores["segment"],
        "csm_owner": scores["csm_owner"],
        "mrr": scores["mrr"],
        "score": scores["score"].round(1),
        "band": scores["band"],
        "trend": scores["trend"].map(TREND_ARROWS),
        "change": scores["score_change"].round(1),
        "effective_band": scores["effective_band"],
        "override": scores["override_label"],
    })
    for name in active.enabled_names:
        table[f"{name} pts"] = scores[f"{name}_points"].round(1)
    table["missing"] = scores["missing_measures"]
    table = account_link_column(table.sort_values("score"))
    st.dataframe(
        table, hide_index=True, key="health_table",
        column_config={
            **ACCOUNT_LINK_CONFIG,
            "score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.1f"),
            "mrr": st.column_config.NumberColumn("MRR", format="%.0f"),
            "change": st.column_config.NumberColumn("Δ month", format="%+.1f"),
            "override": st.column_config.TextColumn("CSM override"),
        },
    )
    download_csv(table.drop(columns="link"), f"health_{as_of}.csv", key="health_download")


def editor_section(ws, active: Scorecard, as_of, where: tuple) -> None:
    init_editor(active)
    avail = availability(ws, as_of)
    st.caption(
        "Turn measures on or off, set weights (shown normalised to 100), direction and normalisation: "
        "thresholds are raw:score points joined by straight lines, percentile ranks accounts that are "
        "customers on the date. Nothing changes until you save."
    )
    if st.session_state.pop("sc_edit_loaded_note", False):
        st.info("Suggested weights loaded into the editor. Review the preview below; they apply only when you save.")
    weights_now = {}
    for m in active.measures:
        if st.session_state.get(_key(m.name, "enabled")):
            weights_now[m.name] = max(float(st.session_state.get(_key(m.name, "weight"), 0.0)), 0.0)
    total = sum(weights_now.values())
    for m in active.measures:
        measure = MEASURES[m.name]
        with st.container(border=True):
            c1, c2, c3, c4, c5 = st.columns([2.2, 1.2, 1.2, 1.3, 3])
            c1.checkbox(f"**{measure.label}**", key=_key(m.name, "enabled"), help=measure.description)
            if not avail.get(m.name, True):
                c1.caption(f"Not available: {measure.unavailable_reason}")
            c2.number_input("weight", min_value=0.0, max_value=1000.0, step=1.0, key=_key(m.name, "weight"))
            share = weights_now.get(m.name, 0.0) * 100 / total if total > 0 and m.name in weights_now else 0.0
            c2.caption(f"= {share:.1f} of 100")
            c3.selectbox("better when", DIRECTIONS, key=_key(m.name, "direction"),
                         on_change=flip_direction, args=(m.name,))
            c4.selectbox("normalisation", NORMALISATIONS, key=_key(m.name, "normalisation"))
            is_percentile = st.session_state[_key(m.name, "normalisation")] == "percentile"
            c5.text_input(f"thresholds raw:score ({measure.unit})", key=_key(m.name, "thresholds"),
                          disabled=is_percentile,
                          help="Percentile ranks customers on the date; ties share their average rank."
                          if is_percentile else "Points joined by straight lines, flat beyond the ends.")
    b1, b2 = st.columns(2)
    b1.number_input("green when score >=", min_value=0.0, max_value=100.0, step=1.0, key=f"{EDITOR_PREFIX}green")
    b2.number_input("yellow when score >=", min_value=0.0, max_value=100.0, step=1.0, key=f"{EDITOR_PREFIX}yellow")
    candidate, error = editor_scorecard(active)
    if error:
        st.error(md(error))
        return
    st.subheader("Preview")
    diff = diff_scorecards(active, candidate)
    changes = cached_band_changes(ws, data_version(ws), candidate.to_json(), active.to_json(), where, as_of)
    st.markdown(f"**{len(changes)} accounts change band** versus the active version ({md(active.label)}).")
    st.code(diff, language=None)
    if not changes.empty:
        st.dataframe(account_link_column(changes), hide_index=True, column_config=ACCOUNT_LINK_CONFIG,
                     key="health_band_changes")
    default_user = current_user() or ""  # the signed-in user, or this session's display name
    with st.form("save_scorecard"):
        user = st.text_input("Your name", value=default_user)
        summary = st.text_input("Change summary", value="" if diff == "no changes" else diff.replace("\n", "; "))
        submitted = st.form_submit_button("Save as a new version", type="primary", disabled=diff == "no changes")
    if submitted:
        try:
            version = save_scorecard(ws, candidate, user, summary)
        except ValueError as exc:
            st.error(md(exc))
        else:
            cached_scores.clear()
            cached_band_changes.clear()
            st.session_state.pop(BACKTEST_STATE, None)
            st.success(f"Saved scorecard v{version}; it is now the active version.")
            st.rerun()
    history = scorecard_history(ws)
    if not history.empty:
        with st.expander(f"Version history ({len(history)})"):
            st.dataframe(history, hide_index=True)


def backtest_section(ws, active: Scorecard, account_filter: AccountFilter) -> None:
    st.caption(
        "For every month-end T at least the horizon before as_of: score the customers with only data up "
        "to T, then check whether they churned (MRR to 0) within the horizon."
    )
    horizon = st.number_input("horizon (days)", min_value=7, max_value=730, value=config.DEFAULT_HORIZON_DAYS,
                              step=1, key="health_horizon")
    if st.button("Run backtest", key="health_run_backtest"):
        bar = st.progress(0.0, text="Starting")
        result = bt.run_backtest(ws, int(horizon), active, account_filter, as_of=view_as_of(ws),
                                 progress=lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), text=msg))
        st.session_state[BACKTEST_STATE] = (int(horizon), active.version, filter_key(account_filter), result)
    stored = st.session_state.get(BACKTEST_STATE)
    if not stored:
        return
    horizon_run, version_run, _, result = stored
    if version_run != active.version:
        st.caption("These results are for an earlier scorecard version; run again to refresh.")
    if result.too_small:
        st.warning(result.too_small)
    if result.auc is None:
        return
    c = st.columns(4)
    c[0].metric("Score AUC (all snapshots)", f"{result.auc:.3f}")
    c[1].metric("Score AUC (test snapshots)", "-" if result.test_auc is None else f"{result.test_auc:.3f}")
    c[2].metric("Model AUC (test snapshots)", "-" if result.model_auc is None else f"{result.model_auc:.3f}")
    c[3].metric("Suggested weights AUC (test)", "-" if result.suggested_auc is None else f"{result.suggested_auc:.3f}")
    st.caption(
        f"{len(result.snapshot_dates)} snapshots ({result.snapshot_dates[0]} to {result.snapshot_dates[-1]}), "
        f"{result.observations:,} account-snapshots, {result.churned:,} churned within {horizon_run} days. "
        f"Model trained on {len(result.train_dates)} earlier snapshots, tested on {len(result.test_dates)} later ones. "
        "AUC 0.5 = no better than chance, 1.0 = perfect ranking."
    )
    left, right = st.columns(2)
    with left:
        st.markdown("**Churn per band**")
        st.dataframe(result.per_band, hide_index=True, key="health_per_band",
                     column_config={"churn_rate": st.column_config.NumberColumn("churn rate", format="percent")})
    with right:
        st.markdown("**Calibration by score decile**")
        st.plotly_chart(charts.calibration_chart(result.calibration), key="health_calibration")
    if not result.measures.empty:
        st.markdown("**Current versus suggested weights**")
        st.plotly_chart(charts.weights_comparison_chart(result.current_weights, result.suggested_weights),
                        key="health_weights_chart")
        st.dataframe(result.measures.round(4), hide_index=True, key="health_model_measures")
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
    where = filter_key(account_filter)
    as_of = page_as_of(ws)
    active = active_scorecard(ws)
    st.caption(f"As of **{as_of:%Y-%m-%d}**, {md(active.label)}. Filter: {md(account_filter.describe())}.")
    definition_card(
        "health score",
        "Each measure's raw value (only data dated on or before the date) is normalised to 0-100 and "
        "weighted; weights sum to 100 and a measure missing for an account is left out with the others "
        "re-weighted. score = Σ weight × measure score / 100. Bands: green ≥ "
        f"{active.green_min:g}, yellow ≥ {active.yellow_min:g}, red below. CSM sentiment never enters "
        "the score; a CSM flag is shown as an override beside it.",
        as_of=as_of,
        excluded="accounts that are not customers on the date (no active contract with MRR > 0).",
    )
    tabs = st.tabs(["Scores", "Scorecard", "Does it predict churn?"])
    with tabs[0]:
        scores = cached_scores(ws, data_version(ws), active.to_json(), active.version, where, as_of)
        scores_section(ws, scores, active, as_of)
    with tabs[1]:
        editor_section(ws, active, as_of, where)
    with tabs[2]:
        backtest_section(ws, active, account_filter)


main()
