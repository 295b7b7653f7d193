"""Cohorts page: cohort matrix (logo / GRR / NRR / activity), average curve, comparison, cell
drill-down shareable by URL (?basis=nrr&grain=month&cohort=2024-03&period=6), and survival."""
from __future__ import annotations


import streamlit as st

from cs_analytics.retention import cohorts as co
from cs_analytics.retention import survival as sv
from cs_analytics.charts.retention import (
    CENSORED_TEXT, average_curve_figure, cohort_heatmap, cohort_lines_figure, km_figure,
)
from cs_analytics.retention.months import window
from cs_analytics.views.cohorts import (
    MEDIAN_LABELS, SIZE_COLUMN, cell_view, cohort_view, kept_choices, survival_view,
)
from ui.cache import cached_view
from cs_analytics.core.params import parse_non_negative_int
from ui.text import md
from ui.common import (
    ACCOUNT_LINK_CONFIG, account_link_column, current_filter, definition_card, download_csv, get_workspace,
    require_data, view_as_of,
)

QUERY_KEYS = {"basis": "cohort_basis", "grain": "cohort_grain", "cohort": "cell_cohort", "period": "cell_period"}
NO_CELL = "(choose a cohort)"

st.title("Cohorts")
ws = get_workspace()
if ws.row_count("contracts") == 0 and ws.row_count("usage") == 0:
    require_data(ws, ("contracts", "usage"))
    st.stop()
account_filter = current_filter()
as_of = view_as_of(ws)
win = window(ws, as_of)


def _apply_query_params() -> None:
    """Copy ?basis=&grain=&cohort=&period= into the widgets when the URL changed from outside."""
    current = {k: st.query_params.get(k) for k in QUERY_KEYS}
    if current == st.session_state.get("cohorts_synced_query"):
        return
    if current["basis"] in co.BASES:
        st.session_state["cohort_basis"] = current["basis"]
    if current["grain"] in co.GRAINS:
        st.session_state["cohort_grain"] = current["grain"]
    if current["cohort"]:
        st.session_state["pending_cell"] = (current["cohort"], current["period"] or "0")


def _sync_query_params(values: dict) -> None:
    clean = {k: v for k, v in values.items() if v not in (None, "", NO_CELL)}
    for key in QUERY_KEYS:
        if key in clean:
            if st.query_params.get(key) != clean[key]:
                st.query_params[key] = clean[key]
        elif key in st.query_params:
            del st.query_params[key]
    st.session_state["cohorts_synced_query"] = {k: clean.get(k) for k in QUERY_KEYS}


_apply_query_params()
st.session_state.setdefault("cohort_basis", "logo")
st.session_state.setdefault("cohort_grain", "month")


