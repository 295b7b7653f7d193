"""Does the health score predict churn? A point-in-time backtest (metrics.md, backtest).

- Snapshot dates and outcome (core.outcomes, shared with the track record): with contracts,
  month-ends T with T + H days <= as_of from the first contract's month, churned within (T, T+H]
  = month-end MRR is 0 at some month-end in (T, T+H]; with a churn list and no contracts, the
  same from the first data date, churn dates from the list; a churn list without such a T is one
  snapshot at as_of labelled by the list (no horizon).
- Population at T: customers on T (health.population). Scores use only data dated <= T.
- Active score: ROC AUC of (100 - score) over all snapshots, churn rate per band with counts,
  calibration by score decile, churn reasons (reason, accounts, MRR).
- Fitted scorecard (health.fitted: binned logistic regression turned into thresholds and points)
  on the raw values of every measure of the scorecard available in the workspace, evaluated out
  of time or by cross-validation with a bootstrap interval (health.evaluation); offered only when
  it beats the active score on the same held-out rows by more than the interval.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.core.formatting import count_noun
from cs_analytics.core.outcomes import churn_outcomes, outcome_plan, reason_breakdown
from cs_analytics.health.evaluation import Evaluation, auc, evaluate_fitted
from cs_analytics.health.fitted import FittedScorecard
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.bands import BANDS
from cs_analytics.health.scorecard import Scorecard, active_scorecard
from cs_analytics.health.scoring import score_frame

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

# scikit-learn is imported inside the functions that fit or score a model: importing it takes about a
# second, which every page and CLI command that never runs a backtest would otherwise pay.
MIN_CHURN_EVENTS = 10

Progress = Callable[[float, str], None]


@dataclass
class BacktestResult:
    horizon_days: int
    as_of: dt.date | None
    scorecard_version: int
    snapshot_dates: list[dt.date] = field(default_factory=list)
    train_dates: list[dt.date] = field(default_factory=list)
    test_dates: list[dt.date] = field(default_factory=list)
    observations: int = 0  # account x snapshot rows
    accounts: int = 0
    churned: int = 0
    train_observations: int = 0
    test_observations: int = 0
    test_churned: int = 0
    auc: float | None = None  # active score, all snapshots
    test_auc: float | None = None  # active score, on the held-out rows of the evaluation
    model_auc: float | None = None  # fitted scorecard, the same held-out rows
    evaluation: Evaluation | None = None
    outcome_note: str = ""
    label_only: bool = False  # one snapshot labelled by the churn list, no horizon
    per_band: pd.DataFrame = field(default_factory=pd.DataFrame)
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    reasons: pd.DataFrame = field(default_factory=pd.DataFrame)
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)  # the fitted scorecard, per measure (shown even when not offered)
    fitted_scorecard: Scorecard | None = None  # the suggestion, only when offered
    current_weights: dict[str, float] = field(default_factory=dict)
    too_small: str | None = None
    data: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def offered(self) -> bool:
        return self.fitted_scorecard is not None

    @property
    def suggested_weights(self) -> dict[str, float] | None:
        """The offered fitted scorecard's weights (None when nothing is offered)."""
        return None if self.fitted_scorecard is None else self.fitted_scorecard.normalised_weights()

    def to_dict(self) -> dict:
        """JSON-ready summary (the CLI's `backtest` output)."""
        def rnd(x):
            return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), 4)

        per_band = {
            r.band: {"accounts": int(r.accounts), "churned": int(r.churned), "churn_rate": rnd(r.churn_rate)}
            for r in self.per_band.itertuples()
        } if not self.per_band.empty else {}
        ev = self.evaluation
        interval = lambda pair: None if pair is None else [rnd(pair[0]), rnd(pair[1])]  # noqa: E731
        return {
            "auc": rnd(self.auc),
            "model_auc": rnd(self.model_auc),
            "model_auc_interval": interval(ev.model_auc_interval) if ev else None,
            "test_auc": rnd(self.test_auc),
            "auc_difference_interval": interval(ev.difference_interval) if ev else None,
            "evaluation": ev.kind if ev else None,
            "offered": self.offered,
            "verdict": ev.verdict if ev else None,
            "outcome": self.outcome_note,
            "label_only": self.label_only,
            "per_band": per_band,
            "reasons": self.reasons.to_dict(orient="records"),
            "fitted_scorecard": self.fitted_scorecard.to_dict() if self.fitted_scorecard else None,
            "suggested_weights": None if self.suggested_weights is None
            else {k: round(v, 1) for k, v in self.suggested_weights.items()},
            "current_weights": {k: round(v, 1) for k, v in self.current_weights.items()},
            "horizon_days": self.horizon_days,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "scorecard_version": self.scorecard_version,
            "snapshots": len(self.snapshot_dates),
            "first_snapshot": self.snapshot_dates[0].isoformat() if self.snapshot_dates else None,
            "last_snapshot": self.snapshot_dates[-1].isoformat() if self.snapshot_dates else None,
            "train_snapshots": len(self.train_dates),
            "test_snapshots": len(self.test_dates),
            "observations": self.observations,
            "accounts": self.accounts,
            "churned": self.churned,
            "train_observations": self.train_observations,
            "test_observations": self.test_observations,
            "test_churned": self.test_churned,
            "calibration": self.calibration.to_dict(orient="records"),
            "too_small": self.too_small,
        }


