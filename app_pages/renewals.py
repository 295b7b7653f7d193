"""Renewals: what is due, how likely it renews, the CSM's call beside the model, and the record."""
from __future__ import annotations

import streamlit as st

from cs_analytics.charts.renewals import forecast_chart, history_chart, reliability_chart
from cs_analytics.core import config, settings
from cs_analytics.core.formatting import compact_money, count_noun
from cs_analytics.renewals.calls import disagreement_rule, record_call
from cs_analytics.views.renewals import DEFINITION, WINDOWS_DAYS, RenewalsView, renewals_view
from ui.cache import cached_view
from ui.common import current_filter, definition_card, download_csv, get_workspace, page_as_of, require_data, view_as_of
from ui.identity import current_user, identity_box
from ui.tables import show_accounts_table
from ui.text import md

LIST_LABELS = {
    "account_name": st.column_config.TextColumn("Account name", pinned=True),
    "csm_owner": "Owner", "due_date": "Due", "band": "Health band", "override_label": "Override",
    "expiring_mrr": st.column_config.NumberColumn("Expiring MRR", format="localized"),
    "likelihood": st.column_config.NumberColumn("Likelihood to renew", format="percent"),
    "mrr_at_risk": st.column_config.NumberColumn("MRR at risk", format="localized"),
    "call": "CSM call", "call_note": "Call note", "call_by": "Called by",
    "first_year": st.column_config.CheckboxColumn("First renewal", help="The account's first due date: the most uncertain"),
}
CALL_LABELS = {"due_date": "Due", "call": "CSM call", "note": "Note", "user_name": "By", "created_at": "Called at"}
RATE = st.column_config.NumberColumn(format="percent")
MONEY = "%.0f"
HISTORY_LABELS = {
    "quarter": "Quarter of due date", "first_year": "First year", "due": "Due", "renewed": "Renewed",
    "expiring_mrr": st.column_config.NumberColumn("Expiring MRR", format=MONEY),
    "renewed_mrr_capped": st.column_config.NumberColumn("Renewed MRR (capped)", format=MONEY),
    "renewal_mrr": st.column_config.NumberColumn("Renewal MRR", format=MONEY),
    "gross_rate": st.column_config.NumberColumn("Gross rate", format="percent"),
    "net_rate": st.column_config.NumberColumn("Net rate", format="percent"),
    "logo_rate": st.column_config.NumberColumn("Renewed (share)", format="percent"),
    "band_before": "Band 90 days before",
}
FLASH_KEY = "renewals_flash"


def render_upcoming(view: RenewalsView) -> None:
    st.header("Upcoming renewals")
    if not view.report.renewals_seen:
        st.info("No contract has an end date or a renewal date, so nothing is ever due for renewal. "
                "Add end_date (or renewal_date) to your contracts on the Data page.")
        return
    days = st.segmented_control("Due within", WINDOWS_DAYS, default=90, key="renewals_window",
                                format_func=lambda d: f"{d} days") or 90
    frame = view.upcoming(days)
    if frame.empty:
        st.info(f"No renewal is due within {days} days of the as-of.")
        return
    st.caption(f"{count_noun(len(frame), 'renewal')}, {compact_money(frame['expiring_mrr'].sum())} expiring MRR; "
               "largest MRR at risk first.")
    show_accounts_table(frame, LIST_LABELS, "renewals_upcoming")
    download_csv(frame, "renewals.csv", key="renewals_download", label="Download the list (CSV)")


def render_disagreements(view: RenewalsView) -> None:
    st.header("Model and CSM disagree")
    st.caption(disagreement_rule() + " For leadership: talk these through before the renewal.")
    if view.disagreements.empty:
        st.caption("No disagreement between the model and the CSMs' calls.")
    else:
        show_accounts_table(view.disagreements, LIST_LABELS, "renewals_disagreements")


def call_form(ws, view: RenewalsView, user: str | None) -> None:
    st.subheader("Record your renewal call")
    choices = view.call_choices()
    if not choices:
        st.caption("No upcoming renewal to call.")
        return
    key = st.selectbox("Renewal", list(choices), key="call_renewal", index=None,
                       format_func=lambda k: choices[k], placeholder="Choose a renewal")
    call = st.radio("Your call", config.RENEWAL_CALLS, key="call_value", horizontal=True,
                    format_func=lambda c: c.replace("_", " "))
    note = st.text_input("Note", key="call_note", placeholder="What do you know that the data doesn't?")
    with st.expander(f"Call history ({len(view.calls)} calls, newest first; nothing is ever overwritten)"):
        if view.calls.empty:
            st.caption("No call recorded yet.")
        else:
            show_accounts_table(view.calls, CALL_LABELS, "renewals_call_history", times=("created_at",))
    if not st.button("Record call", key="call_submit", type="primary"):
        return
    if not user:
        st.error("Enter your name (or sign in) at the top of the page first: every call records who made it.")
    elif key is None:
        st.error("Choose a renewal.")
    else:
        try:
            call_id = record_call(ws, key[0], key[1], call, user=user, note=note)
        except ValueError as exc:
            st.error(md(exc))
        else:
            st.session_state[FLASH_KEY] = f"Recorded call {call_id}: {md(key[0])} is {call.replace('_', ' ')}."
            st.rerun()


