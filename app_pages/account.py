"""Account page (`/account?account=ID`): one account's revenue, usage, health and CSM signals."""
from __future__ import annotations

import html

import streamlit as st

from cs_analytics.charts import health as charts
from cs_analytics.health.bands import band_colour
from cs_analytics.tasks.timeline import TIMELINE_KINDS
from cs_analytics.views.account import AccountView, account_options, account_view
from cs_analytics.views.my_work import timeline_view
from ui.cache import cached_view
from ui.common import current_filter, download_csv, get_workspace, page_as_of, require_data, view_as_of
from cs_analytics.core.formatting import blank_missing
from ui.flag_form import flag_form, show_flash, withdraw_form
from ui.identity import identity_box
from ui.text import md

EXPLANATION_LABELS = {
    "label": st.column_config.TextColumn("Measure", pinned=True),
    "raw": st.column_config.NumberColumn("Raw value", format="%.3g"),
    "unit": "Unit",
    "definition": st.column_config.TextColumn("Definition", width="large"),
    "score": st.column_config.NumberColumn("Score 0-100", format="%.1f"),
    "weight": st.column_config.NumberColumn("Weight %", format="%.1f"),
    "points": st.column_config.NumberColumn("Points", format="%.2f"),
    "vs_portfolio": st.column_config.NumberColumn("vs portfolio", format="%+.1f",
                                                  help="measure score minus the portfolio's average"),
    "status": "Status",
}
SIGNAL_LABELS = {
    "signal_at": st.column_config.TextColumn("When", pinned=True),
    "action": "What", "sentiment": "Sentiment", "user_name": "By", "reason": "Reason", "note": "Note",
    "review_by": "Review by", "source": "Source", "flag_id": st.column_config.NumberColumn("Flag", format="%d"),
    "withdraws_flag_id": st.column_config.NumberColumn("Withdraws flag", format="%d"),
    "override_reason": "Override reason",
}
BADGE = ("<div style='margin-top:1.6rem'><span style='background:{colour};color:white;"
         "padding:4px 12px;border-radius:12px{extra}'>{text}</span></div>")


def choose_account(ws, as_of) -> str | None:
    """The account shown: the link's `?account=` (the source of truth, so shared links work), or
    one the user picks among the top matches of the search box (not all 20,000 at once)."""
    wanted = st.query_params.get("account")
    search = st.text_input("Find an account", key="account_search", placeholder="account id or name",
                           help="Type part of an id or name; the Account list offers the best matches.")
    choices = cached_view(account_options, ws, current_filter(), as_of, wanted, search.strip())
    if choices.unknown:
        st.warning(f"There is no account “{md(choices.unknown)}” in the workspace.")
    if not choices.ids:
        st.info(f"No account matches “{md(search)}”." if search.strip() else "No account matches the sidebar filters.")
        return None
    chosen = st.selectbox("Account", list(choices.ids), index=choices.index,
                          format_func=lambda a: f"{a} — {choices.names.get(a, a)}",
                          key=f"account_select_{choices.wanted or ''}_{search.strip()}")
    if choices.truncated:
        st.caption(f"Offering the first {choices.offered:,} of {choices.matched:,} "
                   "matching accounts; type in Find an account to narrow the list.")
    if chosen != st.query_params.get("account"):
        st.query_params["account"] = chosen
    return chosen


def badge(band: str | None, text: str, dashed: bool = False) -> str:
    extra = ";border:2px dashed black" if dashed else ""
    return BADGE.format(colour=band_colour(band), extra=extra, text=html.escape(text))


def score_block(view: AccountView) -> None:
    explanation = view.explanation
    cols = st.columns([1, 1, 2])
    delta = (None if explanation.score_change is None
             else f"{explanation.score_change:+.1f} since {explanation.previous_as_of:%Y-%m-%d}")
    cols[0].metric("Health score", f"{explanation.score:.1f}", delta=delta)
    cols[1].markdown(badge(explanation.band, f"metric: {explanation.band}"), unsafe_allow_html=True)
    if view.override.label:
        cols[2].markdown(badge(view.override.effective_band, f"⚑ {view.override.label}", dashed=True),
                         unsafe_allow_html=True)
    st.caption(f"As of {explanation.as_of:%Y-%m-%d} with {md(explanation.scorecard_label)}. "
               "The points add up to the score.")


def explanation_block(view: AccountView) -> None:
    explanation = view.explanation
    st.plotly_chart(charts.explanation_waterfall(explanation.table, explanation.score), key="account_waterfall")
    table = explanation.table[["label", "points", "score", "weight", "raw", "unit", "definition", "vs_portfolio", "status"]]
    st.dataframe(blank_missing(table), hide_index=True, key="account_explanation", column_config=EXPLANATION_LABELS)
    download_csv(explanation.export_table(), f"explanation_{explanation.account_id}_{explanation.as_of}.csv",
                 key="account_explanation_download")
    for name, why in explanation.missing.items():
        st.caption(f"Missing: **{md(name)}** — {md(why)}; its weight is shared among the other measures.")
    st.markdown(f"**Change since {explanation.previous_as_of:%Y-%m-%d}**")
    if explanation.previous_score is None:
        st.caption(md(" ".join(explanation.notes)) or "No score a month earlier.")
    else:
        st.plotly_chart(charts.change_bars(explanation.change), key="account_change")
        st.caption(f"{explanation.previous_score:.1f} → {explanation.score:.1f} "
                   f"({explanation.score_change:+.1f} points), attributed to measures above.")