def matrix_section() -> None:
    """The matrix tab: basis, grain, heatmap, average curve, comparison, cell drill-down."""
    c1, c2, c3 = st.columns([3, 2, 2])
    basis = c1.radio("Basis", co.BASES, key="cohort_basis", horizontal=True,
                     format_func=lambda b: {"logo": "Logo", "grr": "GRR", "nrr": "NRR", "activity": "Activity"}[b])
    grain = c2.radio("Grain", co.GRAINS, key="cohort_grain", horizontal=True, format_func=str.capitalize)
    view = c3.radio("Values", ("Percent", "Absolute"), key="cohort_view", horizontal=True)
    unbounded = False
    if basis == "activity":
        unbounded = st.toggle("Unbounded: count accounts active in period k or later", key="cohort_unbounded",
                              help="Default (bounded): active in that period. Unbounded: active then or any later month.")
    percent = view == "Percent"
    cohorts = cached_view(cohort_view, ws, account_filter, as_of, basis, grain, unbounded, percent)
    matrix = cohorts.matrix
    st.caption(f"{matrix.label} by {grain} cohort · accounts: {md(account_filter.describe())} · observed through "
               f"{win.last_month:%Y-%m} (last complete month); blank cells are {CENSORED_TEXT}.")

    if matrix.sizes.empty:
        needs = "usage rows with value > 0" if basis == "activity" else "contracts with MRR > 0"
        st.info(f"No cohort yet for this basis: it needs {needs} in a complete month.")
        _sync_query_params({"basis": basis, "grain": grain})
        cell_event = None
    else:
        cell_event = st.plotly_chart(cohort_heatmap(matrix, percent=percent), key="cohort_heatmap",
                                     on_select="rerun", selection_mode="points", width="stretch")
        definition_card(matrix.label, co.DEFINITIONS[basis] + "\n\n" + co.DEFINITIONS["common"]
                        + ("\n\n" + co.DEFINITIONS["quarter"] if grain == "quarter" else ""),
                        as_of=win.as_of, excluded="cells after the last complete month (censored, blank); "
                        "accounts outside the sidebar filters")
        with st.expander("Matrix as a table (cohort size first)"):
            st.dataframe(cohorts.table, width="stretch",
                         column_config={"cohort": "Cohort", SIZE_COLUMN: st.column_config.NumberColumn("Cohort size")})
        download_csv(matrix.long(), f"cohorts_{basis}_{grain}.csv", key="download_cohorts",
                     label="Download the matrix (long form, CSV)")

        st.plotly_chart(average_curve_figure(matrix.average_curve(), matrix.label, grain), key="average_curve",
                        width="stretch")
        labels = list(cohorts.labels)
        st.session_state["compare_cohorts"] = kept_choices(st.session_state.get("compare_cohorts"), cohorts)
        chosen = st.multiselect("Compare cohorts", labels, key="compare_cohorts")
        st.plotly_chart(cohort_lines_figure(matrix, chosen, percent=percent), key="cohort_lines", width="stretch")

        # -- cell drill-down: heatmap click, select fallback, or URL ---------------------------------
        st.subheader("Accounts in a cell")
        points = (cell_event.selection.points if cell_event and cell_event.selection else []) or []
        selection_key = repr(points[:1])
        if points and st.session_state.get("cell_applied") != selection_key:
            st.session_state["cell_applied"] = selection_key
            point = points[0]
            st.session_state["pending_cell"] = (str(point.get("y", "")).split(" (n=")[0], str(point.get("x", 0)))
        pending = st.session_state.pop("pending_cell", None)
        if pending:
            cohort_text, period_text = pending
            try:
                cohort_name = co.cohort_label(co.parse_cohort(cohort_text, grain), grain)
            except ValueError:
                cohort_name = None
            if cohort_name in labels:
                st.session_state["cell_cohort"] = cohort_name
                st.session_state["cell_period"] = parse_non_negative_int(period_text) or 0
        if st.session_state.get("cell_cohort") not in [NO_CELL, *labels]:
            st.session_state["cell_cohort"] = NO_CELL
        max_period = cohorts.max_period
        st.session_state["cell_period"] = min(int(st.session_state.get("cell_period", 0)), max_period)
        d1, d2 = st.columns(2)
        cohort_choice = d1.selectbox("Cohort", [NO_CELL, *labels], key="cell_cohort")
        period_choice = d2.number_input("Period", min_value=0, max_value=max_period,
                                        step=1, key="cell_period")
        _sync_query_params({"basis": basis, "grain": grain,
                            "cohort": None if cohort_choice == NO_CELL else cohort_choice,
                            "period": None if cohort_choice == NO_CELL else str(int(period_choice))})
        if cohort_choice == NO_CELL:
            st.caption("Click a cell in the heatmap or choose a cohort and period to list its accounts.")
        else:
            cohort_first = co.parse_cohort(cohort_choice, grain)
            if matrix.cell_censored(cohort_choice, int(period_choice)):
                complete = matrix.complete_month(cohort_choice, int(period_choice))
                complete = complete or co.value_month(cohort_first, int(period_choice), grain)
                st.info(f"Cohort {cohort_choice}, period {int(period_choice)}: {CENSORED_TEXT} "
                        f"(it is complete at {complete:%Y-%m}, "
                        f"after the last complete month {win.last_month:%Y-%m}).")
            else:
                cell = cached_view(cell_view, ws, account_filter, as_of, basis, cohort_first, int(period_choice),
                                   grain, unbounded)
                accounts, retained, lost = cell.accounts, cell.retained, cell.lost
                st.caption(f"Cohort {cohort_choice}, period {int(period_choice)}: {len(retained)} retained, "
                           f"{len(lost)} lost of {len(accounts)}.")
                r_col, l_col = st.columns(2)
                with r_col:
                    st.markdown(f"**Retained ({len(retained)})**")
                    st.dataframe(account_link_column(retained), column_config=ACCOUNT_LINK_CONFIG, hide_index=True,
                                 key="cell_retained", width="stretch")
                with l_col:
                    st.markdown(f"**Lost ({len(lost)})**")
                    st.dataframe(account_link_column(lost), column_config=ACCOUNT_LINK_CONFIG, hide_index=True,
                                 key="cell_lost", width="stretch")
                download_csv(accounts, f"cell_{basis}_{cohort_choice}_{int(period_choice)}.csv", key="download_cell",
                             label="Download the cell's accounts")


def survival_section() -> None:
    """The survival tab: Kaplan-Meier lifetimes split by a column, the log-rank test, medians."""
    options = sv.group_columns(ws)
    choices = ["(no split)", *options]
    st.session_state.setdefault("survival_by", "segment" if "segment" in options else "(no split)")
    by_choice = st.selectbox("Split lifetimes by", choices, key="survival_by")
    by = None if by_choice == "(no split)" else by_choice
    result = cached_view(survival_view, ws, account_filter, as_of, by)
    if result.lifetimes.empty:
        st.info("No customer yet (no account with MRR > 0 in a complete month), so there is no lifetime to show.")
    else:
        if result.logrank.p_value is not None and result.logrank.p_value < sv.SIGNIFICANCE:
            st.success(md(result.logrank.statement))
        else:
            st.info(md(result.logrank.statement))
        st.plotly_chart(km_figure(result.curves), key="km_chart", width="stretch")
        st.markdown("**Median lifetime per group** (months; blank = more than half still customers)")
        st.dataframe(result.medians, hide_index=True, width="stretch", key="median_table",
                     column_config=MEDIAN_LABELS)
        definition_card("Customer lifetime (survival)", sv.DEFINITION, as_of=win.as_of,
                        excluded="accounts never a customer in a complete month; accounts outside the sidebar filters")
        download_csv(result.curves, "survival.csv", key="download_survival", label="Download the curves (CSV)")


# Only the open tab runs and is drawn (a click on the other reruns); it rides in the link (?tab=Survival).
matrix_tab, survival_tab = st.tabs(["Cohort matrix", "Survival"], key="tab", bind="query-params")
if matrix_tab.open:
    with matrix_tab:
        matrix_section()
if survival_tab.open:
    with survival_tab:
        survival_section()
