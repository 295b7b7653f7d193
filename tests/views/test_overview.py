"""The Overview page and its numbers: each figure equals the one on the page it links to."""
from __future__ import annotations

import pytest

from cs_analytics.reality import flags

from cs_analytics.reality import quadrants as reality

from cs_analytics.retention import revenue
from cs_analytics.cli.main import main
from cs_analytics.core.filters import AccountFilter
from cs_analytics.views.overview import overview_summary
from conftest import assert_no_exception


def test_summary_agrees_with_revenue_and_reality(demo_ws):
    summary = overview_summary(demo_ws)
    kpis = revenue.kpis(demo_ws).set_index("metric")["value"]
    assert summary.kpi("nrr_12m").value == pytest.approx(kpis["nrr_12m"], rel=1e-12)
    assert summary.kpi("grr_12m").value == pytest.approx(kpis["grr_12m"], rel=1e-12)
    assert abs(summary.kpi("logo_churn_12m").value - (1 - kpis["logo_retention_12m"])) < 1e-12
    quads = reality.quadrants(demo_ws)
    assert summary.green_but_failing == int((quads["quadrant"] == "green_but_failing").sum()) > 0
    assert sum(summary.metric_bands.values()) + summary.unscored_accounts == summary.scored_accounts == len(quads)


def test_filter_narrows_every_figure(demo_ws):
    everyone = overview_summary(demo_ws)
    enterprise = overview_summary(demo_ws, AccountFilter.of(segment="Enterprise"))
    assert 0 < enterprise.scored_accounts < everyone.scored_accounts
    assert enterprise.kpi("mrr").value < everyone.kpi("mrr").value


def test_override_moves_an_account_between_bands(demo_workspace):
    before = overview_summary(demo_workspace)
    quads = reality.quadrants(demo_workspace)
    green = quads[(quads["band"] == "green") & ~quads["is_override"].astype(bool)]["account_id"].iloc[0]
    flags.flag_account(demo_workspace, green, reason="champion_left", user="Dana")
    after = overview_summary(demo_workspace)
    assert after.metric_bands == before.metric_bands  # the metric itself is untouched
    assert after.effective_bands["green"] == before.effective_bands["green"] - 1
    assert after.effective_bands["red"] == before.effective_bands["red"] + 1
    assert after.overrides == before.overrides + 1


def test_empty_workspace_summary(tmp_workspace):
    summary = overview_summary(tmp_workspace)
    assert summary.is_empty and summary.kpis == []


def test_cli_overview(demo_workspace_path, capsys):
    assert main(["overview", "--workspace", str(demo_workspace_path), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("name,value") and "green_but_failing" in out


def test_page_on_demo_shows_tiles_and_links(app_test, demo_workspace_path):
    at = app_test(workspace=demo_workspace_path)
    assert_no_exception(at)
    labels = [m.label for m in at.metric]
    assert {"NRR (12m)", "GRR (12m)", "Logo churn (12m)", "Green but failing"} <= set(labels)
    nrr = next(m for m in at.metric if m.label == "NRR (12m)")
    assert nrr.value.endswith("%")


@pytest.mark.slow
def test_page_on_empty_workspace_offers_demo_and_upload(app_test, tmp_path, monkeypatch):
    import functools

    from cs_analytics.demo import build

    # the button's own path, with 200 accounts instead of 1,200 (the page imports it on every run)
    monkeypatch.setattr(build, "write_demo", functools.partial(build.write_demo, accounts=200))
    at = app_test(workspace=tmp_path / "empty.duckdb")
    assert_no_exception(at)
    assert not at.metric  # nothing but the two ways in
    assert [b.label for b in at.button] == ["Load the demo data"]
    at.button[0].click().run()
    assert_no_exception(at)
    assert any(m.label == "NRR (12m)" for m in at.metric)
