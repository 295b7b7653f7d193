"""Onboarding page: the activation rule (edited here, saved in the workspace), activation per
start cohort, the activation curve, "three months or never", activated versus not (retention,
Kaplan-Meier, log-rank) and the activation finder (metrics.md, Onboarding and activation)."""
from __future__ import annotations

import streamlit as st

from cs_analytics.charts.onboarding import activation_curve_figure, activation_retention_figure
from cs_analytics.charts.retention import km_figure
from cs_analytics.core.settings import set_setting
from cs_analytics.onboarding.activation import SEED_CLAIM
from cs_analytics.onboarding.rule import ANY_METRIC, KIND_LABELS, KINDS, MAX_WINDOW_DAYS, ActivationRule
from cs_analytics.views import onboarding as vo
from ui.cache import cached_view
from ui.common import (
    ACCOUNT_LINK_CONFIG, account_link_column, current_filter, definition_card, download_csv, get_workspace,
    require_data, view_as_of,
)
from ui.identity import current_user
from ui.text import md

EDITOR_KEYS = {"metric": "rule_metric", "kind": "rule_kind", "threshold": "rule_threshold", "window_days": "rule_window"}

st.title("Onboarding")
ws = get_workspace()
if ws.row_count("usage") == 0 and ws.row_count("contracts") == 0:
    require_data(ws, ("usage",))
    st.stop()
account_filter = current_filter()
as_of = view_as_of(ws)
saved = vo.rule_in_force(ws)


def _load_editor(rule: ActivationRule) -> None:
    """Put `rule` into the editor's widgets (before they are drawn)."""
    for field, key in EDITOR_KEYS.items():
        st.session_state[key] = getattr(rule, field)


if st.session_state.pop("onboarding_load_rule", False) or EDITOR_KEYS["kind"] not in st.session_state:
    _load_editor(saved)
    st.session_state["onboarding_preview"] = None
if (message := st.session_state.pop("onboarding_saved_message", None)):
    st.success(md(message))

metrics = cached_view(vo.usage_metrics_view, ws, account_filter, as_of)
with st.expander(f"Activation rule: {md(saved.describe())} (saved in the workspace)", expanded=False):
    st.caption("An account is activated on the first day d < W since its start on which its cumulative "
               "value of the kind, counted from the start, reaches the threshold.")
    c1, c2, c3, c4 = st.columns(4)
    metric_options = [ANY_METRIC, *metrics]
    if st.session_state[EDITOR_KEYS["metric"]] not in metric_options:
        metric_options.append(st.session_state[EDITOR_KEYS["metric"]])
    c1.selectbox("Metric", metric_options, key=EDITOR_KEYS["metric"],
                 format_func=lambda m: "any metric" if m == ANY_METRIC else m)
    c2.selectbox("Kind", KINDS, key=EDITOR_KEYS["kind"], format_func=KIND_LABELS.get)
    c3.number_input("Threshold (at least)", min_value=0.001, step=1.0, key=EDITOR_KEYS["threshold"])
    c4.number_input("Window W (days)", min_value=1, max_value=MAX_WINDOW_DAYS, step=1, key=EDITOR_KEYS["window_days"])
    edited = ActivationRule(metric=st.session_state[EDITOR_KEYS["metric"]], kind=st.session_state[EDITOR_KEYS["kind"]],
                            threshold=float(st.session_state[EDITOR_KEYS["threshold"]]),
                            window_days=int(st.session_state[EDITOR_KEYS["window_days"]]))
    b1, b2, b3 = st.columns(3)
    if b1.button("Preview this rule", key="rule_preview"):
        st.session_state["onboarding_preview"] = edited.to_json()
    if b2.button("Save as the workspace rule", key="rule_save", type="primary"):
        set_setting(ws, "activation_rule", edited.to_json(), current_user())
        st.session_state["onboarding_load_rule"] = True
        st.session_state["onboarding_saved_message"] = f"Saved the activation rule: {edited.describe()}."
        st.rerun()
    if b3.button("Back to the saved rule", key="rule_reset"):
        st.session_state["onboarding_load_rule"] = True
        st.rerun()

preview = st.session_state.get("onboarding_preview")
c1, c2 = st.columns([2, 3])
grain = c1.radio("Start cohorts by", vo.GRAINS, key="onboarding_grain", horizontal=True, format_func=str.capitalize)
by_segment = c2.toggle("Split by segment", key="onboarding_by_segment")
view = cached_view(vo.build, ws, account_filter, as_of, preview, grain, by_segment)
rule = view.rule
if preview is not None and preview != saved.to_json():
    st.warning(md(f"Previewing a rule that is not saved: {rule.describe()}. Save it in the rule editor to keep it."))
start_text = ("the first customer month (contracts)" if view.basis == "contracts"
              else "the first usage day (no contracts in this workspace)")
st.caption(f"Rule: {md(rule.describe())} · start: {start_text} · accounts: {md(account_filter.describe())} · "
           f"as of {view.as_of:%Y-%m-%d}" if view.as_of else "")
for note in view.notes:
    st.warning(md(note))
definition_card("Onboarding and activation", vo.DEFINITION, as_of=view.as_of,
                excluded="accounts without a start (never a customer in a complete month, or no usage without "
                         "contracts); accounts outside the sidebar filters")

if view.accounts.empty:
    st.info("No account has a start yet: with contracts, an account starts in its first complete month with "
            "MRR > 0; without contracts, on its first usage day with value > 0.")
    st.stop()

