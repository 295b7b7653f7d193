"""The activation finder on the 1,200-account demo: it recovers the planted onboarding signal
(docs/demo.md, Onboarding signal), validates on later cohorts, and is fast enough for a page."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from cs_analytics.demo.onboarding import SIGNAL_DAYS, SIGNAL_METRIC, SIGNAL_REPORTS
from cs_analytics.onboarding import activation as act
from cs_analytics.onboarding import finder as fd
from cs_analytics.onboarding.outcomes import twelve_month_retention
from cs_analytics.onboarding.rule import DEFAULT_RULE, ActivationRule

PAGE_SECONDS = 15  # measured about 0.5 s warm, 1.6 s cold on the shared 2-core machine; < 5 s is the goal


def test_finder_recovers_the_planted_onboarding_signal(demo_ws):
    """docs/demo.md, Onboarding signal: retained accounts create reports in their first 30 days,
    accounts that churn within their first year do not (demo/onboarding.py)."""
    started = time.perf_counter()
    result = fd.find_activation_rule(demo_ws, DEFAULT_RULE)
    elapsed = time.perf_counter() - started
    assert elapsed < PAGE_SECONDS
    assert result.winner is not None and result.holds
    assert result.fit_cohorts[1] < result.validate_cohorts[0]  # fitted on earlier, validated on later starts
    assert result.winner.metric == SIGNAL_METRIC and result.winner.window_days == SIGNAL_DAYS
    assert result.winner.threshold <= SIGNAL_REPORTS
    assert result.winner_row["fit_separation"] >= 0.6 and result.winner_row["validate_separation"] >= 0.5
    assert result.winner_row["fit_separation"] >= result.default_row["fit_separation"] + 0.1

    # Independent reference: report_created rows in days 0..29 since the start month, straight from usage.
    starts = act.account_starts(demo_ws)
    outcome = twelve_month_retention(demo_ws, starts).set_index("account_id")
    usage = demo_ws.query("SELECT account_id, event_date, value FROM usage WHERE metric = 'report_created'")
    start = usage["account_id"].map(starts.frame.set_index("account_id")["start_date"])
    since = (pd.to_datetime(usage["event_date"]) - pd.to_datetime(start)).dt.days
    early = usage[(since >= 0) & (since < SIGNAL_DAYS)].groupby("account_id")["value"].sum()
    early = early.reindex(outcome.index, fill_value=0)
    churned = ~outcome["retained_12m"]
    assert ((early >= SIGNAL_REPORTS) | churned).mean() >= 0.85  # retained: >= 3 reports (90% planted)
    assert (early[churned] == 0).mean() >= 0.85                   # churned in year one: none (90% planted)

    winner = act.classify(starts.frame, act.first_days(demo_ws, starts, result.winner), result.winner.window_days,
                          starts.win.as_of).set_index("account_id").loc[outcome.index]
    not_activated = winner["status"] == "not_activated"
    # The planted churners dominate the winner's not-activated group and nearly all of them are in it.
    assert churned[not_activated].mean() >= max(0.6, 3 * churned.mean())
    assert not_activated[churned].mean() >= 0.8


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
