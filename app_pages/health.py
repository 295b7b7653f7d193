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
from cs_analytics.health.measures import MEASURES, availability
from cs_analytics.health.scorecard import (
    DIRECTIONS,
    NORMALISATIONS,
    MeasureSetting,
    Scorecard,
    active_scorecard,
    diff_scorecards,
    format_thresholds,
    mirror_thresholds,
    parse_thresholds,
    save_scorecard,
)
from cs_analytics.views.health import (
    HealthScores,
    band_change_preview,
    health_scores,
    scorecard_versions,
)
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
from ui.health_evidence import backtest_results, discovery_section, draft_scorecard
from ui.identity import current_user
from ui.text import md


EDITOR_PREFIX = "sc_edit_"
EDITOR_BASE = "sc_edit_base_version"
BACKTEST_STATE = "health_backtest_result"
HEALTH_DEFINITION = (
    "A customer's health score is the weighted average of its measure scores: each measure's raw "
    "value, using only data dated on or before the date, is turned into a score from 0 to 100, and "
    "the weights add up to 100. A measure missing for an account is left out and the other weights "
    "are scaled up to 100 again.  \n**score = Σ weight × measure score / 100**  \n"
    "Bands: green from {green:g}, yellow from {yellow:g}, red below {yellow:g}. CSM sentiment never "
    "enters the score; a CSM flag is shown as an override beside it."
)


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
    st.session_state[_key(name, "thresholds")] = format_thresholds(mirror_thresholds(points))


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


def editor_section(ws, active: Scorecard, as_of, account_filter: AccountFilter) -> None:
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
    changes = cached_view(band_change_preview, ws, account_filter, as_of, candidate.to_json(), active.to_json())
    verb = "changes" if len(changes) == 1 else "change"
    st.markdown(f"**{count_noun(len(changes), 'account')} {verb} band** versus the active version ({md(active.label)}).")
    st.code(diff, language=None)
    if not changes.empty:
        st.dataframe(account_link_column(changes, id_column="Account ID").drop(columns="Account ID"),
                     hide_index=True, column_config=ACCOUNT_LINK_CONFIG, key="health_band_changes")
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
            st.session_state.pop(BACKTEST_STATE, None)
            st.success(f"Saved scorecard v{version}; it is now the active version.")
            st.rerun()
    history = cached_view(scorecard_versions, ws, None, None)
    if not history.empty:
        with st.expander(f"Version history ({count_noun(len(history), 'version')})"):
            st.dataframe(history, hide_index=True)


def backtest_section(ws, active: Scorecard, account_filter: AccountFilter) -> None:
    st.caption(
        "At every month-end at least one horizon before the as-of date, the customers are scored with "
        "only the data known then; each is then checked for churn within the horizon: with contracts, "
        "its month-end MRR falls to 0 at some month-end after T, up to T + H; with a churn list and no "
        "contracts, its churn date lies in (T, T + H]. A churn list without that much history is one "
        "snapshot at the as-of date, labelled by the list (no horizon)."
    )
    horizon = st.number_input("Horizon (days)", min_value=7, max_value=730, value=config.DEFAULT_HORIZON_DAYS,
                              step=1, key="health_horizon")
    draft = draft_scorecard(active)
    chosen = active
    if draft is not None:
        which = st.radio("Scorecard", ["Active", "Draft (not saved)"], horizontal=True, key="health_backtest_which")
        chosen = draft if which.startswith("Draft") else active
        if chosen is draft:
            st.caption("Draft measures: " + md(", ".join(f"{m.name} ({m.weight:g})" for m in draft.measures if m.enabled)))
    if st.button("Run backtest", key="health_run_backtest"):
        bar = st.progress(0.0, text="Starting")
        result = bt.run_backtest(ws, int(horizon), chosen, account_filter, as_of=view_as_of(ws),
                                 progress=lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), text=msg))
        st.session_state[BACKTEST_STATE] = (int(horizon), active.version, filter_key(account_filter), result)
    stored = st.session_state.get(BACKTEST_STATE)
    if not stored:
        return
    horizon_run, version_run, _, result = stored
    if version_run != active.version:
        st.caption("These results are for an earlier scorecard version; run again to refresh.")
    if result.too_small:
        st.warning(md(result.too_small))
    if result.auc is None:
        return
    backtest_results(ws, result, horizon_run, active.version)


# -- page -------------------------------------------------------------------------------------

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
    tabs = st.tabs(["Scores", "Scorecard", "Does it predict churn?", "Which signals predict churn?"])
    with tabs[0]:
        scores_section(cached_view(health_scores, ws, account_filter, as_of), active, as_of)
    with tabs[1]:
        editor_section(ws, active, as_of, account_filter)
    with tabs[2]:
        backtest_section(ws, active, account_filter)
    with tabs[3]:
        discovery_section(ws, active, account_filter, as_of)


main()
