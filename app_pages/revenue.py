"""Revenue page: MRR with movements, trailing-12m GRR/NRR/logo retention, KPIs, drill-down."""
from __future__ import annotations

import streamlit as st

from cs_analytics.core import settings
from cs_analytics.charts.retention import movements_figure, rates_figure
from cs_analytics.core.formatting import compact_money
from cs_analytics.retention.revenue import DEFINITIONS, MOVEMENTS, cli_frame, kpis, movement_accounts, mrr_bridge
from cs_analytics.retention.months import window
from ui.text import md
from ui.common import (
    ACCOUNT_LINK_CONFIG, account_link_column, current_filter, data_version, definition_card,
    download_csv, get_workspace, require_data, view_as_of,
)
from ui.identity import current_user

st.title("Revenue")
ws = get_workspace()
if not require_data(ws, ("contracts",)):
    st.stop()

account_filter = current_filter()
as_of = view_as_of(ws)


@st.cache_data(show_spinner=False, max_entries=32)
def _bridge(version: str, filter_key: str, as_of, _account_filter):
    return mrr_bridge(get_workspace(), _account_filter, as_of)


bridge = _bridge(data_version(ws), repr(account_filter), as_of, account_filter)
win = window(ws, as_of)
if bridge.empty:
    st.info("No month is complete yet for the selected accounts; MRR appears after the first full month.")
    st.stop()
st.caption(f"Accounts: {md(account_filter.describe())} · months through {bridge['month'].max():%Y-%m} "
           f"(the last complete month; as of {win.as_of:%Y-%m-%d})")

# -- KPI tiles ------------------------------------------------------------------------------------
table = kpis(ws, bridge=bridge)
TILES_PER_ROW = 4
cols = st.columns(TILES_PER_ROW) + st.columns(TILES_PER_ROW)
for col, row in zip(cols, table.itertuples()):
    ratio = row.metric not in ("mrr", "customers")
    money = row.metric == "mrr"
    value = "n/a" if row.value is None or row.value != row.value else (
        f"{row.value:.1%}" if ratio else compact_money(row.value) if money else f"{row.value:,.0f}")
    delta = None
    if row.change is not None and row.change == row.change:
        delta = (f"{row.change * 100:+.1f} pts vs a year ago" if ratio
                 else f"{compact_money(row.change, signed=True) if money else f'{row.change:+,.0f}'} vs a year ago")
    col.metric(row.label, value, delta, delta_color="inverse" if row.metric == "logo_churn_12m" else "normal",
               help=f"{row.month:%Y-%m}, the last complete month")

# -- MRR and movements ------------------------------------------------------------------------
event = st.plotly_chart(movements_figure(bridge), key="movements_chart", on_select="rerun",
                        selection_mode="points", width="stretch")
definition_card("MRR and movements", DEFINITIONS["mrr"] + "\n\n" + DEFINITIONS["movements"], as_of=win.as_of,
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
definition_card("GRR, NRR, logo retention (12m)", DEFINITIONS["rates"], as_of=win.as_of,
                excluded="months whose M-12 had no customers (no base): shown blank")

# -- drill-down ------------------------------------------------------------------------------------
st.subheader("Accounts behind a movement")
month_options = bridge["month"].dt.strftime("%Y-%m").tolist()[::-1]
points = (event.selection.points if event and event.selection else []) or []
selection_key = repr(points[:1])
if points and st.session_state.get("drill_applied") != selection_key:
    st.session_state["drill_applied"] = selection_key
    point = points[0]
    custom = point.get("customdata")
    if custom:
        st.session_state["drill_month"], st.session_state["drill_movement"] = str(custom[1]), str(custom[0])
    elif point.get("curve_number", 99) < len(MOVEMENTS):
        st.session_state["drill_month"] = str(point.get("x"))
        st.session_state["drill_movement"] = MOVEMENTS[point["curve_number"]]
c1, c2 = st.columns(2)
month = c1.selectbox("Month", month_options, key="drill_month")
movement = c2.selectbox("Movement", MOVEMENTS, key="drill_movement")
accounts = movement_accounts(ws, month, movement, account_filter, as_of)
st.caption(f"{len(accounts)} accounts with {movement} in {month} (choose a bar above or pick here).")
st.dataframe(account_link_column(accounts), column_config=ACCOUNT_LINK_CONFIG, hide_index=True,
             key="drill_table", width="stretch")
download_csv(accounts, f"{movement}_{month}.csv", key="download_drill", label="Download these accounts")

# -- downloads --------------------------------------------------------------------------------------
st.subheader("Data")
cli_view = cli_frame(bridge)
with st.expander("Month-by-month table"):
    st.dataframe(cli_view, hide_index=True, width="stretch")
download_csv(cli_view, "mrr.csv", key="download_mrr", label="Download MRR by month (CSV)")
