"""A renewal history with one outcome only (every past contract ended, as in a workspace whose
contracts never renew) gives a sentence, never a classifier error: found by the page benchmark on a
20k-account workspace, where the Renewals page raised and re-ran its 30 s fit on every visit."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cs_analytics.core import config
from cs_analytics.renewals import likelihood


def observation_rows(renewed: list[bool]) -> pd.DataFrame:
    """Observation rows as likelihood.observations() gives them: one per renewal at the 90-day lead."""
    n = len(renewed)
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "account_id": [f"A{i:04d}" for i in range(n)],
        "due_date": [dt.date(2024, 1, 1) + dt.timedelta(days=7 * i) for i in range(n)],
        "renewed": renewed, "score": rng.uniform(0, 100, n), "band": ["green"] * n,
        "usage_score": rng.uniform(0, 100, n), "first_year": [i % 2 == 0 for i in range(n)],
        "segment": ["SMB"] * n, "horizon_days": [90] * n, "lead_days": [90] * n,
        "outcome_month": [dt.date(2024, 1, 1) + dt.timedelta(days=7 * i) for i in range(n)],
    })


def test_a_history_where_nothing_renewed_gives_a_sentence():
    model = likelihood.fit_model(observation_rows([False] * 60))
    assert model.estimator is None
    assert model.problem and "renewed" in model.problem and "0 renewals renewed out of 60" in model.problem
    assert np.isnan(model.predict(observation_rows([False] * 3))).all()
    check = likelihood.backtest(observation_rows([False] * 60))
    assert check.problem and check.brier_score is None


@pytest.mark.parametrize("renewed_count", [config.MIN_RENEWED_RENEWALS - 1, config.MIN_RENEWED_RENEWALS])
def test_the_renewed_minimum_is_the_named_constant(renewed_count):
    rows = observation_rows([True] * renewed_count + [False] * 52)
    model = likelihood.fit_model(rows)
    if renewed_count < config.MIN_RENEWED_RENEWALS:
        assert model.estimator is None and "renewed" in model.problem
    else:
        assert model.problem is None and model.estimator is not None
        assert ((model.predict(rows) >= 0) & (model.predict(rows) <= 1)).all()