def signals_block(view: AccountView) -> None:
    st.markdown("**CSM assessments and flags**")
    if view.signals.empty:
        st.caption("No CSM assessment or flag recorded for this account.")
    else:
        st.dataframe(blank_missing(view.signals, times=("signal_at",)), hide_index=True,
                     key="account_signals", column_config=SIGNAL_LABELS)
    st.caption("CSM sentiment is never an input to the score; it is shown beside it.")


def health_block(view: AccountView) -> None:
    if view.explanation is None:
        st.info(md(view.unscored))
        return
    score_block(view)
    left, right = st.columns([3, 2])
    with left:
        explanation_block(view)
    with right:
        signals_block(view)


def flags_block(ws, account_id: str) -> None:
    """Every flag in force with who/when/reason/review date, and the flag and withdraw forms."""
    st.markdown("**Flags**")
    user = identity_box(key_prefix="account_identity")
    cols = st.columns(2)
    with cols[0]:
        flag_form(ws, user, "account_flag", account_id=account_id)
    with cols[1]:
        withdraw_form(ws, user, "account_withdraw", account_id=account_id)


def history_block(view: AccountView) -> None:
    st.markdown("Recomputed with the active scorecard; dashed lines mark when versions were saved.")
    if view.history.empty:
        st.caption("The account was not a customer on any recent month-end.")
    else:
        st.plotly_chart(charts.score_history_chart(view.history, view.scorecard_versions,
                                                   view.green_min, view.yellow_min), key="account_history")


def contracts_block(view: AccountView) -> None:
    if view.contracts.empty:
        st.caption("No contracts.")
        return
    left, right = st.columns(2)
    with left:
        st.markdown("**Contracts**")
        st.plotly_chart(charts.contracts_timeline(view.contracts, view.as_of), key="account_contracts")
    with right:
        st.markdown("**MRR history (month-end)**")
        st.plotly_chart(charts.mrr_history_chart(view.month_end_mrr), key="account_mrr")


def usage_block(view: AccountView) -> None:
    if view.usage.empty:
        st.caption("No usage rows.")
    else:
        st.plotly_chart(charts.usage_by_metric_chart(view.usage), key="account_usage")


CHART_TABS = ("Score history", "Contracts and MRR", "Usage by metric")


def chart_tabs(view: AccountView) -> None:
    """History, contracts and usage charts in tabs: only the open one is drawn (a click on another
    reruns), so a page view draws 3 charts instead of 6; the tab rides in the link (?tab=)."""
    tabs = st.tabs(CHART_TABS, key="tab", bind="query-params")
    for tab, block in zip(tabs, (history_block, contracts_block, usage_block)):
        if tab.open:
            with tab:
                block(view)


TIMELINE_LABELS = {
    "at": st.column_config.TextColumn("When", pinned=True), "kind": "Kind", "what": "What", "who": "Who",
    "detail": "Detail",
}


def timeline_block(ws, account_id: str) -> None:
    """The account's timeline: one chronological list, filterable by kind, exportable as CSV."""
    st.markdown("**Timeline** (band changes, assessments, flags, tasks, NPS, contracts; newest first)")
    kinds = st.multiselect("Show", TIMELINE_KINDS, default=list(TIMELINE_KINDS), key="timeline_kinds")
    view = cached_view(timeline_view, ws, current_filter(), view_as_of(ws), account_id)
    events = view.of_kinds(tuple(kinds))
    if events.empty:
        st.caption("Nothing of these kinds recorded for this account.")
        return
    st.caption(view.caption(events))
    st.dataframe(blank_missing(events, times=("at",)), hide_index=True, key="account_timeline",
                 column_config=TIMELINE_LABELS)
    download_csv(events, f"timeline-{account_id}.csv", key="timeline_csv", label="Download the timeline (CSV)")


def main() -> None:
    ws = get_workspace()
    st.title("Account")
    if not require_data(ws, ("contracts",)):
        return
    as_of = page_as_of(ws)
    account_id = choose_account(ws, as_of)
    if account_id is None:
        return
    with st.spinner("Scoring the account…"):
        view = cached_view(account_view, ws, current_filter(), as_of, account_id)
    st.subheader(md(view.name))
    st.caption(" · ".join(f"{k}: {md(v)}" for k, v in view.header.items()))
    show_flash()
    health_block(view)
    flags_block(ws, account_id)
    chart_tabs(view)
    timeline_block(ws, account_id)


main()