def snapshot_dates(ws: "Workspace", horizon_days: int, as_of=None) -> list[dt.date]:
    """The backtest's snapshot dates (core.outcomes.outcome_plan)."""
    return list(outcome_plan(ws, horizon_days, resolve_as_of(ws, as_of)).dates)


def per_band_table(frame: pd.DataFrame) -> pd.DataFrame:
    """band, accounts, churned, churn_rate (account x snapshot observations), green first."""
    rows = []
    for band in BANDS:
        part = frame[frame["band"] == band]
        n, c = len(part), int(part["churned"].sum())
        rows.append({"band": band, "accounts": n, "churned": c, "churn_rate": c / n if n else np.nan})
    return pd.DataFrame(rows)


def calibration_table(score: pd.Series, churned: pd.Series) -> pd.DataFrame:
    """Observations split into score deciles (1 = lowest scores): decile, score_min, score_max,
    mean_score, accounts, churned, churn_rate. Tied scores may merge deciles."""
    data = pd.DataFrame({"score": score.to_numpy(), "churned": churned.to_numpy()}).dropna()
    if data.empty:
        return pd.DataFrame(columns=["decile", "score_min", "score_max", "mean_score", "accounts", "churned", "churn_rate"])
    data["decile"] = pd.qcut(data["score"].rank(method="average"), 10, labels=False, duplicates="drop") + 1
    out = data.groupby("decile").agg(
        score_min=("score", "min"), score_max=("score", "max"), mean_score=("score", "mean"),
        accounts=("churned", "size"), churned=("churned", "sum"),
    ).reset_index()
    out["churned"] = out["churned"].astype(int)
    out["churn_rate"] = out["churned"] / out["accounts"]
    return out


