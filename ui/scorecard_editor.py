"""The scorecard editor of the Health page: which scorecard (default or a segment's), its measures'
widgets, "Add a measure", remove, the draft backtested beside the active version, save, the
version history with "Restore this version".

Widget state only: every rule (definitions, validation, comparison, saving) is in
cs_analytics (views.scorecard, health.versions). The draft's measures are kept as scorecard JSON
in the session (`DRAFT`); each measure's weight, direction, normalisation and thresholds are
widgets keyed by the measure's name.
"""
from __future__ import annotations

import streamlit as st

from cs_analytics.core import config
from cs_analytics.core.filters import AccountFilter
from cs_analytics.core.formatting import count_noun
from cs_analytics.health.definitions import MAX_WINDOW_DAYS, MIN_WINDOW_DAYS
from cs_analytics.health.scorecard import (
    DIRECTIONS, NORMALISATIONS, MeasureSetting, Scorecard, active_scorecard, diff_scorecards,
    format_thresholds, mirror_thresholds, parse_thresholds, save_scorecard,
)
from cs_analytics.health.versions import restore_version
from cs_analytics.views.health import band_change_preview
from cs_analytics.views.scorecard import (
    add_measure, definition_preview, draft_comparison, editor_options, remove_measure, scorecard_lines,
    unavailable_measures, version_rows,
)
from ui.cache import cached_view
from ui.common import ACCOUNT_LINK_CONFIG, account_link_column
from ui.identity import current_user
from ui.text import md

EDITOR_PREFIX = "sc_edit_"
EDITOR_BASE = "sc_edit_base_version"
DRAFT = "sc_edit_draft_json"
LINE = "sc_edit_line"
BACKTEST_STATE = "health_backtest_result"
NEW = "sc_new_"
NO_METRIC = "(all metrics)"


def _key(name: str, field: str) -> str:
    return f"{EDITOR_PREFIX}{name}_{field}"


def _set_widgets(m: MeasureSetting) -> None:
    st.session_state[_key(m.name, "enabled")] = bool(m.enabled)
    st.session_state[_key(m.name, "weight")] = float(m.weight)
    st.session_state[_key(m.name, "direction")] = m.direction
    st.session_state[_key(m.name, "normalisation")] = m.normalisation
    st.session_state[_key(m.name, "thresholds")] = format_thresholds(m.thresholds)


def init_editor(sc: Scorecard, segment: str | None, force: bool = False) -> None:
    """Put the scorecard into the draft and the widgets (once per line and active version)."""
    base = (segment, sc.version)
    if not force and st.session_state.get(EDITOR_BASE) == base and DRAFT in st.session_state:
        return
    for m in sc.measures:
        _set_widgets(m)
    st.session_state[DRAFT] = sc.to_json()
    st.session_state[f"{EDITOR_PREFIX}green"] = float(sc.green_min)
    st.session_state[f"{EDITOR_PREFIX}yellow"] = float(sc.yellow_min)
    st.session_state[EDITOR_BASE] = base


def draft_measures() -> list[MeasureSetting]:
    return Scorecard.from_json(st.session_state[DRAFT]).measures


def editor_scorecard() -> tuple[Scorecard | None, str | None]:
    """The scorecard described by the draft and the widgets, or (None, error message)."""
    try:
        settings = [MeasureSetting(
            name=m.name,
            enabled=st.session_state[_key(m.name, "enabled")],
            weight=float(st.session_state[_key(m.name, "weight")]),
            direction=st.session_state[_key(m.name, "direction")],
            normalisation=st.session_state[_key(m.name, "normalisation")],
            thresholds=parse_thresholds(st.session_state[_key(m.name, "thresholds")]),
            definition=m.definition,
        ) for m in draft_measures()]
        sc = Scorecard(settings, green_min=float(st.session_state[f"{EDITOR_PREFIX}green"]),
                       yellow_min=float(st.session_state[f"{EDITOR_PREFIX}yellow"]))
        return sc.validate(), None
    except ValueError as exc:
        return None, str(exc)


def flip_direction(name: str) -> None:
    """Callback: when the direction changes, mirror the threshold scores so the curve follows."""
    try:
        points = parse_thresholds(st.session_state.get(_key(name, "thresholds"), ""))
    except ValueError:
        return
    st.session_state[_key(name, "thresholds")] = format_thresholds(mirror_thresholds(points))


def remove_clicked(name: str) -> None:
    """Callback: drop a measure from the draft (refused when it would leave nothing to score)."""
    current, error = editor_scorecard()
    draft = current.to_json() if current else st.session_state[DRAFT]
    new, error = remove_measure(draft, name)
    if error:
        st.session_state["sc_edit_message"] = error
    else:
        st.session_state[DRAFT] = new


# -- sections ---------------------------------------------------------------------------------

