"""Reality: metric health versus what the CSMs report, and the CSMs' visible, durable veto."""
from __future__ import annotations

import streamlit as st

from cs_analytics.charts.reality import quadrant_bins_chart, quadrant_chart, track_record_chart, usage_curve_chart
from cs_analytics.core import config
from cs_analytics.core.formatting import count_noun
from cs_analytics.reality.quadrants import QUADRANT_LABELS, QUADRANTS
from cs_analytics.reality.spikes import RISING_RULE
from cs_analytics.views.reality import RealityView, reality_track_records, reality_view, spike_usage
from ui.cache import cached_view
from ui.common import current_filter, definition_card, download_csv, get_workspace, page_as_of, require_data, view_as_of
from ui.flag_form import flag_form, show_flash, withdraw_form
from ui.identity import identity_box
from ui.tables import show_accounts_table
from ui.text import md

LIST_LABELS = {
    "account_name": st.column_config.TextColumn("Account name", pinned=True),
    "band": "Metric band",
    "score": st.column_config.NumberColumn("Score", format="%.0f"),
    "csm_sentiment": "CSM sentiment",
    "override_label": "Override",
    "reason": "Reason",
    "assessed_at": "Assessed",
    "mrr": st.column_config.NumberColumn("MRR", format="localized"),
    "renewal_date": "Renewal",
}
FLAG_LABELS = {
    "account_name": st.column_config.TextColumn("Account name", pinned=True),
    "status": "Status", "sentiment": "CSM call", "review_by": "Review by", "user_name": "By",
    "reason": "Reason", "note": "Note", "created_at": "Flagged at",
}
SPIKE_LABELS = {
    "account_name": st.column_config.TextColumn("Account name", pinned=True),
    "contract_end": "Contract end",
    "mrr": st.column_config.NumberColumn("MRR", format="localized"),
    "csm_owner": "CSM owner", "band": "Metric band",
    "ratio_before": st.column_config.NumberColumn("Before / usual", format="%.2f"),
    "ratio_after": st.column_config.NumberColumn("After / usual", format="%.2f"),
}
RISING_LABELS = {
    "account_name": st.column_config.TextColumn("Account name", pinned=True),
    "renewal_date": "Renewal", "days_to_renewal": st.column_config.NumberColumn("Days to renewal", format="%d"),
    "mrr": st.column_config.NumberColumn("MRR", format="localized"),
    "csm_owner": "CSM owner", "band": "Metric band",
    "usage_last_60d": st.column_config.NumberColumn("Usage, last 60 days", format="%.0f"),
    "usual_60d": st.column_config.NumberColumn("Usual 60 days", format="%.0f"),
    "ratio": st.column_config.NumberColumn("Last 60 / usual", format="%.2f"),
}
CSM_RECORD_LABELS = {
    "csm": st.column_config.TextColumn("CSM", pinned=True),
    "calls": st.column_config.NumberColumn("Calls", help="green-but-failing account-snapshots this CSM called"),
    "accounts": "Accounts", "churned": "Churned",
    "churn_rate": st.column_config.NumberColumn("Churn rate", format="percent"),
    "base_calls": st.column_config.NumberColumn("Base", help="metric-green account-snapshots with no red signal"),
    "base_churned": "Base churned",
    "base_rate": st.column_config.NumberColumn("Base churn rate", format="percent"),
    "lift": st.column_config.NumberColumn("Lift", format="%.1fx"),
}
TABS = ("Quadrants", "Flags", "Track record", "Spikes before renewal")
TAB_PARAM = "tab"  # the open tab rides in the link (?tab=Flags); Quadrants when absent
DEFINITION = (
    "CSM sentiment is the latest CRM assessment or in-app flag, if not older than the max age. "
    "**Green but failing**: metric green, CSM red (or yellow with a flag). **Red but fine**: metric "
    "red, CSM green. **Agree at risk**: metric red/yellow and CSM red/yellow. **Agree healthy**: "
    "both green, or a one-step gap (green/yellow) with no flag. **Unassessed**: no recent "
    "assessment (stale ones are listed separately)."
)


