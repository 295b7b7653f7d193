"""Forecast renewal MRR per quarter, and the track record of calls and model on past renewals.

- Forecast renewal MRR of a quarter (renewals due in it after the as-of) = sum of likelihood x
  expiring MRR. Interval: MONTE_CARLO_DRAWS draws of one Bernoulli(likelihood) per renewal, each
  draw's renewed expiring MRR summed; the 5th and 95th percentiles (seeded: the same inputs give
  the same interval). Beside it: the target renewal rate x expiring MRR.
- Track record: on past renewals with a CSM call made before the due date, the Brier score of the
  calls (config.RENEWAL_CALL_PROBABILITY) and of the model's held-out likelihood on the same
  renewals (likelihood.backtest), with the counts.
- Past quarters' forecasts: the same forecast made with the held-out likelihoods (a model fitted
  on earlier due dates, features 90 days before) against the renewed MRR (capped at expiring).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.dates import add_months
from cs_analytics.renewals.calls import call_probability
from cs_analytics.renewals.likelihood import brier
from cs_analytics.renewals.records import quarter_of

MONTE_CARLO_DRAWS = 5000
MONTE_CARLO_SEED = 12
FORECAST_COLUMNS = ["quarter", "renewals", "expiring_mrr", "forecast_mrr", "low_mrr", "high_mrr",
                    "forecast_rate", "target_mrr"]


def quarter_end(day: dt.date) -> dt.date:
    """The last day of `day`'s quarter."""
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return add_months(first, 3) - dt.timedelta(days=1)


def forecast_horizon_end(as_of: dt.date) -> dt.date:
    """The last due date forecast: the end of the quarter after as_of's."""
    return quarter_end(quarter_end(as_of) + dt.timedelta(days=1))


def interval(likelihood: np.ndarray, expiring: np.ndarray, seed: int = MONTE_CARLO_SEED) -> tuple[float, float]:
    """(5th, 95th) percentile of the renewed expiring MRR over Bernoulli draws per renewal."""
    if len(likelihood) == 0:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    draws = rng.random((MONTE_CARLO_DRAWS, len(likelihood))) < likelihood[None, :]
    totals = draws.astype(float) @ expiring
    low, high = np.percentile(totals, [5, 95])
    return float(low), float(high)


def quarter_forecast(upcoming: pd.DataFrame, target_rate: float) -> pd.DataFrame:
    """FORECAST_COLUMNS per quarter of due date, from rows with due_date, expiring_mrr and
    likelihood (rows without a likelihood are left out)."""
    rows = []
    scored = upcoming[upcoming["likelihood"].notna()]
    for quarter in sorted({quarter_of(d) for d in scored["due_date"]}):
        group = scored[[quarter_of(d) == quarter for d in scored["due_date"]]]
        p = group["likelihood"].to_numpy(dtype=float)
        mrr = group["expiring_mrr"].to_numpy(dtype=float)
        expiring = float(mrr.sum())
        forecast = float((p * mrr).sum())
        low, high = interval(p, mrr)
        rows.append({"quarter": quarter, "renewals": len(group), "expiring_mrr": expiring,
                     "forecast_mrr": forecast, "low_mrr": low, "high_mrr": high,
                     "forecast_rate": forecast / expiring if expiring > 0 else None,
                     "target_mrr": target_rate * expiring})
    return pd.DataFrame(rows, columns=FORECAST_COLUMNS)


def scored_calls(past: pd.DataFrame, calls: pd.DataFrame, held_out: pd.DataFrame) -> pd.DataFrame:
    """Past renewals with a call made before their due date: account_id, due_date, call,
    call_probability, likelihood (held-out, may be missing), renewed."""
    made = calls[[c.date() < d for c, d in zip(calls["created_at"], calls["due_date"])]] if len(calls) else calls
    out = past[["account_id", "due_date", "renewed"]].merge(
        made[["account_id", "due_date", "call"]], on=["account_id", "due_date"])
    out = out.merge(held_out[["account_id", "due_date", "likelihood"]], on=["account_id", "due_date"], how="left")
    out["call_probability"] = [call_probability(c) for c in out["call"]]
    out["renewed"] = out["renewed"].astype(bool)
    return out[["account_id", "due_date", "call", "call_probability", "likelihood", "renewed"]]


def track_record(scored: pd.DataFrame) -> dict:
    """calls_scored, brier_calls; paired (calls with a held-out likelihood), brier_calls_paired,
    brier_model_paired. Lower Brier is better; 0.25 is a coin toss at 50%."""
    paired = scored[scored["likelihood"].notna()]
    return {
        "calls_scored": int(len(scored)),
        "brier_calls": brier(scored["call_probability"], scored["renewed"]),
        "paired": int(len(paired)),
        "brier_calls_paired": brier(paired["call_probability"], paired["renewed"]),
        "brier_model_paired": brier(paired["likelihood"], paired["renewed"]),
        "call_probabilities": dict(config.RENEWAL_CALL_PROBABILITY),
    }


PAST_FORECAST_COLUMNS = ["quarter", "renewals", "expiring_mrr", "forecast_mrr", "low_mrr", "high_mrr",
                         "renewed_mrr", "inside_interval"]


def past_quarter_forecasts(held_out: pd.DataFrame, past: pd.DataFrame) -> pd.DataFrame:
    """PAST_FORECAST_COLUMNS per quarter of due date of the held-out renewals: the forecast the
    model would have made and the MRR that renewed (min(renewal MRR, expiring MRR))."""
    rows = held_out.merge(past[["account_id", "due_date", "expiring_mrr", "renewal_mrr"]],
                          on=["account_id", "due_date"])
    out = []
    for quarter in sorted({quarter_of(d) for d in rows["due_date"]}):
        group = rows[[quarter_of(d) == quarter for d in rows["due_date"]]]
        p = group["likelihood"].to_numpy(dtype=float)
        mrr = group["expiring_mrr"].to_numpy(dtype=float)
        low, high = interval(p, mrr)
        renewed = float(np.minimum(group["renewal_mrr"].astype(float), group["expiring_mrr"]).sum())
        out.append({"quarter": quarter, "renewals": len(group), "expiring_mrr": float(mrr.sum()),
                    "forecast_mrr": float((p * mrr).sum()), "low_mrr": low, "high_mrr": high,
                    "renewed_mrr": renewed, "inside_interval": bool(low <= renewed <= high)})
    return pd.DataFrame(out, columns=PAST_FORECAST_COLUMNS)
