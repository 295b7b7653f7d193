"""Daily product usage of the demo accounts, generated for all accounts at once with numpy.

Per account and day, each of the account's users is active with probability
    p = p_user * exp(0.6 * s_usage(month)) * weekday * onboarding ramp * spike * weekly noise
(0 outside the account's customer spans). Each active user-day yields a `login` row and, with
probabilities scaled by the account's feature breadth, `dashboard_viewed`, `report_created`,
`export` and (API-integrated accounts) `api_call` rows. One row = account x day x user x metric,
only when active, with the count in `value`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from cs_analytics.demo.model import (GREEN_BUT_FAILING, N_DAYS, ONBOARDING_DAYS, SPIKE, START, Account,
                                     month_index)

METRICS = ("login", "dashboard_viewed", "report_created", "export", "api_call")
# (metric, probability per active user-day at full breadth, mean extra count)
FEATURE_METRICS = (("dashboard_viewed", 0.6, 2.5), ("report_created", 0.3, 0.8), ("export", 0.12, 0.5))
API_PROBABILITY, API_MEAN = 0.25, 12.0
WEEKEND_FACTOR = 0.12
SPIKE_DAYS = 60
SPIKE_FACTOR = 3.0
AFTER_SPIKE_FACTOR = 0.8         # the 60 days after a planted spike's contract end: a lull
ACTIVATION_RAMP_DAYS = 45
UNACTIVATED_FACTOR = 0.08
SUCCESS_COUPLING = 0.6           # usage ~ exp(0.6 * latent success)
DISENGAGE_SHARE = 0.65           # share of ordinary churns preceded by fading usage
DISENGAGE_DAYS = 90
DISENGAGE_FLOOR = 0.35           # usage factor on the last day before such a churn


def day_months() -> np.ndarray:
    return np.array([month_index(d) for d in range(N_DAYS)])


def activity_probability(rng: np.random.Generator, accounts: list[Account]) -> np.ndarray:
    """Per-user probability of activity, accounts x days (0 when not a customer)."""
    n = len(accounts)
    days = np.arange(N_DAYS)
    months = day_months()
    weekday = (START.weekday() + days) % 7
    week_factor = np.where(weekday >= 5, WEEKEND_FACTOR, 1.0)
    s_usage = np.nan_to_num(np.vstack([a.s_usage for a in accounts]), nan=0.0)
    p = np.array([a.p_user for a in accounts])[:, None] * np.exp(SUCCESS_COUPLING * s_usage[:, months])
    p *= week_factor[None, :]
    weeks = days // 7
    noise = rng.lognormal(0.0, 0.15, size=(n, weeks[-1] + 1))
    p *= noise[:, weeks]
    live = np.zeros((n, N_DAYS), dtype=bool)
    for i, a in enumerate(accounts):
        for first, last in a.live_spans:
            live[i, first:last + 1] = True
        since = days - a.start_day
        if a.activated:
            ramp = np.clip(0.35 + 0.65 * since / ACTIVATION_RAMP_DAYS, 0.35, 1.0)
        else:
            ramp = np.where(since < ONBOARDING_DAYS, UNACTIVATED_FACTOR, 1.0)
        p[i] *= ramp
        for end in a.churn_days:
            if a.case != GREEN_BUT_FAILING and rng.random() < DISENGAGE_SHARE:
                lo = max(end - DISENGAGE_DAYS + 1, 0)
                p[i, lo:end + 1] *= np.linspace(1.0, DISENGAGE_FLOOR, DISENGAGE_DAYS)[-(end + 1 - lo):]
        if a.case == SPIKE and a.spike_end_day is not None:
            p[i, a.spike_end_day - SPIKE_DAYS + 1:a.spike_end_day + 1] *= SPIKE_FACTOR
            p[i, a.spike_end_day + 1:a.spike_end_day + 1 + SPIKE_DAYS] *= AFTER_SPIKE_FACTOR
    p[~live] = 0.0
    return np.clip(p, 0.0, 0.9)


def generate_usage(rng: np.random.Generator, accounts: list[Account]) -> pd.DataFrame:
    """The usage frame: account_id, event_date, metric, value, user_id."""
    p = activity_probability(rng, accounts)
    seats = np.array([a.seats for a in accounts])
    k = rng.binomial(np.broadcast_to(seats[:, None], p.shape), p)
    cells = np.repeat(np.arange(k.size), k.ravel())
    acc = cells // N_DAYS
    day = cells % N_DAYS
    # Some users are power users: low user numbers are drawn more often.
    user = np.floor(seats[acc] * rng.random(cells.size) ** 1.6).astype(np.int64)
    key = np.unique(cells * 1024 + user)
    acc, day, user = key // 1024 // N_DAYS, (key // 1024) % N_DAYS, key % 1024
    m = day_months()[day]
    s_usage = np.nan_to_num(np.vstack([a.s_usage for a in accounts]), nan=0.0)[acc, m]
    breadth = np.array([a.breadth for a in accounts])[acc] * np.clip(0.75 + 0.15 * s_usage, 0.3, 1.2)
    breadth = np.minimum(breadth, 1.0)
    spike_boost = _spike_value_boost(accounts, acc, day)

    parts = [(acc, day, user, np.full(acc.size, 0), 1 + rng.poisson(0.4, acc.size))]
    for code, (metric, prob, mean) in enumerate(FEATURE_METRICS, start=1):
        hit = rng.random(acc.size) < prob * breadth
        parts.append((acc[hit], day[hit], user[hit], np.full(hit.sum(), code),
                      1 + rng.poisson(mean * spike_boost[hit])))
    integration = np.array([a.integration for a in accounts])[acc]
    hit = integration & (rng.random(acc.size) < API_PROBABILITY)
    parts.append((acc[hit], day[hit], user[hit], np.full(hit.sum(), len(FEATURE_METRICS) + 1),
                  1 + rng.poisson(API_MEAN, hit.sum())))
    acc, day, user, metric, value = (np.concatenate(x) for x in zip(*parts))
    order = np.lexsort((metric, user, day, acc))
    acc, day, user, metric, value = acc[order], day[order], user[order], metric[order], value[order]

    pair, inverse = np.unique(acc * 1024 + user, return_inverse=True)
    ids = np.array([f"{accounts[c // 1024].account_id.replace('ACC', 'u')}-{c % 1024:03d}" for c in pair],
                   dtype=object)
    account_ids = np.array([a.account_id for a in accounts], dtype=object)
    return pd.DataFrame({
        "account_id": account_ids[acc],
        "event_date": np.datetime64(START, "D") + day.astype("timedelta64[D]"),
        "metric": np.array(METRICS, dtype=object)[metric],
        "value": value.astype(float),
        "user_id": ids[inverse.ravel()],
    })


def _spike_value_boost(accounts: list[Account], acc: np.ndarray, day: np.ndarray) -> np.ndarray:
    """1.5 inside a planted spike window (users also do more per day), else 1."""
    ends = np.array([a.spike_end_day if a.case == SPIKE and a.spike_end_day is not None else -10**6
                     for a in accounts])[acc]
    inside = (day > ends - SPIKE_DAYS) & (day <= ends)
    return np.where(inside, 1.5, 1.0)
