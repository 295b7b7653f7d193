"""Account page (`/account?account=ID`): one account's revenue, usage, health and CSM signals."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from cs_analytics.charts import health as charts
from cs_analytics.health.scoring import explain_account, score_history, score_accounts
from cs_analytics.health.bands import band_colour
from cs_analytics.health.scorecard import Scorecard, active_scorecard, scorecard_history
from ui.common import current_filter, data_version, get_workspace, page_as_of, require_data
from ui.text import md

from cs_analytics.core.accounts import account_choices
from cs_analytics.reality.flags import current_flags, flag_history
from cs_analytics.reality.quadrants import apply_overrides
from cs_analytics.core.ids import normalise_id


@st.cache_data(show_spinner="Computing score history...", max_entries=64)
def cached_history(_ws, version_key: str, account_id: str, sc_json: str, sc_version: int, as_of) -> pd.DataFrame:
    sc = Scorecard.from_json(sc_json)
    sc.version = sc_version
    return score_history(_ws, account_id, as_of, 24, sc)


def choose_account(ws) -> str | None:
    options = account_choices(ws, current_filter())
    ids = options["account_id"].tolist()
    wanted = normalise_id(st.query_params.get("account"))
    if wanted and wanted not in ids:
        exists = ws.scalar("SELECT count(*) FROM accounts WHERE account_id = ?", [wanted])
        if exists:
            ids = [wanted, *ids]
        else:
            st.warning(f"There is no account “{md(wanted)}” in the workspace.")
            wanted = None
    if not ids:
        st.info("No account matches the sidebar filters.")
        return None
    names = dict(zip(options["account_id"], options["name"]))
    index = ids.index(wanted) if wanted in ids else 0
    chosen = st.selectbox("Account", ids, index=index, format_func=lambda a: f"{a} — {names.get(a, a)}",
                          key=f"account_select_{wanted or ''}")
    if chosen != st.query_params.get("account"):
        st.query_params["account"] = chosen
    return chosen


def header(ws, account_id: str, active: Scorecard, as_of) -> None:
    info = ws.query("SELECT * FROM accounts WHERE account_id = ?", [account_id]).iloc[0]
    st.subheader(md(info['account_name'] or account_id))
    st.caption(" · ".join(f"{k}: {md(info[k])}" for k in ("account_id", "segment", "csm_owner", "plan", "industry", "region")
                          if pd.notna(info.get(k))))


def health_block(ws, account_id: str, active: Scorecard, as_of) -> None:
    try:
        explanation = explain_account(ws, account_id, as_of, active)
    except ValueError as exc:
        st.info(md(exc))
        return
    one = score_accounts(ws, as_of, active)
    one = apply_overrides(ws, one[one["account_id"] == account_id], None)
    band = explanation.band
    cols = st.columns([1, 1, 2])
    cols[0].metric("Health score", f"{explanation.score:.1f}",
                   delta=None if explanation.score_change is None else f"{explanation.score_change:+.1f} since {explanation.previous_as_of:%Y-%m-%d}")
    cols[1].markdown(
        f"<div style='margin-top:1.6rem'><span style='background:{band_colour(band)};color:white;"
        f"padding:4px 12px;border-radius:12px'>metric: {band}</span></div>", unsafe_allow_html=True)
    if not one.empty and bool(one["is_override"].iloc[0]):
        eff = one["effective_band"].iloc[0]
        cols[2].markdown(
            f"<div style='margin-top:1.6rem'><span style='background:{band_colour(eff)};color:white;"
            f"padding:4px 12px;border-radius:12px;border:2px dashed black'>⚑ {html.escape(str(one['override_label'].iloc[0]))}</span></div>",
            unsafe_allow_html=True)
    flag_caption(ws, account_id)
    st.caption(f"As of {explanation.as_of:%Y-%m-%d} with {md(explanation.scorecard_label)}. The points add up to the score.")
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(charts.explanation_waterfall(explanation.table, explanation.score), key="account_waterfall")
        table = explanation.table[["label", "raw", "score", "weight", "points", "vs_portfolio", "status"]]
        st.dataframe(table, hide_index=True, key="account_explanation", column_config={
            "label": "measure",
            "raw": st.column_config.NumberColumn("raw value", format="%.3g"),
            "score": st.column_config.NumberColumn("score 0-100", format="%.1f"),
            "weight": st.column_config.NumberColumn("weight %", format="%.1f"),
            "points": st.column_config.NumberColumn("points", format="%.2f"),
            "vs_portfolio": st.column_config.NumberColumn("vs portfolio", format="%+.1f",
                                                          help="measure score minus the portfolio's average"),
        })
        for name, why in explanation.missing.items():
            st.caption(f"Missing: **{md(name)}** — {md(why)}; its weight is shared among the other measures.")
        st.markdown(f"**Change since {explanation.previous_as_of:%Y-%m-%d}**")
        if explanation.previous_score is None:
            st.caption(md(" ".join(explanation.notes)) or "No score a month earlier.")
        else:
            st.plotly_chart(charts.change_bars(explanation.change), key="account_change")
            st.caption(f"{explanation.previous_score:.1f} → {explanation.score:.1f} "
                       f"({explanation.score_change:+.1f} points), attributed to measures above.")
    with right:
        st.markdown("**CSM assessments and flags**")
        signals = flag_history(ws, account_id)
        if signals.empty:
            st.caption("No CSM assessment or flag recorded for this account.")
        else:
            st.dataframe(signals.sort_values("signal_at", ascending=False).drop(columns=["account_id"], errors="ignore"),
                         hide_index=True, key="account_signals")
        st.caption("CSM sentiment is never an input to the score; it is shown beside it.")


def flag_caption(ws, account_id: str) -> None:
    """Who flagged the account, why, and until when (active or due for review)."""
    flags = current_flags(ws)
    flag = flags[flags["account_id"] == account_id]
    if flag.empty:
        return
    row = flag.iloc[0]
    note = f" — “{md(row['note'])}”" if isinstance(row["note"], str) and row["note"] else ""
    state = "in force" if row["status"] == "active" else "review date passed: due for review"
    st.caption(f"⚑ Flagged {md(row['sentiment'])} by {md(row['user_name'])} on {row['created_at']:%Y-%m-%d}: "
               f"{md(str(row['reason']).replace('_', ' '))}{note} · review by {row['review_by']:%Y-%m-%d} ({state}).")


def history_block(ws, account_id: str, active: Scorecard, as_of) -> None:
    history = cached_history(ws, data_version(ws), account_id, active.to_json(), active.version, as_of)
    versions = scorecard_history(ws)
    st.markdown(f"**Score history** (recomputed with the active scorecard; dashed lines mark when versions were saved)")
    if history.empty:
        st.caption("The account was not a customer on any recent month-end.")
    else:
        st.plotly_chart(charts.score_history_chart(history, versions, active.green_min, active.yellow_min),
                        key="account_history")


def revenue_usage_block(ws, account_id: str, as_of) -> None:
    contracts = ws.query(
        "SELECT contract_id, start_date, end_date, mrr, product FROM contracts WHERE account_id = ? ORDER BY start_date",
        [account_id])
    months = ws.query("SELECT month, mrr FROM account_month WHERE account_id = ? ORDER BY month", [account_id])
    usage = ws.query(
        "SELECT CAST(date_trunc('month', event_date) AS DATE) AS month, metric, sum(value) AS value "
        "FROM usage WHERE account_id = ? AND event_date <= ? GROUP BY ALL ORDER BY month, metric",
        [account_id, as_of])
    left, right = st.columns(2)
    with left:
        st.markdown("**Contracts**")
        if contracts.empty:
            st.caption("No contracts.")
        else:
            st.plotly_chart(charts.contracts_timeline(contracts, as_of), key="account_contracts")
            st.markdown("**MRR history (month-end)**")
            st.plotly_chart(charts.mrr_history_chart(months), key="account_mrr")
    with right:
        st.markdown("**Usage by metric**")
        if usage.empty:
            st.caption("No usage rows.")
        else:
            st.plotly_chart(charts.usage_by_metric_chart(usage), key="account_usage")


def main() -> None:
    ws = get_workspace()
    st.title("Account")
    if not require_data(ws, ("contracts",)):
        return
    account_id = choose_account(ws)
    if account_id is None:
        return
    as_of = page_as_of(ws)
    active = active_scorecard(ws)
    header(ws, account_id, active, as_of)
    health_block(ws, account_id, active, as_of)
    history_block(ws, account_id, active, as_of)
    revenue_usage_block(ws, account_id, as_of)


main()
