"""Reality: metric health versus what the CSMs report, and the CSMs' visible, durable veto."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from cs_analytics.core import config
from cs_analytics.charts.reality import quadrant_chart, track_record_chart, usage_curve_chart
from cs_analytics.reality.flags import current_flags, flag_account, withdraw_flag
from cs_analytics.reality.quadrants import (
    GREEN_BUT_FAILING,
    QUADRANT_LABELS,
    QUADRANTS,
    RED_BUT_FINE,
    UNASSESSED,
    quadrant_counts,
    quadrants,
    track_record,
)
from cs_analytics.reality.spikes import activity_spikes, usage_around
from ui.common import (
    ACCOUNT_LINK_CONFIG,
    account_link_column,
    current_filter,
    data_version,
    definition_card,
    download_csv,
    get_workspace,
    page_as_of,
    require_data,
    view_as_of,
)
from ui.identity import identity_box
from ui.text import md

LIST_COLUMNS = ["link", "account_name", "score", "band", "csm_sentiment", "assessed_at", "reason",
                "mrr", "renewal_date", "override_label"]
LIST_CONFIG = {
    **ACCOUNT_LINK_CONFIG,
    "account_name": "Account name",
    "score": st.column_config.NumberColumn("Score", format="%.0f"),
    "band": "Metric band",
    "csm_sentiment": "CSM sentiment",
    "assessed_at": st.column_config.DateColumn("Assessed"),
    "reason": "Reason",
    "mrr": st.column_config.NumberColumn("MRR", format="%.0f"),
    "renewal_date": st.column_config.DateColumn("Renewal"),
    "override_label": "Override",
}
FLASH_KEY = "reality_flash"


@st.cache_data(show_spinner="Scoring accounts…", max_entries=8)
def cached_scores(_ws, path: str, version: str, as_of: dt.date, filter_key: str, _filter) -> pd.DataFrame:
    """Metric scores (they do not depend on flags, so caching them is safe)."""
    from cs_analytics.health.scoring import score_accounts

    return score_accounts(_ws, as_of, account_filter=_filter)


@st.cache_data(show_spinner="Computing the track record…", max_entries=8)
def cached_track_record(_ws, path: str, version: str, filter_key: str, max_age_days: int,
                        flag_key: str, _filter, as_of=None):
    """Keyed on the latest flag id too, so a new flag is never hidden by the cache."""
    return track_record(_ws, as_of=as_of, account_filter=_filter, max_age_days=max_age_days)


def show_list(frame: pd.DataFrame, key: str, empty: str, stale: bool = False) -> None:
    if frame.empty:
        st.caption(empty)
        return
    shown = account_link_column(frame.sort_values(["mrr", "account_id"], ascending=[False, True]))
    if stale:  # show what the old assessment said, dated, rather than a blank
        shown["csm_sentiment"] = shown["last_sentiment"]
    st.dataframe(shown[LIST_COLUMNS], column_config=LIST_CONFIG, hide_index=True, key=key)


ws = get_workspace()
st.title("Metric health vs CSM reality")
st.caption("Where the health score and the people who know the customer disagree. A CSM's flag "
           "overrides the metric band until its review-by date, and is always shown as an override.")
if not require_data(ws, ("contracts",)):
    st.stop()

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

account_filter = current_filter()
as_of = page_as_of(ws)
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

version = data_version(ws)
filter_key = account_filter.describe()
scores = cached_scores(ws, str(ws.path), version, as_of, filter_key, account_filter)
frame = quadrants(ws, chosen_as_of, account_filter=account_filter, max_age_days=max_age_days, scores=scores)
if my_book:
    if user:
        frame = frame[frame["csm_owner"] == user]
        controls[2].caption(f"My book: {len(frame):,} accounts owned by {md(user)}.")
    else:
        controls[2].warning("Enter your name (or sign in) above to see your book.")

definition_card(
    "quadrants",
    "CSM sentiment is the latest CRM assessment or in-app flag, if not older than the max age. "
    "**Green but failing**: metric green, CSM red (or yellow with a flag). **Red but fine**: metric "
    "red, CSM green. **Agree at risk**: metric red/yellow and CSM red/yellow. **Agree healthy**: "
    "both green, or a one-step gap (green/yellow) with no flag. **Unassessed**: no recent "
    "assessment (stale ones are listed separately).",
    as_of=as_of,
)

counts = quadrant_counts(frame)
cols = st.columns(len(QUADRANTS))
for col, quadrant in zip(cols, QUADRANTS):
    col.metric(QUADRANT_LABELS[quadrant], f"{counts[quadrant]:,}")

if frame.empty:
    st.info("No scored accounts match the filters.")
else:
    event = st.plotly_chart(quadrant_chart(frame), key="reality_quadrant_chart", on_select="rerun",
                            selection_mode=("box", "lasso"))
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    selected = sorted({p["customdata"][0] for p in points if p.get("customdata")})
    if selected:
        st.markdown(f"**{len(selected)} selected accounts**")
        show_list(frame[frame["account_id"].isin(selected)], "reality_selected", "")

st.subheader("Green but failing")
st.caption("Metric green, but the CSM says red (or yellow with a flag). Look at these first.")
show_list(frame[frame["quadrant"] == GREEN_BUT_FAILING], "reality_gbf", "No green-but-failing accounts.")
st.subheader("Red but fine")
st.caption("Metric red, CSM green: the score may be missing how this customer uses the product.")
show_list(frame[frame["quadrant"] == RED_BUT_FINE], "reality_rbf", "No red-but-fine accounts.")
st.subheader("Unassessed")
st.caption("No CSM assessment or flag at all.")
show_list(frame[(frame["quadrant"] == UNASSESSED) & ~frame["stale"]], "reality_unassessed",
          "Every account has an assessment.")
st.subheader(f"Stale (assessment older than {max_age_days} days)")
show_list(frame[frame["stale"]], "reality_stale", "No stale assessments.", stale=True)
download_csv(frame, "reality.csv", key="reality_download", label="Download all accounts (CSV)")

# -- flags -------------------------------------------------------------------------------------
st.header("Flags")
flags_now = current_flags(ws)
flag_cols = st.columns(2)
with flag_cols[0]:
    st.markdown("**Flag an account as at risk**")
    options = frame.sort_values("account_id")
    labels = dict(zip(options["account_id"], options["account_name"].fillna("")))
    account = st.selectbox("Account", list(labels), key="flag_account", index=None,
                           format_func=lambda a: f"{labels.get(a, '')} ({a})" if labels.get(a) else a,
                           placeholder="Choose an account")
    reason = st.selectbox("Reason", config.FLAG_REASON_CODES, key="flag_reason",
                          format_func=lambda r: r.replace("_", " "))
    sentiment = st.radio("Your call", ("red", "yellow"), key="flag_sentiment", horizontal=True)
    note = st.text_area("Note", key="flag_note", placeholder="What do you know that the data doesn't?")
    review_by = st.date_input("Review by", key="flag_review_by",
                              value=dt.date.today() + dt.timedelta(days=config.DEFAULT_FLAG_REVIEW_DAYS),
                              min_value=dt.date.today())
    if st.button("Flag", key="flag_submit", type="primary"):
        if not user:
            st.error("Enter your name (or sign in) at the top of the page first: every flag records who made it.")
        elif not account:
            st.error("Choose an account to flag.")
        else:
            try:
                flag_id = flag_account(ws, account, reason=reason, user=user, note=note,
                                       review_by=review_by, sentiment=sentiment)
            except ValueError as exc:
                st.error(md(exc))
            else:
                st.session_state[FLASH_KEY] = f"Flagged {md(account)} as {sentiment} (flag {flag_id}), review by {review_by:%Y-%m-%d}."
                st.rerun()
with flag_cols[1]:
    st.markdown("**Withdraw a flag**")
    if flags_now.empty:
        st.caption("No account is flagged.")
    else:
        flagged_ids = flags_now["account_id"].tolist()
        to_withdraw = st.selectbox("Flagged account", flagged_ids, key="withdraw_account")
        withdraw_note = st.text_input("Why withdraw?", key="withdraw_note")
        if st.button("Withdraw", key="withdraw_submit"):
            if not user:
                st.error("Enter your name (or sign in) at the top of the page first.")
            else:
                try:
                    withdraw_flag(ws, to_withdraw, user=user, note=withdraw_note)
                except ValueError as exc:
                    st.error(md(exc))
                else:
                    st.session_state[FLASH_KEY] = f"Withdrew the flag on {md(to_withdraw)}."
                    st.rerun()

flag_view = flags_now[flags_now["account_id"].isin(frame["account_id"])] if my_book else flags_now
expired = flag_view[flag_view["status"] == "expired"]
if not expired.empty:
    st.warning(f"{len(expired)} flag(s) passed their review-by date: confirm (flag again) or withdraw.")
st.markdown("**Current flags** (latest action per account; expired ones stay listed for review)")
if flag_view.empty:
    st.caption("No current flags.")
else:
    shown = account_link_column(flag_view)
    st.dataframe(
        shown[["link", "account_name", "status", "sentiment", "reason", "note", "user_name",
               "created_at", "review_by"]],
        column_config={**ACCOUNT_LINK_CONFIG, "created_at": st.column_config.DatetimeColumn("Flagged at"),
                       "review_by": st.column_config.DateColumn("Review by"), "user_name": "By"},
        hide_index=True, key="reality_flags",
    )

# -- track record ------------------------------------------------------------------------------
st.header("Track record of the human signal")
flag_key = str(ws.scalar("SELECT coalesce(max(flag_id), 0) FROM flags"))
record = cached_track_record(ws, str(ws.path), version, filter_key, max_age_days, flag_key, account_filter,
                             chosen_as_of)
st.markdown(record.sentence())
if record.red_but_fine.accounts:
    st.markdown(record.red_sentence())
if record.snapshots:
    st.plotly_chart(track_record_chart(record.as_frame()), key="reality_track_chart")
    st.caption(
        f"Pooled over {len(record.snapshots)} month-end snapshots "
        f"({record.snapshots[0]:%Y-%m} to {record.snapshots[-1]:%Y-%m}); churn = month-end MRR "
        f"reaching 0 within {record.horizon_days} days. Counts are account-snapshots."
    )

# -- pre-renewal spikes ------------------------------------------------------------------------
st.header("Activity spikes before renewal")
st.caption("Usage in the 60 days before a contract end at least 2x the account's usual 60-day "
           "usage, falling back below 1.2x after. A signal for a person to read, never an "
           "accusation and never an input to the score.")
spikes = activity_spikes(ws, chosen_as_of, account_filter=account_filter)
spikes = spikes[spikes["flagged"] & spikes["account_id"].isin(frame["account_id"])] if my_book else spikes[spikes["flagged"]]
if spikes.empty:
    st.caption("No pre-renewal activity spikes.")
else:
    shown = account_link_column(spikes)
    st.dataframe(shown[["link", "contract_end", "ratio_before", "ratio_after"]],
                 column_config={**ACCOUNT_LINK_CONFIG,
                                "contract_end": st.column_config.DateColumn("Contract end"),
                                "ratio_before": st.column_config.NumberColumn("Before / usual", format="%.2f"),
                                "ratio_after": st.column_config.NumberColumn("After / usual", format="%.2f")},
                 hide_index=True, key="reality_spikes")
    pairs = list(zip(spikes["account_id"], pd.to_datetime(spikes["contract_end"]).dt.date))
    choice = st.selectbox("Usage around a renewal", range(len(pairs)), key="spike_choice",
                          format_func=lambda i: f"{pairs[i][0]} · {pairs[i][1]:%Y-%m-%d}")
    account_id, end = pairs[choice]
    st.plotly_chart(usage_curve_chart(usage_around(ws, account_id, end), end),
                    key="reality_spike_chart")