def run_backtest(ws: "Workspace", horizon_days: int = config.DEFAULT_HORIZON_DAYS,
                 scorecard: Scorecard | None = None, account_filter: AccountFilter = NO_FILTER,
                 progress: Progress | None = None, as_of=None) -> BacktestResult:
    """Backtest the scorecard (default: active) against churn within `horizon_days`."""
    progress = progress or (lambda fraction, message: None)
    scorecard = scorecard or active_scorecard(ws)
    if horizon_days < 1:
        raise ValueError("The horizon must be at least 1 day.")
    day = resolve_as_of(ws, as_of)
    result = BacktestResult(horizon_days=horizon_days, as_of=day, scorecard_version=int(scorecard.version),
                            current_weights=scorecard.normalised_weights())
    plan = outcome_plan(ws, horizon_days, day)
    dates = list(plan.dates)
    result.snapshot_dates, result.label_only, result.outcome_note = dates, plan.label_only, plan.description
    if plan.source is None:
        result.too_small = plan.description
        return result
    if not dates:
        result.too_small = (
            f"The data is too short: a backtest needs at least one month-end T with T + {horizon_days} "
            f"days on or before as_of ({day or 'no data'})."
        )
        return result
    progress(0.05, f"Scoring {count_noun(len(dates), 'snapshot')}")
    data, unavailable = _observations(ws, dates, horizon_days, scorecard, account_filter, plan.label_only)
    result.data = data
    result.observations, result.accounts = len(data), int(data["account_id"].nunique())
    result.churned = int(data["churned"].sum())
    if data.empty:
        result.too_small = "No scored customers on any snapshot date."
        return result
    result.auc = auc(data["churned"].to_numpy(), 100.0 - data["score"].to_numpy(dtype=float))
    result.per_band = per_band_table(data)
    result.calibration = calibration_table(data["score"], data["churned"])
    result.reasons = reason_breakdown(data[data["churned"] == 1])
    if result.auc is None:
        what = "in the churn list" if plan.label_only else f"within {horizon_days} days of any snapshot"
        result.too_small = (f"No account churned {what} (or every one did), so the score cannot be "
                            "checked against churn.")
        return result
    problems: list[str] = []
    if result.churned < MIN_CHURN_EVENTS:
        problems.append(f"Only {count_noun(result.churned, 'churn event')}: too few to judge (at least {MIN_CHURN_EVENTS} needed).")
    progress(0.5, "Fitting and evaluating the fitted scorecard")
    _fit(result, data, dates, scorecard, unavailable, problems)
    result.too_small = " ".join(problems) or None
    progress(1.0, "Done")
    return result


def _observations(ws: "Workspace", dates: list[dt.date], horizon_days: int, scorecard: Scorecard,
                  account_filter: AccountFilter, label_only: bool) -> tuple[pd.DataFrame, dict]:
    """Scored customers in the filter on each snapshot date with their outcome (churned 0/1) and
    churn reason, and the measures unavailable in the workspace."""
    frame, unavailable = score_frame(ws, dates, scorecard)
    outcomes = churn_outcomes(ws, dates, horizon_days, label_only=label_only)
    data = frame.merge(outcomes[["as_of", "account_id", "churned", "reason"]], on=["as_of", "account_id"], how="inner")
    data = keep_filtered(ws, data, account_filter)
    data = data[data["score"].notna()].reset_index(drop=True)
    data["churned"] = data["churned"].astype(int)
    return data, unavailable


def _fit(result: BacktestResult, data: pd.DataFrame, dates: list[dt.date], scorecard: Scorecard,
         unavailable: dict, problems: list[str]) -> None:
    """The fitted scorecard on the measures' raw values, judged on held-out rows (health.evaluation)."""
    names = [m for m in scorecard.measure_names if m not in unavailable and data[f"{m}_raw"].notna().any()]
    if not names:
        problems.append("No measure has values: no fitted scorecard.")
        return
    raw = data[["as_of", "account_id", "churned", "score"]].copy()
    for name in names:
        raw[name] = data[f"{name}_raw"].astype(float)
    evaluation = evaluate_fitted(raw, names, dates)
    result.evaluation = evaluation
    result.train_dates, result.test_dates = evaluation.train_dates, evaluation.test_dates
    result.test_observations, result.test_churned = evaluation.heldout_rows, evaluation.heldout_churned
    result.train_observations = result.observations - result.test_observations if evaluation.test_dates else result.observations
    result.test_auc, result.model_auc = evaluation.active_auc, evaluation.model_auc
    if evaluation.model_auc is not None and evaluation.fitted is not None and evaluation.fitted.measures:
        result.measures = fitted_measures_table(evaluation.fitted, result.current_weights)
        if evaluation.offered:
            result.fitted_scorecard = evaluation.fitted.to_scorecard(scorecard)


def fitted_measures_table(fitted: FittedScorecard, current_weights: dict[str, float]) -> pd.DataFrame:
    """measure, direction, bins, information_value, current_weight, fitted_weight, thresholds."""
    return pd.DataFrame([{
        "measure": m.name, "direction": m.direction, "bins": len(m.bins),
        "information_value": m.information_value, "current_weight": current_weights.get(m.name, 0.0),
        "fitted_weight": m.weight, "thresholds": m.thresholds,
    } for m in fitted.measures])