def show_list(frame, key: str, empty: str) -> None:
    """One account list (RealityView.LIST_COLUMNS), or `empty` when it has no row."""
    if frame.empty:
        st.caption(empty)
    else:
        show_accounts_table(frame, LIST_LABELS, key)


def render_counts(view: RealityView) -> None:
    cols = st.columns(len(QUADRANTS))
    for col, quadrant in zip(cols, QUADRANTS):
        col.metric(QUADRANT_LABELS[quadrant], f"{view.counts[quadrant]:,}")


def render_quadrants(view: RealityView) -> None:
    if view.accounts.empty:
        st.info("No scored accounts match the filters.")
        return
    if view.binned:
        st.caption(f"{len(view.accounts):,} accounts: each marker is a score bin of one quadrant and CSM "
                   "sentiment (size: its accounts); select bins to list their accounts.")
    figure = quadrant_bins_chart(view.quadrant_bins()) if view.binned else quadrant_chart(view.accounts)
    event = st.plotly_chart(figure, key="reality_quadrant_chart", on_select="rerun",
                            selection_mode=("box", "lasso"))
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    selected = sorted({p["customdata"][0] for p in points if p.get("customdata")})
    if selected:
        st.markdown(f"**{count_noun(len(selected), 'selected account')}**")
        show_list(view.selected(selected), "reality_selected", "")


def render_lists(view: RealityView) -> None:
    st.subheader("Green but failing")
    st.caption("Metric green, but the CSM says red (or yellow with a flag). Look at these first.")
    show_list(view.green_but_failing, "reality_gbf", "No green-but-failing accounts.")
    st.subheader("Red but fine")
    st.caption("Metric red, CSM green: the score may be missing how this customer uses the product.")
    show_list(view.red_but_fine, "reality_rbf", "No red-but-fine accounts.")
    st.subheader("Unassessed")
    st.caption("No CSM assessment or flag at all.")
    show_list(view.unassessed, "reality_unassessed", "Every account has an assessment.")
    st.subheader(f"Stale (assessment older than {count_noun(view.max_age_days, 'day')})")
    show_list(view.stale, "reality_stale", "No stale assessments.")
    download_csv(view.export_frame(), "reality.csv", key="reality_download", label="Download all accounts (CSV)")


def render_flags(ws, view: RealityView, user: str | None) -> None:
    flag_cols = st.columns(2)
    with flag_cols[0]:
        flag_form(ws, user, "flag", choices=view.flag_choices())
    with flag_cols[1]:
        withdraw_form(ws, user, "withdraw", accounts=view.flagged_accounts)
    if view.expired_flags:
        passed = "has passed its" if view.expired_flags == 1 else "have passed their"
        st.warning(f"{count_noun(view.expired_flags, 'flag')} {passed} review-by date: confirm (flag again) or withdraw.")
    st.markdown("**Flags in force** (one per CSM and account; expired ones stay listed for review)")
    if view.flags.empty:
        st.caption("No current flags.")
    else:
        show_accounts_table(view.flags, FLAG_LABELS, "reality_flags", times=("created_at",))


def render_track_record(ws, account_filter, as_of, max_age_days: int, owner: str | None) -> None:
    st.caption("Did the CSMs' red calls on metric-green accounts carry information? Churn after "
               "those calls against churn of the other metric-green accounts.")
    if owner:
        st.caption(f"My book: the accounts {md(owner)} owns.")
    with st.spinner("Computing the track record…"):
        records = cached_view(reality_track_records, ws, account_filter, as_of, max_age_days, owner)
    record = records.record
    st.markdown(record.sentence())
    if record.red_but_fine.accounts:
        st.markdown(record.red_sentence())
    if record.snapshots:
        st.plotly_chart(track_record_chart(record.as_frame()), key="reality_track_chart")
        st.caption(
            f"Pooled over {count_noun(len(record.snapshots), 'month-end snapshot')} "
            f"({record.snapshots[0]:%Y-%m} to {record.snapshots[-1]:%Y-%m}); churn = month-end MRR "
            f"reaching 0 within {record.horizon_days} days. Counts are account-snapshots."
        )
    st.subheader("Per CSM")
    st.caption("Each CSM's red (or flagged yellow) calls on metric-green accounts, how many churned "
               "within the horizon, against the same metric-green base (no red signal); lift = their "
               "churn rate / the base's. Few calls make a lift noisy: read the counts.")
    if records.by_csm.empty:
        st.caption("No CSM has called a metric-green account red in the past snapshots yet.")
    else:
        st.dataframe(records.by_csm, column_config=CSM_RECORD_LABELS, hide_index=True, key="reality_csm_record")
        download_csv(records.by_csm, "track_record_by_csm.csv", key="reality_csm_download",
                     label="Download per-CSM record (CSV)")