def measure_rows(ws, as_of) -> None:
    draft = draft_measures()
    unavailable = unavailable_measures(ws, draft, as_of)
    enabled = {m.name: max(float(st.session_state.get(_key(m.name, "weight"), 0.0)), 0.0)
               for m in draft if st.session_state.get(_key(m.name, "enabled"))}
    total = sum(enabled.values())
    for m in draft:
        d = m.resolved_definition
        with st.container(border=True):
            c1, c2, c3, c4, c5, c6 = st.columns([2.2, 1.2, 1.2, 1.3, 2.6, 0.5])
            c1.checkbox(f"**{md(m.label)}**", key=_key(m.name, "enabled"), help=md(d.describe()))
            c1.caption(md(f"{d.describe()} ({d.unit()})"))
            if m.name in unavailable:
                c1.caption(md(f"Not available: {unavailable[m.name]}"))
            c2.number_input("weight", min_value=0.0, max_value=1000.0, step=1.0, key=_key(m.name, "weight"))
            share = enabled.get(m.name, 0.0) * 100 / total if total > 0 and m.name in enabled else 0.0
            c2.caption(f"= {share:.1f} of 100")
            c3.selectbox("better when", DIRECTIONS, key=_key(m.name, "direction"),
                         on_change=flip_direction, args=(m.name,))
            c4.selectbox("normalisation", NORMALISATIONS, key=_key(m.name, "normalisation"))
            is_percentile = st.session_state[_key(m.name, "normalisation")] == "percentile"
            c5.text_input(f"thresholds raw:score ({md(d.unit())})", key=_key(m.name, "thresholds"),
                          disabled=is_percentile,
                          help="Percentile ranks customers on the date; ties share their average rank."
                          if is_percentile else "Points joined by straight lines, flat beyond the ends.")
            c6.button("✕", key=f"sc_remove_{m.name}", help=f"Remove {m.name} from the draft",
                      on_click=remove_clicked, args=(m.name,))


def add_measure_form(ws) -> None:
    """'Add a measure': source, metric or attribute, aggregation, window, trend, per, direction,
    normalisation; the definition is shown live; the measure joins the draft."""
    options = cached_view(editor_options, ws, None, None)
    with st.expander("Add a measure", expanded=False):
        c1, c2, c3 = st.columns(3)
        source = c1.selectbox("source", ("usage", "attribute", "nps", "revenue"), key=f"{NEW}source")
        fields = {"name": c1.text_input("name (a-z, 0-9, _)", key=f"{NEW}name"), "source": source}
        if source == "usage":
            metric = c2.selectbox("metric", (NO_METRIC, *options.metrics), key=f"{NEW}metric")
            fields["metric"] = None if metric == NO_METRIC else metric
        elif source == "attribute":
            if not options.attributes:
                c2.caption("No numeric account attribute in this workspace (upload accounts with a numeric column).")
            fields["attribute"] = c2.selectbox("numeric attribute", options.attributes, key=f"{NEW}attribute")
        fields["aggregation"] = c2.selectbox("aggregation", options.aggregations[source], key=f"{NEW}aggregation")
        fields["window_days"] = int(c3.number_input("window (days ending T)", MIN_WINDOW_DAYS, MAX_WINDOW_DAYS,
                                                    value=30, step=1, key=f"{NEW}window"))
        fields["trend"] = c3.checkbox("trend: this window / the previous one", key=f"{NEW}trend")
        per = c3.selectbox("per", ("(none)", "user", "seat"), key=f"{NEW}per")
        fields["per"] = None if per == "(none)" else per
        text, unit, error = definition_preview(fields)
        if error:
            st.caption(md(f"Not yet a valid measure: {error}"))
        else:
            st.info(f"**Definition:** {md(text)}. **Unit:** {md(unit)}.")
        d1, d2, d3 = st.columns(3)
        direction = d1.selectbox("better when", DIRECTIONS, key=f"{NEW}direction")
        normalisation = d2.selectbox("normalisation", NORMALISATIONS, index=1, key=f"{NEW}normalisation")
        thresholds = d3.text_input("thresholds raw:score", key=f"{NEW}thresholds",
                                   disabled=normalisation == "percentile", placeholder="0:0, 10:60, 20:100")
        weight = d1.number_input("weight", min_value=0.0, max_value=1000.0, value=10.0, step=1.0, key=f"{NEW}weight")
        if st.button("Add to the draft", key=f"{NEW}add", disabled=error is not None):
            current, _ = editor_scorecard()
            base = current.to_json() if current else st.session_state[DRAFT]
            new, refusal = add_measure(base, fields, direction, normalisation, thresholds, weight)
            if refusal:
                st.error(md(refusal))
            else:
                st.session_state[DRAFT] = new
                _set_widgets(Scorecard.from_json(new).measures[-1])
                st.rerun()