summary = view.summary
k1, k2, k3, k4 = st.columns(4)
k1.metric("Accounts with a start", f"{summary['accounts']:,}")
for column, days in ((k2, 30), (k3, 90)):
    share = summary[f"activated_within_{days}_days"]
    column.metric(f"Activated within {days} days", "n/a" if share is None else f"{share:.0%}")
median = summary["median_days_to_activation"]
k4.metric("Median days to activation", "n/a" if median is None else f"{median:.0f}",
          help="Accounts observed for the whole window that activated; 75th percentile: "
               + ("n/a" if summary["p75_days_to_activation"] is None else f"{summary['p75_days_to_activation']:.0f} days"))

cohort_tab, later_tab, versus_tab, finder_tab = st.tabs(
    ["By start cohort", "Three months or never", "Activated vs not", "Activation finder"])

with cohort_tab:
    st.caption("Shares read '64% of 22': 22 accounts are observed N days after their start; blank = no account "
               "of the cohort is observed that long yet (censored).")
    st.dataframe(view.cohort_table, hide_index=True, width="stretch", key="onboarding_cohorts")
    download_csv(view.cohorts, f"activation_{grain}.csv", key="download_activation",
                 label="Download the cohort rows (CSV)")
    if view.curve.empty:
        st.info(f"No account is observed for the whole {rule.window_days}-day window yet, so there is no curve.")
    else:
        st.plotly_chart(activation_curve_figure(view.curve, rule.describe()), key="activation_curve", width="stretch")
    waiting = view.not_yet_activated
    st.markdown(f"**Not activated yet ({len(waiting):,})**: not activated within the window, or still inside it "
                "(pending); first day = the day the rule first held after the window, if it did.")
    st.dataframe(account_link_column(waiting), hide_index=True, width="stretch", key="not_activated_table",
                 column_config={**ACCOUNT_LINK_CONFIG, "account_id": None, "segment": "Segment",
                                "start_date": "Start", "status": "Status", "observed_days": "Days observed",
                                "first_day": "First day the rule held"})
    download_csv(waiting, "not_activated.csv", key="download_not_activated", label="Download these accounts (CSV)")

with later_tab:
    later = view.later
    st.markdown(f"**The seed's claim:** \"{SEED_CLAIM}\"")
    l1, l2, l3 = st.columns(3)
    l1.metric(f"Not activated by day {later.window_days}, followed {later.follow_up_days} days",
              f"{later.not_activated:,}",
              help=f"Accounts observed for {later.follow_up_days} days after their start; the list on the "
                   "first tab also holds those observed for less.")
    l2.metric("Activated later", f"{later.activated_later:,}")
    l3.metric("Share activated later", "n/a" if later.share is None else f"{later.share:.0%}")
    st.info(md(later.statement))
    definition_card("Three months or never", vo.LATER_DEFINITION.format(follow_up=later.follow_up_days),
                    as_of=view.as_of, excluded="accounts observed for less than the follow-up")

with versus_tab:
    if view.retention.empty:
        st.info("No account is both decided (activated or not) and observed a month after its start yet.")
    else:
        st.plotly_chart(activation_retention_figure(view.retention, view.retention_label), key="activation_retention",
                        width="stretch")
    st.caption(md(vo.RETENTION_DEFINITIONS[view.basis]) + " Pending accounts are left out.")
    if view.survival is None:
        st.info("This workspace has no contracts, so there is no customer lifetime to compare: the chart above "
                "shows activity retention from usage alone.")
    elif not view.survival.lifetimes.empty:
        logrank = view.survival.logrank
        (st.success if logrank.p_value is not None and logrank.p_value < 0.05 else st.info)(md(logrank.statement))
        st.plotly_chart(km_figure(view.survival.curves), key="activation_km", width="stretch")
        st.dataframe(view.survival.medians, hide_index=True, width="stretch", key="activation_medians",
                     column_config={"group": "Group", "accounts": "Accounts", "churned": "Churned",
                                    "median_lifetime_months": "Median lifetime (months)"})

with finder_tab:
    st.caption("Searches metric (each and any) x kind x threshold (quantiles of the first 90 days) x window "
               "(7, 14, 30, 60, 90 days) for the rule whose activated accounts keep their 12-month retention "
               "best above the not activated ones, fitted on the earlier start cohorts and checked on the later ones.")
    if st.button("Run the activation finder", key="run_finder") or st.session_state.get("finder_ran"):
        st.session_state["finder_ran"] = True
        with st.spinner("Scoring every candidate rule..."):
            result = cached_view(vo.finder, ws, account_filter, as_of, preview)
        if result.winner is None:
            st.info(md(result.note))
        else:
            for line in vo.finder_sentences(result):
                st.markdown(md(line))
            if result.winner.to_json() == saved.to_json():
                st.success("The winner is the saved rule already.")
            elif st.button(f"Use this rule: {md(result.winner.describe())}", key="use_winner", type="primary"):
                set_setting(ws, "activation_rule", result.winner.to_json(), current_user())
                st.session_state["onboarding_load_rule"] = True
                st.session_state["onboarding_saved_message"] = f"Saved the activation rule: {result.winner.describe()}."
                st.rerun()
            st.dataframe(vo.finder_table(result), hide_index=True, width="stretch", key="finder_table")
            download_csv(result.candidates, "activation_finder.csv", key="download_finder",
                         label="Download every candidate (CSV)")
    definition_card("Activation finder", vo.FINDER_DEFINITION, as_of=view.as_of,
                    excluded="accounts whose 12 months after start are not yet observed")
