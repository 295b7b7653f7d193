"""Likelihood to renew: a calibrated model fitted on past renewals (metrics.md, Renewals).

- Observations: every past renewal (outcome known) seen at several leads before its due date
  (LEADS_DAYS); the snapshot T is the last month-end on or before due - lead, and the account must
  be a customer on T (health.scoring.score_snapshots). Outcome: renewed (renewals.records).
- Features: the health score and band on T, every measure's normalised score on T (missing: the
  training median), the first-year flag, the segment, and the horizon T -> due date in days.
- Model: standardised logistic regression calibrated by scikit-learn's CalibratedClassifierCV
  (isotonic with at least ISOTONIC_MIN_ROWS observations, else sigmoid; 3 folds).
- Check: fitted on the renewals due before the cut (the latest ~30% of due dates held out, and
  only renewals whose outcome was known by the cut), scored on the held-out ones at the 90-day
  lead: the reliability curve (bins of 0.1 with counts) and the Brier score.
- Upcoming renewals are scored on the as-of, with the horizon as-of -> due date; the model used
  is refitted on every past renewal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.dates import add_months, month_end
from cs_analytics.core.formatting import count_noun
from cs_analytics.health.bands import BANDS
from cs_analytics.health.scorecard import Scorecard
from cs_analytics.health.scoring import score_snapshots

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

LEADS_DAYS = (30, config.RENEWAL_FEATURE_LEAD_DAYS, 180)
HOLDOUT_FRACTION = 0.3
ISOTONIC_MIN_ROWS = 1000
RELIABILITY_BIN_WIDTH = 0.1


def snapshot_before(day: dt.date, lead_days: int) -> dt.date:
    """The last month-end on or before day - lead_days."""
    target = day - dt.timedelta(days=int(lead_days))
    return target if target == month_end(target) else month_end(add_months(target.replace(day=1), -1))


def measure_columns(scores: pd.DataFrame) -> list[str]:
    """The normalised measure score columns (`<measure>_score`) of a score_snapshots frame."""
    return sorted(c for c in scores.columns if c.endswith("_score") and c != "score")


def observations(ws: "Workspace", frame: pd.DataFrame, scorecard: Scorecard,
                 leads_days=LEADS_DAYS) -> pd.DataFrame:
    """The renewals of `frame` seen at each lead: frame's columns plus lead_days, snapshot,
    horizon_days, score, band and the measure scores (renewals not a customer on T dropped)."""
    if frame.empty:
        return frame.assign(lead_days=[], snapshot=[], horizon_days=[], score=[], band=[])
    seen = pd.concat([frame.assign(lead_days=lead, snapshot=[snapshot_before(d, lead) for d in frame["due_date"]])
                      for lead in leads_days], ignore_index=True)
    scores = score_snapshots(ws, sorted(set(seen["snapshot"])), scorecard)
    keep = ["as_of", "account_id", "score", "band", *measure_columns(scores)]
    out = seen.merge(scores[keep].rename(columns={"as_of": "snapshot"}), on=["snapshot", "account_id"])
    out["horizon_days"] = [(d - t).days for d, t in zip(out["due_date"], out["snapshot"])]
    return out.reset_index(drop=True)


def design(rows: pd.DataFrame, measures: list[str], segments: list[str]) -> np.ndarray:
    """The feature matrix: score, band (green, yellow), measure scores, first-year, segments, horizon."""
    parts = [rows["score"].astype(float).to_numpy()[:, None]]
    parts += [(rows["band"] == band).to_numpy(dtype=float)[:, None] for band in BANDS[:2]]
    for name in measures:
        column = rows[name] if name in rows else pd.Series(np.nan, index=rows.index)
        parts.append(column.astype(float).to_numpy()[:, None])
    parts.append(rows["first_year"].astype(float).to_numpy()[:, None])
    parts += [(rows["segment"] == s).to_numpy(dtype=float)[:, None] for s in segments]
    parts.append(rows["horizon_days"].astype(float).to_numpy()[:, None])
    return np.hstack(parts)


@dataclass
class RenewalModel:
    """A fitted likelihood model, or the reason there is none (`problem`)."""

    measures: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    estimator: object = None
    problem: str | None = None
    training_renewals: int = 0
    training_lost: int = 0

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        """Probability of renewal per row (NaN for every row without a model)."""
        if self.estimator is None or rows.empty:
            return np.full(len(rows), np.nan)
        return self.estimator.predict_proba(design(rows, self.measures, self.segments))[:, 1]


def too_few(renewals_count: int, lost: int) -> str | None:
    """Why a model cannot be fitted on this many past renewals, or None."""
    if renewals_count < config.MIN_PAST_RENEWALS or lost < config.MIN_LOST_RENEWALS:
        return (f"Too few past renewals to estimate a likelihood: {count_noun(renewals_count, 'renewal')} "
                f"with a known outcome, {lost} not renewed (at least {config.MIN_PAST_RENEWALS}, "
                f"{config.MIN_LOST_RENEWALS} of them not renewed, are needed).")
    if renewals_count - lost < config.MIN_RENEWED_RENEWALS:
        return (f"Too few renewed past renewals to estimate a likelihood: "
                f"{count_noun(renewals_count - lost, 'renewal')} renewed out of {renewals_count} "
                f"(at least {config.MIN_RENEWED_RENEWALS} are needed).")
    return None


def fit_model(rows: pd.DataFrame) -> RenewalModel:
    """Fit the calibrated model on observation rows (observations() of past renewals)."""
    renewals_count = int(rows[["account_id", "due_date"]].drop_duplicates().shape[0]) if len(rows) else 0
    lost = int(rows.loc[~rows["renewed"].astype(bool), ["account_id", "due_date"]].drop_duplicates().shape[0]) \
        if len(rows) else 0
    model = RenewalModel(training_renewals=renewals_count, training_lost=lost)
    model.problem = too_few(renewals_count, lost)
    if model.problem:
        return model
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model.measures = measure_columns(rows)
    model.segments = sorted(rows["segment"].dropna().unique())
    base = make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(),
                         LogisticRegression(max_iter=1000))
    method = "isotonic" if len(rows) >= ISOTONIC_MIN_ROWS else "sigmoid"
    calibrated = CalibratedClassifierCV(base, method=method, cv=3)
    x = design(rows, model.measures, model.segments)
    try:
        model.estimator = calibrated.fit(x, rows["renewed"].astype(int).to_numpy())
    except ValueError as exc:  # e.g. a calibration fold left with one outcome: an empty state, not a crash
        model.problem = ("The renewal likelihood could not be estimated on these past renewals "
                         f"({str(exc).splitlines()[0]}).")
    return model


def reliability(likelihood: pd.Series, renewed: pd.Series) -> pd.DataFrame:
    """Reliability curve: bins of RELIABILITY_BIN_WIDTH of the predicted likelihood with
    n, mean_likelihood and renewal_rate (bins without renewals left out)."""
    p = likelihood.astype(float).to_numpy()
    y = renewed.astype(float).to_numpy()
    edges = np.arange(0.0, 1.0 + RELIABILITY_BIN_WIDTH / 2, RELIABILITY_BIN_WIDTH)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, len(edges) - 2)
    rows = []
    for i in range(len(edges) - 1):
        inside = index == i
        if inside.any():
            rows.append({"bin": f"{edges[i]:.1f}-{edges[i + 1]:.1f}", "n": int(inside.sum()),
                         "mean_likelihood": float(p[inside].mean()), "renewal_rate": float(y[inside].mean())})
    return pd.DataFrame(rows, columns=["bin", "n", "mean_likelihood", "renewal_rate"])


def brier(probability, outcome) -> float | None:
    """Mean of (probability - outcome)^2 (None for no rows)."""
    p = np.asarray(probability, dtype=float)
    y = np.asarray(outcome, dtype=float)
    return float(np.mean((p - y) ** 2)) if len(p) else None


@dataclass
class Backtest:
    """The held-out check of the likelihood model: predictions at the 90-day lead on the later
    due dates, by a model fitted on the earlier ones (see the module docstring)."""

    cut_date: dt.date | None
    held_out: pd.DataFrame  # account_id, due_date, likelihood, renewed
    curve: pd.DataFrame
    brier_score: float | None
    problem: str | None


def backtest(rows: pd.DataFrame) -> Backtest:
    """Fit on the renewals known before the cut, check on the later due dates (90-day lead)."""
    empty = pd.DataFrame(columns=["account_id", "due_date", "likelihood", "renewed"])
    if rows.empty:
        return Backtest(None, empty, reliability(pd.Series(dtype=float), pd.Series(dtype=float)), None,
                        too_few(0, 0))
    dues = sorted(set(rows["due_date"]))
    cut = dues[int(len(dues) * (1 - HOLDOUT_FRACTION))]
    known_by_cut = [month_end(m) < cut for m in rows["outcome_month"]]
    model = fit_model(rows[known_by_cut])
    held = rows[(rows["due_date"] >= cut) & (rows["lead_days"] == config.RENEWAL_FEATURE_LEAD_DAYS)]
    if model.problem or held.empty:
        return Backtest(cut, empty, reliability(pd.Series(dtype=float), pd.Series(dtype=float)), None,
                        model.problem or "No renewal is due after the cut date to check the model on.")
    held = held.assign(likelihood=model.predict(held))[["account_id", "due_date", "likelihood", "renewed"]]
    held = held.reset_index(drop=True)
    return Backtest(cut, held, reliability(held["likelihood"], held["renewed"]),
                    brier(held["likelihood"], held["renewed"].astype(float)), None)
