"""The activation finder on the 1,200-account demo: it recovers the planted onboarding signal
(docs/demo.md, onboarding_failure), validates on later cohorts, and is fast enough for a page."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from cs_analytics.onboarding import activation as act
from cs_analytics.onboarding import finder as fd
from cs_analytics.onboarding.outcomes import twelve_month_retention
from cs_analytics.onboarding.rule import DEFAULT_RULE, ActivationRule

PAGE_SECONDS = 15  # measured about 0.5 s warm, 1.6 s cold on the shared 2-core machine; < 5 s is the goal


def test_finder_recovers_the_planted_onboarding_failures(demo_ws):
    started = time.perf_counter()
    result = fd.find_activation_rule(demo_ws, DEFAULT_RULE)
    elapsed = time.perf_counter() - started
    assert elapsed < PAGE_SECONDS
    assert result.winner is not None and result.holds
    assert result.fit_cohorts[1] < result.validate_cohorts[0]  # fitted on earlier, validated on later starts

    truth = demo_ws.query("SELECT account_id, planted_case FROM demo_truth").set_index("account_id")["planted_case"]
    starts = act.account_starts(demo_ws)
    observed = twelve_month_retention(demo_ws, starts)["account_id"]
    winner = act.classify(starts.frame, act.first_days(demo_ws, starts, result.winner), result.winner.window_days,
                          starts.win.as_of).set_index("account_id").loc[observed]
    planted = winner.index.map(truth) == "onboarding_failure"
    not_activated = (winner["status"] == "not_activated").to_numpy()
    base_rate = planted.mean()
    planted_share = planted[not_activated].mean()
    # The planted accounts are the largest group among the winner's not activated accounts, at >= 3x
    # their share of all accounts, and the winner's window covers the planted 90 days (>= 60).
    assert planted_share >= 3 * base_rate and planted_share >= 0.4
    assert result.winner.window_days >= 60
    others = pd.Series(winner.index.map(truth))[not_activated].value_counts()
    assert others.index[0] == "onboarding_failure"
    assert result.winner_row["fit_separation"] >= result.default_row["fit_separation"]


def test_separation_matches_a_direct_count():
    active = np.array([[True, True, False, False, True, False]])
    retained = np.array([True, False, False, False, True, True])
    scores = fd.separation(active, retained)
    assert scores["activated"][0] == 3 and scores["not_activated"][0] == 3
    assert scores["separation"][0] == np.float64(2 / 3 - 1 / 3)
    assert 0 < scores["p_value"][0] < 1


def test_split_keeps_months_whole_and_orders_them():
    dates = pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-01", "2024-03-03", "2024-03-09", "2024-04-01"]).date
    outcome = pd.DataFrame({"account_id": list("abcdef"), "start_date": dates, "retained_12m": [True] * 6})
    fit, validate = fd.split_by_start(outcome)
    assert list(fit["account_id"]) == ["a", "b", "c"] and list(validate["account_id"]) == ["d", "e", "f"]


def test_too_few_observed_accounts_gives_a_sentence(tmp_workspace):
    result = fd.find_activation_rule(tmp_workspace, ActivationRule())
    assert result.winner is None and "at least" in result.note