def render_forecast(view: RenewalsView) -> None:
    report = view.report
    st.header("Forecast renewal MRR")
    if report.model_problem:
        st.warning(md(report.model_problem))
        return
    if report.forecast.empty:
        st.caption("No renewal is due this quarter or next.")
        return
    for column, row in zip(st.columns(len(report.forecast)), report.forecast.itertuples()):
        column.metric(f"{row.quarter} forecast", compact_money(row.forecast_mrr),
                      help=f"5-95% interval {compact_money(row.low_mrr)} to {compact_money(row.high_mrr)}")
        column.caption(f"{row.renewals} renewals, {compact_money(row.expiring_mrr)} expiring: forecast rate "
                       f"{row.forecast_rate:.0%} vs target {report.target_rate:.0%} "
                       f"({compact_money(row.target_mrr)}). Interval 5-95%: {compact_money(row.low_mrr)}"
                       f" to {compact_money(row.high_mrr)}.")
    st.plotly_chart(forecast_chart(report.forecast), key="renewals_forecast_chart")


def _save_target() -> None:
    """Store the renewal rate target (percent in, fraction stored) for the workspace: a write."""
    settings.set_setting(get_workspace(), "target_renewal_rate", f"{st.session_state['renewal_target']}%",
                         current_user())
    st.session_state["renewal_target_saved"] = True


def render_target(view: RenewalsView) -> None:
    with st.expander("Renewal rate target (the workspace's)", expanded=False):
        saved = view.report.target_rate * 100
        entered = st.number_input("Gross renewal rate target (%)", 0.0, 100.0, round(saved, 4), 1.0,
                                  key="renewal_target", format="%.1f")
        st.button("Save target", key="save_renewal_target", on_click=_save_target,
                  disabled=abs(entered - saved) < 1e-9, help="Every page, user and the CLI see it.")
        if st.session_state.pop("renewal_target_saved", False):
            st.success("Target saved for this workspace.")


def render_calibration(view: RenewalsView) -> None:
    check = view.report.check
    st.subheader("Is the likelihood calibrated?")
    if check.problem:
        st.caption(md(check.problem))
        return
    st.caption(f"Fitted on every account's renewals known before {check.cut_date:%Y-%m-%d}, checked on "
               f"{count_noun(len(check.held_out), 'later renewal')} (features 90 days before the due date). "
               f"Brier score {check.brier_score:.3f}. Points near the diagonal: the likelihood means what it says.")
    st.plotly_chart(reliability_chart(check.curve), key="renewals_reliability_chart")
    past = view.report.past_forecasts
    if not past.empty:
        st.markdown(f"**Past quarters: the forecast the model would have made, and what renewed** "
                    f"({int(past['inside_interval'].sum())} of {len(past)} inside the 5-95% interval)")
        st.dataframe(past, hide_index=True, key="renewals_past_forecasts", column_config={
            "quarter": "Quarter of due date", "renewals": "Renewals",
            **{c: st.column_config.NumberColumn(label, format=MONEY) for c, label in (
                ("expiring_mrr", "Expiring MRR"), ("forecast_mrr", "Forecast"), ("low_mrr", "5%"),
                ("high_mrr", "95%"), ("renewed_mrr", "Renewed MRR"))},
            "inside_interval": "Inside the interval"})
    st.dataframe(check.curve, hide_index=True, key="renewals_reliability_table",
                 column_config={"bin": "Likelihood bin", "n": "Renewals",
                                "mean_likelihood": st.column_config.NumberColumn("Mean likelihood", format="percent"),
                                "renewal_rate": st.column_config.NumberColumn("Share renewed", format="percent")})


def render_history(view: RenewalsView) -> None:
    report = view.report
    st.header("History")
    if report.history.empty:
        st.info("No renewal has a known outcome yet: history starts once a due date's following month has ended.")
        return
    st.plotly_chart(history_chart(report.history, report.target_rate), key="renewals_history_chart")
    st.dataframe(report.history, hide_index=True, key="renewals_history_table", column_config=HISTORY_LABELS)
    st.subheader("Renewal rate by health band 90 days before the due date")
    st.markdown(md(view.seed_claim_sentence()))
    st.dataframe(view.report.by_band, hide_index=True, key="renewals_band_table", column_config=HISTORY_LABELS)
    st.subheader("Track record: CSM calls and the model")
    st.markdown(md(view.track_sentence()))


ws = get_workspace()
st.title("Renewals")
st.caption("What is due, how likely it renews, and the CSM's call beside the model, never averaged.")
if not require_data(ws, ("contracts",)):
    st.stop()
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)
user = identity_box()
with st.spinner("Fitting the renewal model on past renewals…"):
    view = cached_view(renewals_view, ws, current_filter(), view_as_of(ws))
definition_card("renewals", DEFINITION, as_of=page_as_of(ws))
render_upcoming(view)
render_disagreements(view)
call_form(ws, view, user)
render_forecast(view)
render_target(view)
render_calibration(view)
render_history(view)
