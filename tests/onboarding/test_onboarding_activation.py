"""Activation (metrics.md, Onboarding and activation) against hand-computed values and an
independent pandas reference (tests/reference_onboarding.py)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import reference_onboarding as ref
from onboarding_cases import ACCOUNTS, CONTRACTS, USAGE
from cs_analytics.core.db import close_workspace
from cs_analytics.onboarding import activation as act
from cs_analytics.onboarding.rule import DEFAULT_RULE, ActivationRule
from factories import build_workspace

AS_OF = dt.date(2025, 12, 31)

@pytest.fixture(scope="module")
def hand_ws(tmp_path_factory):
    path = tmp_path_factory.mktemp("onboarding") / "w.duckdb"
    ws = build_workspace(path, accounts=ACCOUNTS, contracts=CONTRACTS, usage=USAGE)
    yield ws
    close_workspace(path)


def test_hand_built_statuses_and_days(hand_ws):
    frame, starts = act.account_activation(hand_ws, DEFAULT_RULE, as_of=AS_OF)
    assert starts.basis == "contracts"
    got = frame.set_index("account_id")
    assert sorted(got.index) == list("abcdeg")  # f was never a customer
    assert got.loc["c", "start_date"] == dt.date(2024, 1, 1)  # first customer month's first day
    assert got.loc["a", "activation_day"] == 89 and got.loc["a", "status"] == "activated"  # day W - 1
    assert np.isnan(got.loc["b", "activation_day"]) and got.loc["b", "first_day"] == 90  # day W: too late
    assert got.loc["b", "status"] == "not_activated"
    assert got.loc["c", "status"] == "not_activated" and np.isnan(got.loc["c", "first_day"])
    assert got.loc["d", "activation_day"] == 1
    assert got.loc["e", "status"] == "pending" and got.loc["e", "observed_days"] == 60
    assert got.loc["g", "first_day"] == 152 and got.loc["g", "status"] == "not_activated"


def test_window_one_day_longer_activates_day_w(hand_ws):
    rule = ActivationRule(window_days=91)
    frame, _ = act.account_activation(hand_ws, rule, as_of=AS_OF)
    assert frame.set_index("account_id").loc["b", "activation_day"] == 90


def test_shares_censoring_and_later(hand_ws):
    frame, _ = act.account_activation(hand_ws, DEFAULT_RULE, as_of=AS_OF)
    figures = act.shares(frame, 90)
    assert figures["observed_30_days"] == 6 and figures["observed_60_days"] == 6  # e observed exactly 60 days
    assert figures["observed_90_days"] == 5  # e is censored at 90 days
    assert figures["activated_within_30_days"] == pytest.approx(1 / 6)  # d only
    assert figures["activated_within_90_days"] == pytest.approx(2 / 5)  # a and d
    assert figures["median_days_to_activation"] == pytest.approx(45.0)  # days 1 and 89
    later = act.later_activation(frame, 90)
    assert (later.not_activated, later.activated_later) == (3, 2)  # b, c, g; b (day 90) and g (day 152)
    assert "2 activated later" in later.statement


def test_quarter_cohort_rows_blank_when_not_observed(hand_ws):
    frame, _ = act.account_activation(hand_ws, DEFAULT_RULE, as_of=AS_OF)
    rows = act.by_cohort(frame, 90, grain="quarter").set_index("cohort")
    assert list(rows.index) == ["2024-Q1", "2025-Q4"]
    assert rows.loc["2025-Q4", "observed_90_days"] == 0 and np.isnan(rows.loc["2025-Q4", "activated_within_90_days"])
    assert rows.loc["2025-Q4", "activated_within_60_days"] == 0.0
    by_segment = act.by_cohort(frame, 90, grain="month", by_segment=True)
    assert set(by_segment["segment"]) == {"SMB", "ENT"}
    assert by_segment["accounts"].sum() == len(frame)


@pytest.mark.parametrize("rule", [
    DEFAULT_RULE,
    ActivationRule(metric="login", kind="sum", threshold=2, window_days=60),
    ActivationRule(kind="users", threshold=2, window_days=30),
    ActivationRule(metric="report", kind="active_days", threshold=1, window_days=90),
])
def test_hand_built_matches_reference(hand_ws, rule):
    frame, _ = act.account_activation(hand_ws, rule, as_of=AS_OF)
    expected = ref.activation(USAGE, ref.starts_from_contracts(CONTRACTS, AS_OF), AS_OF, rule.metric, rule.kind,
                              rule.threshold, rule.window_days)
    pd.testing.assert_frame_equal(frame[expected.columns].reset_index(drop=True), expected, check_dtype=False)


def test_usage_only_workspace_starts_on_first_usage_day(tmp_path):
    usage = USAGE[USAGE["value"] >= 0]
    ws = build_workspace(tmp_path / "u.duckdb", usage=usage)
    try:
        frame, starts = act.account_activation(ws, DEFAULT_RULE, as_of=AS_OF)
        assert starts.basis == "usage"
        expected = ref.activation(usage, ref.starts_from_usage(usage, AS_OF), AS_OF, "any", "active_days", 2, 90)
        pd.testing.assert_frame_equal(frame[expected.columns].reset_index(drop=True), expected, check_dtype=False)
        assert frame.set_index("account_id").loc["g", "start_date"] == dt.date(2024, 1, 11)  # zero-value row skipped
    finally:
        close_workspace(ws.path)


def test_curve_is_cumulative_among_accounts_observed_for_the_window(hand_ws):
    frame, _ = act.account_activation(hand_ws, DEFAULT_RULE, as_of=AS_OF)
    curve = act.activation_curve(frame, 90)
    assert len(curve) == 90 and (curve["accounts"] == 5).all()
    assert curve.set_index("day").loc[0, "activated"] == 0
    assert curve.set_index("day").loc[1, "activated"] == 1 and curve.set_index("day").loc[89, "activated"] == 2
    assert curve["share"].is_monotonic_increasing


def test_usage_only_twelve_month_retention_is_activity_in_month_twelve(tmp_path):
    from cs_analytics.onboarding.outcomes import retention_curves, retained_by_month, twelve_month_retention

    usage = pd.DataFrame([
        ("x", "2023-01-05", "buy", 5.0, None), ("x", "2024-01-20", "buy", 5.0, None),  # active in month 12
        ("y", "2023-01-10", "buy", 5.0, None), ("y", "2023-12-20", "buy", 5.0, None),  # month 11 only
        ("z", "2024-06-01", "buy", 5.0, None), ("z", "2024-12-31", "buy", 1.0, None),  # 12 months not observed
    ], columns=["account_id", "event_date", "metric", "value", "user_id"])
    ws = build_workspace(tmp_path / "u12.duckdb", usage=usage)
    try:
        starts = act.account_starts(ws)
        assert starts.basis == "usage" and starts.win.last_month == dt.date(2024, 12, 1)
        got = twelve_month_retention(ws, starts).set_index("account_id")["retained_12m"].to_dict()
        assert got == {"x": True, "y": False}
        frame, _ = act.account_activation(ws, DEFAULT_RULE)
        curves = retention_curves(retained_by_month(ws, starts), frame).set_index(["group", "month_since_start"])
        assert curves.loc[("not_activated", 12), "retained"] == 1  # x: one purchase day within 90 days
        assert curves.loc[("not_activated", 12), "accounts"] == 2
    finally:
        close_workspace(ws.path)