def render_spikes(ws, view: RealityView, account_filter, as_of) -> None:
    st.caption("Usage in the 60 days before a contract end at least 2x the account's usual 60-day "
               "usage, falling back below 1.2x after. A signal for a person to read, never an "
               "accusation and never an input to the score. Newest contract end first.")
    show_all = st.toggle("Include contract ends older than a year", key="spikes_all")
    spikes = view.spikes_all if show_all else view.spikes
    if spikes.empty:
        st.caption("No pre-renewal activity spikes" + ("." if show_all else " in the last 365 days."))
    else:
        show_accounts_table(spikes, SPIKE_LABELS, "reality_spikes")
        pairs = list(zip(spikes["account_id"], spikes["contract_end"]))
        choice = st.selectbox("Usage around a renewal", range(len(pairs)), key="spike_choice",
                              format_func=lambda i: f"{pairs[i][0]} · {pairs[i][1]:%Y-%m-%d}")
        account_id, end = pairs[choice]
        usage = cached_view(spike_usage, ws, account_filter, as_of, account_id, end)
        st.plotly_chart(usage_curve_chart(usage, end), key="reality_spike_chart")
    st.subheader("Coming up: renewals with usage already rising")
    st.caption(RISING_RULE)
    if view.rising.empty:
        st.caption("No upcoming renewal shows rising usage.")
    else:
        show_accounts_table(view.rising, RISING_LABELS, "reality_rising")


ws = get_workspace()
st.title("Metric health vs CSM reality")
st.caption("Where the health score and the people who know the customer disagree. A CSM's flag "
           "overrides the metric band until its review-by date, and is always shown as an override.")
if not require_data(ws, ("contracts",)):
    st.stop()

show_flash()

account_filter = current_filter()
chosen_as_of = view_as_of(ws)  # None: the data's own, flags up to now
user = identity_box()

controls = st.columns([1, 1, 2])
max_age_days = int(controls[0].number_input(
    "Assessment max age (days)", min_value=1, max_value=3650,
    value=config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS, step=10, key="reality_max_age",
    help="An assessment older than this counts as no recent assessment (stale).",
))
my_book = controls[1].toggle("My book", key="reality_my_book",
                             help="Only the accounts whose CSM owner is you (your signed-in or display name).")
if my_book and not user:
    controls[2].warning("Enter your name (or sign in) above to see your book.")
owner = user if my_book and user else None
with st.spinner("Scoring accounts…"):
    view = cached_view(reality_view, ws, account_filter, chosen_as_of, max_age_days, owner)
if owner:
    controls[2].caption(f"My book: {count_noun(len(view.accounts), 'account')} owned by {md(owner)}.")
if view.book_note:
    controls[2].warning(md(view.book_note))

definition_card("quadrants", DEFINITION, as_of=page_as_of(ws))
render_counts(view)
# Only the open tab is computed and drawn: the whole page was eight tables and three charts on
# every rerun (each flag, each toggle); the open tab rides in the link (?tab=Flags).
quadrants_tab, flags_tab, record_tab, spikes_tab = st.tabs(TABS, key=TAB_PARAM, bind="query-params")
if quadrants_tab.open:
    with quadrants_tab:
        render_quadrants(view)
        render_lists(view)
if flags_tab.open:
    with flags_tab:
        render_flags(ws, view, user)
if record_tab.open:
    with record_tab:
        render_track_record(ws, account_filter, chosen_as_of, max_age_days, owner)
if spikes_tab.open:
    with spikes_tab:
        render_spikes(ws, view, account_filter, chosen_as_of)
