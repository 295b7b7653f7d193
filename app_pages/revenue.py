"""Revenue page: MRR with movements, trailing-12m GRR/NRR/logo retention, KPIs, drill-down."""
from __future__ import annotations

import streamlit as st

from cs_analytics.core import settings
from cs_analytics.charts.retention import movements_figure, rates_figure
from cs_analytics.retention.revenue import DEFINITIONS, MOVEMENTS, RATE_COLUMNS
from cs_analytics.views.revenue import MONTH_TABLE_LABELS, churn_reason_table, movement_drilldown, revenue_view
from ui.cache import cached_view
from ui.text import md
from ui.common import (
    ACCOUNT_LINK_CONFIG, account_link_column, current_filter, definition_card, download_csv, get_workspace,
    require_data, view_as_of,
)
from ui.identity import current_user

st.title("Revenue")
ws = get_workspace()
if not require_data(ws, ("contracts",)):
    st.stop()

account_filter = current_filter()
as_of = view_as_of(ws)
view = cached_view(revenue_view, ws, account_filter, as_of)
bridge = view.bridge
if view.is_empty:
    st.info("No month is complete yet for the selected accounts; MRR appears after the first full month.")
    st.stop()
st.caption(f"Accounts: {md(account_filter.describe())} · months through {view.last_month:%Y-%m} "
           f"(the last complete month; as of {view.as_of:%Y-%m-%d})")

# -- KPI tiles ------------------------------------------------------------------------------------
TILES_PER_ROW = 4
cols = st.columns(TILES_PER_ROW) + st.columns(TILES_PER_ROW)
for col, tile in zip(cols, view.tiles):
    col.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color, delta_arrow=tile.delta_arrow,
               help=f"{view.last_month:%Y-%m}, the last complete month")

# -- MRR and movements ------------------------------------------------------------------------
event = st.plotly_chart(movements_figure(bridge), key="movements_chart", on_select="rerun",
                        selection_mode="points", width="stretch")
definition_card("MRR and movements", DEFINITIONS["mrr"] + "\n\n" + DEFINITIONS["movements"], as_of=view.as_of,
                excluded="months after the last complete month; accounts outside the sidebar filters")

# -- trailing-12m rates with editable targets ---------------------------------------------------------
TARGET_INPUTS = {  # setting -> (label, upper bound in percent)
    "target_grr": ("GRR target (%)", 200.0),
    "target_nrr": ("NRR target (%)", 300.0),
    "target_logo_churn": ("Logo churn below (%)", 100.0),
}


def _save_targets() -> None:
    """Store the three targets as the workspace's (percents in, fractions stored): a write."""
    for key in TARGET_INPUTS:
        settings.set_setting(get_workspace(), key, f"{st.session_state[key]}%", current_user())
    st.session_state["targets_saved"] = True


saved = settings.targets(ws)
saved_percent = {"target_grr": saved.grr * 100, "target_nrr": saved.nrr * 100,
                 "target_logo_churn": saved.logo_churn * 100}
with st.expander("Targets (the workspace's; Overview uses them)", expanded=False):
    entered = {}
    for column, (key, (label, upper)) in zip(st.columns(3), TARGET_INPUTS.items()):
        entered[key] = column.number_input(label, 0.0, upper, round(saved_percent[key], 4), 1.0,
                                           key=key, format="%.1f")
    unsaved = any(abs(entered[k] - saved_percent[k]) > 1e-9 for k in TARGET_INPUTS)
    st.button("Save targets", key="save_targets", on_click=_save_targets, disabled=not unsaved,
              help="Saves the targets for this workspace: every page and user sees them.")
    if st.session_state.pop("targets_saved", False):
        st.success("Targets saved for this workspace.")
    elif unsaved:
        st.caption("Not saved yet: the chart previews the targets entered here.")
target_grr, target_nrr, target_churn = (entered[k] / 100.0 for k in TARGET_INPUTS)
st.plotly_chart(rates_figure(bridge, {"grr_12m": target_grr, "nrr_12m": target_nrr,
                                      "logo_retention_12m": 1.0 - target_churn}), key="rates_chart", width="stretch")
definition_card("GRR, NRR, logo retention (12m)", DEFINITIONS["rates"], as_of=view.as_of,
                excluded="months whose M-12 had no customers (no base): shown blank")

# -- drill-down ------------------------------------------------------------------------------------
st.subheader("Accounts behind a movement")
month_options = list(view.drill_months)
points = (event.selection.points if event and event.selection else []) or []
selection_key = repr(points[:1])
if points and st.session_state.get("drill_applied") != selection_key:
    st.session_state["drill_applied"] = selection_key
    point = points[0]
    custom = point.get("customdata")
    if custom:
        st.session_state["drill_month"], st.session_state["drill_movement"] = str(custom[1]), str(custom[0])
c1, c2 = st.columns(2)
month = c1.selectbox("Month", month_options, key="drill_month")
movement = c2.selectbox("Movement", MOVEMENTS, key="drill_movement")
accounts = cached_view(movement_drilldown, ws, account_filter, as_of, month, movement)
st.caption(f"{len(accounts)} accounts with {movement} in {month} (choose a bar above or pick here).")
st.dataframe(account_link_column(accounts), column_config=ACCOUNT_LINK_CONFIG, hide_index=True,
             key="drill_table", width="stretch")
download_csv(accounts, f"{movement}_{month}.csv", key="download_drill", label="Download these accounts")
if movement == "churn":
    reasons = churn_reason_table(accounts)
    if not reasons.empty:
        st.markdown("**Churn reasons** (from the churn list)")
        st.dataframe(reasons, hide_index=True, key="drill_churn_reasons")

# -- downloads --------------------------------------------------------------------------------------
st.subheader("Data")
with st.expander("Month-by-month table"):
    st.dataframe(view.month_table, hide_index=True, width="stretch", column_config={
        column: st.column_config.NumberColumn(label, format="percent" if column in RATE_COLUMNS else "localized")
        if column != "month" else st.column_config.TextColumn(label)
        for column, label in MONTH_TABLE_LABELS.items()})
download_csv(view.month_table, "mrr.csv", key="download_mrr", label="Download MRR by month (CSV)")
