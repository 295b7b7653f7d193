"""Activation on a small demo (200 accounts, seed 3) against the independent pandas reference,
and the outcomes of activated versus not (12-month retention, retention curves, survival)."""
from __future__ import annotations

import pandas as pd
import pytest

import reference_onboarding as ref
from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.demo.build import write_demo
from cs_analytics.onboarding import activation as act
from cs_analytics.onboarding import outcomes as out
from cs_analytics.onboarding.rule import DEFAULT_RULE, ActivationRule


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("onb_demo") / "demo.duckdb"
    ws = open_workspace(path)
    write_demo(ws, accounts=200, seed=3)
    contracts = ws.query("SELECT account_id, start_date, end_date, mrr FROM contracts")
    usage = ws.query("SELECT account_id, event_date, metric, value, user_id FROM usage")
    yield ws, contracts, usage
    close_workspace(path)


@pytest.mark.parametrize("rule", [DEFAULT_RULE, ActivationRule(kind="users", threshold=3, window_days=30)],
                         ids=["default", "users"])
def test_demo_activation_matches_reference(small_demo, rule):
    ws, contracts, usage = small_demo
    as_of = resolve_as_of(ws)
    frame, _ = act.account_activation(ws, rule)
    expected = ref.activation(usage, ref.starts_from_contracts(contracts, as_of), as_of, rule.metric, rule.kind,
                              rule.threshold, rule.window_days)
    pd.testing.assert_frame_equal(frame[expected.columns].reset_index(drop=True), expected, check_dtype=False)
    for days in act.SHARE_DAYS:
        share, observed = ref.share_within(expected, days)
        figures = act.shares(frame, rule.window_days)
        assert figures[f"observed_{days}_days"] == observed
        assert figures[f"activated_within_{days}_days"] == pytest.approx(share, nan_ok=True)
    decided = expected[(expected["observed_days"] >= rule.window_days)]["activation_day"].dropna()
    assert act.shares(frame, rule.window_days)["p75_days_to_activation"] == pytest.approx(decided.quantile(0.75))
    later = act.later_activation(frame, rule.window_days)
    assert (later.not_activated, later.activated_later) == ref.later(expected, rule.window_days)


def test_twelve_month_retention_matches_month_end_walk(small_demo):
    ws, contracts, _ = small_demo
    as_of = resolve_as_of(ws)
    starts = act.account_starts(ws)
    got = out.twelve_month_retention(ws, starts).set_index("account_id")["retained_12m"]
    c = contracts.assign(start_date=pd.to_datetime(contracts["start_date"]),
                         end_date=pd.to_datetime(contracts["end_date"]).fillna(pd.Timestamp(as_of)))
    last_end = pd.Timestamp(ref.last_complete_month_end(as_of))
    checked = 0
    for account, start in starts.frame.set_index("account_id")["start_date"].items():
        start = pd.Timestamp(start)
        if start + pd.Timedelta(days=365) > last_end:
            assert account not in got.index
            continue
        rows = c[c["account_id"] == account]
        ends = pd.date_range(start, start + pd.Timedelta(days=365), freq="ME")
        ends = [e for e in ends if start < e <= start + pd.Timedelta(days=365)]
        lost = any(rows[(rows["start_date"] <= e) & (rows["end_date"] >= e)]["mrr"].sum() <= 0 for e in ends)
        assert got[account] == (not lost), account
        checked += 1
    assert checked > 50


def test_retention_curves_and_survival_split_by_status(small_demo):
    ws, _, _ = small_demo
    frame, starts = act.account_activation(ws, DEFAULT_RULE)
    monthly = out.retained_by_month(ws, starts)
    curves = out.retention_curves(monthly, frame)
    assert set(curves["group"]) <= set(out.GROUPS)
    month0 = curves[curves["month_since_start"] == 0].set_index("group")
    assert (month0["share"] == 1.0).all()  # a start is a customer month
    status = frame.set_index("account_id")["status"]
    at6 = monthly[monthly["month_since_start"] == 6].assign(group=lambda f: f["account_id"].map(status))
    at6 = at6[at6["group"] == "activated"]
    row = curves[(curves["group"] == "activated") & (curves["month_since_start"] == 6)].iloc[0]
    assert row["accounts"] == len(at6) and row["share"] == pytest.approx(at6["retained"].mean())
    survival = out.activation_survival(ws, frame)
    assert set(survival.lifetimes["group"]) <= {"Activated", "Not activated"}
    assert len(survival.lifetimes) == (frame["status"] != "pending").sum()
    assert survival.logrank.statement
