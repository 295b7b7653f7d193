"""Revenue and Cohorts pages under AppTest: KPIs, drill-downs, basis/grain switches, filters, URLs."""
from __future__ import annotations

import pytest

from conftest import assert_no_exception

REVENUE = "app_pages/revenue.py"
COHORTS = "app_pages/cohorts.py"


def enterprise_only(monkeypatch) -> None:
    """Make the sidebar filter read as segment = Enterprise on the next run.

    (Under AppTest the sidebar's widgets are only in the element tree on the very first run of
    app.py, so the filter is set where every page reads it: ui.common.current_filter.)"""
    import ui.common
    from cs_analytics.core.filters import AccountFilter

    monkeypatch.setattr(ui.common, "current_filter", lambda: AccountFilter.of(segment="Enterprise"))


def frames_with(at, column: str) -> list:
    """The values of the page's dataframes having `column`, in page order."""
    return [d.value for d in at.dataframe if column in d.value.columns]


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_revenue_page_kpis_drill_down_and_filter(app_test, demo_workspace_path, monkeypatch):
    at = app_test(REVENUE, demo_workspace_path)
    assert_no_exception(at)
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["MRR", "Customers", "GRR (12m)"]
    assert "vs a year ago" in at.metric[0].delta
    at.selectbox(key="drill_movement").set_value("churn").run()
    assert_no_exception(at)
    month = at.selectbox(key="drill_month").value
    assert f"with churn in {month}" in captions(at)
    table = frames_with(at, "mrr_after")[0]
    assert len(table) > 0 and table["link"].str.startswith("/account?account=").all()
    assert (table["mrr_after"] == 0).all()
    before = at.metric[0].value
    enterprise_only(monkeypatch)
    at.run()
    assert_no_exception(at)
    assert at.metric[0].value != before
    assert "segment = Enterprise" in captions(at)


def test_revenue_targets_are_editable(app_test, demo_workspace_path):
    at = app_test(REVENUE, demo_workspace_path)
    at.number_input(key="target_grr").set_value(85.0).run()  # entered as a percent (issue 9)
    assert_no_exception(at)
    import json

    chart = next(c for c in at.get("plotly_chart") if "Trailing-12-month" in c.proto.spec)
    shapes = json.loads(chart.proto.spec)["layout"]["shapes"]
    assert any(abs(s["y0"] - 0.85) < 1e-9 for s in shapes)


def test_cohorts_page_basis_grain_and_cell_drill_down(app_test, demo_workspace_path):
    at = app_test(COHORTS, demo_workspace_path)
    assert_no_exception(at)
    assert "Logo retention by month cohort" in captions(at)
    at.radio(key="cohort_basis").set_value("nrr").run()
    assert_no_exception(at)
    assert "Net revenue retention by month cohort" in captions(at)
    assert at.query_params["basis"] == ["nrr"] or at.query_params["basis"] == "nrr"
    at.radio(key="cohort_grain").set_value("quarter").run()
    assert_no_exception(at)
    assert "by quarter cohort" in captions(at)
    cohort = at.selectbox(key="cell_cohort").options[1]
    at.selectbox(key="cell_cohort").set_value(cohort).run()
    at.number_input(key="cell_period").set_value(1).run()
    assert_no_exception(at)
    text = captions(at)
    assert f"Cohort {cohort}, period 1:" in text
    retained, lost = frames_with(at, "status")
    assert len(retained) + len(lost) > 0
    assert retained["link"].str.startswith("/account?account=").all()
    at.radio(key="cohort_basis").set_value("activity").run()
    at.toggle(key="cohort_unbounded").set_value(True).run()
    assert_no_exception(at)
    assert "Active in period k or later (unbounded)" in captions(at)


def test_cohort_cell_deep_link_from_query_params(app_test, demo_workspace_path):
    at = app_test(COHORTS, demo_workspace_path, query={"basis": "nrr", "cohort": "2024-03", "period": "6"})
    assert_no_exception(at)
    assert at.radio(key="cohort_basis").value == "nrr"
    assert at.selectbox(key="cell_cohort").value == "2024-03"
    assert at.number_input(key="cell_period").value == 6
    assert "Cohort 2024-03, period 6:" in captions(at)
    retained, lost = frames_with(at, "status")
    assert len(retained) + len(lost) > 0 and (lost["status"] == "lost").all()


def test_cohorts_filter_changes_sizes(app_test, demo_workspace_path, monkeypatch):
    at = app_test(COHORTS, demo_workspace_path)
    all_options = at.selectbox(key="cell_cohort").options
    enterprise_only(monkeypatch)
    at.run()
    assert_no_exception(at)
    assert "segment = Enterprise" in captions(at)
    table = next(d for d in at.dataframe if "cohort_size" in d.value.columns).value
    assert table["cohort_size"].sum() < 1200
    assert len(at.selectbox(key="cell_cohort").options) <= len(all_options)


def test_survival_tab(app_test, demo_workspace_path):
    at = app_test(COHORTS, demo_workspace_path)
    assert not [s for s in at.selectbox if s.key == "survival_by"]  # a closed tab is not drawn
    assert at.selectbox(key="cell_cohort")
    at = app_test(COHORTS, demo_workspace_path, query={"tab": "Survival"})  # a link opens the tab
    assert not [s for s in at.selectbox if s.key == "cell_cohort"]
    assert at.selectbox(key="survival_by").value == "segment"
    messages = [m.value for m in (*at.success, *at.info)]
    assert any("segments (log-rank p" in m for m in messages)
    medians = frames_with(at, "median_lifetime_months")[0]
    assert set(medians["group"]) == {"SMB", "Mid-Market", "Enterprise"}
    at.selectbox(key="survival_by").set_value("plan").run()
    assert_no_exception(at)
    assert any("plans (log-rank p" in m.value for m in (*at.success, *at.info))


@pytest.mark.parametrize("page", [REVENUE, COHORTS])
def test_pages_on_an_empty_workspace(app_test, tmp_path, page):
    at = app_test(page, tmp_path / "empty.duckdb")
    assert_no_exception(at)
    assert any("needs the contracts" in i.value for i in at.info)


def test_comparison_keeps_cohorts_after_switching_grain(app_test, demo_workspace_path):
    at = app_test(COHORTS, demo_workspace_path)
    assert at.multiselect(key="compare_cohorts").value
    at.radio(key="cohort_grain").set_value("quarter").run()
    assert_no_exception(at)
    chosen = at.multiselect(key="compare_cohorts").value
    assert chosen and all("-Q" in c for c in chosen)


def test_revenue_tiles_never_show_a_zero_change_with_an_arrow(app_test, demo_workspace_path):
    at = app_test(REVENUE, demo_workspace_path)
    assert_no_exception(at)
    assert not any(m.delta and m.delta.startswith(("+0.0 pts", "-0.0 pts", "+0 ")) for m in at.metric)