def compare_section(ws, candidate: Scorecard, active: Scorecard, segment, account_filter, as_of) -> None:
    st.markdown("**Backtest the draft beside the active version** (same snapshots, same churn outcome)")
    horizon = st.number_input("Horizon (days)", min_value=7, max_value=730, value=config.DEFAULT_HORIZON_DAYS,
                              step=1, key="sc_compare_horizon")
    if not st.button("Backtest draft and active", key="sc_compare_run"):
        return
    with st.spinner("Scoring every snapshot with both scorecards"):
        result = cached_view(draft_comparison, ws, account_filter, as_of, candidate.to_json(), active.to_json(),
                             int(horizon), segment)
    if result.message:
        st.warning(md(result.message))
    if result.summary.empty:
        return
    st.caption(f"{count_noun(len(result.snapshot_dates), 'snapshot')} ({result.snapshot_dates[0]} to "
               f"{result.snapshot_dates[-1]}); AUC 0.5 = chance, 1.0 = perfect ranking of who churns.")
    left, right = st.columns(2)
    left.dataframe(result.summary, hide_index=True, key="sc_compare_summary",
                   column_config={"AUC": st.column_config.NumberColumn("AUC", format="%.3f")})
    right.dataframe(result.per_band, hide_index=True, key="sc_compare_bands",
                    column_config={"Churn rate": st.column_config.NumberColumn("Churn rate", format="percent")})


def history_section(ws) -> None:
    history = cached_view(version_rows, ws, None, None)
    if history.empty:
        return
    with st.expander(f"Version history ({count_noun(len(history), 'version')})"):
        st.dataframe(history, hide_index=True, key="sc_history")
        versions = [int(v) for v in history["Version"]]
        c1, c2 = st.columns([1, 2])
        chosen = c1.selectbox("version", versions, key="sc_restore_version")
        user = c2.text_input("Your name", value=current_user() or "", key="sc_restore_user")
        if st.button("Restore this version", key="sc_restore"):
            try:
                new = restore_version(ws, int(chosen), user)
            except ValueError as exc:
                st.error(md(exc))
            else:
                st.session_state.pop(BACKTEST_STATE, None)
                st.success(f"Restored v{chosen} as v{new}; it is now the active version of its scorecard.")
                st.rerun()


def editor_section(ws, as_of, account_filter: AccountFilter) -> None:
    lines = cached_view(scorecard_lines, ws, None, None)
    label = st.selectbox("Scorecard", list(lines), key=LINE,
                         help="A segment's own scorecard scores that segment's accounts; every other account "
                              "is scored by the default.")
    segment = lines[label]
    active = active_scorecard(ws, segment)
    init_editor(active, segment)
    st.caption(md(f"Editing from {active.label}. Turn measures on or off, set weights (normalised to 100), "
                  "direction and normalisation, add measures from your own data. Nothing changes until you save."))
    if st.session_state.pop("sc_edit_loaded_note", False):
        st.info("Suggested weights loaded into the editor. Review the preview below; they apply only when you save.")
    message = st.session_state.pop("sc_edit_message", None)
    if message:
        st.error(md(message))
    measure_rows(ws, as_of)
    add_measure_form(ws)
    b1, b2 = st.columns(2)
    b1.number_input("green when score >=", min_value=0.0, max_value=100.0, step=1.0, key=f"{EDITOR_PREFIX}green")
    b2.number_input("yellow when score >=", min_value=0.0, max_value=100.0, step=1.0, key=f"{EDITOR_PREFIX}yellow")
    candidate, error = editor_scorecard()
    if error:
        st.error(md(error))
        return
    st.subheader("Preview")
    diff = diff_scorecards(active, candidate)
    if segment is None:
        changes = cached_view(band_change_preview, ws, account_filter, as_of, candidate.to_json(), active.to_json())
        verb = "changes" if len(changes) == 1 else "change"
        st.markdown(f"**{count_noun(len(changes), 'account')} {verb} band** versus the active version.")
        if not changes.empty:
            st.dataframe(account_link_column(changes, id_column="Account ID").drop(columns="Account ID"),
                         hide_index=True, column_config=ACCOUNT_LINK_CONFIG, key="health_band_changes")
    st.code(diff, language=None)
    compare_section(ws, candidate, active, segment, account_filter, as_of)
    new_line = segment is not None and active.segment != segment
    with st.form("save_scorecard"):
        user = st.text_input("Your name", value=current_user() or "")
        summary = st.text_input("Change summary", value="" if diff == "no changes" else diff.replace("\n", "; "))
        label_save = f"Save as segment {segment}'s own scorecard" if new_line else "Save as a new version"
        submitted = st.form_submit_button(label_save, type="primary", disabled=diff == "no changes" and not new_line)
    if submitted:
        try:
            version = save_scorecard(ws, candidate, user, summary, segment)
        except ValueError as exc:
            st.error(md(exc))
        else:
            st.session_state.pop(BACKTEST_STATE, None)
            st.success(f"Saved scorecard v{version}; it is now the active version.")
            st.rerun()
    history_section(ws)


editor_key = _key  # the widget key of a measure's field (the suggestion panel fills weights)
