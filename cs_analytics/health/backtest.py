"""Does the health score predict churn? A point-in-time backtest (metrics.md, backtest).

- Snapshot dates: month-ends T with T + H days <= as_of, from the first month-end on which any
  account is a customer.
- Population at T: customers on T (health.population). Scores use only data dated <= T.
- Outcome: churned within (T, T+H] (core.outcomes, shared with the track record): the account's
  month-end MRR is 0 at some month-end in (T, T+H].
- Default score: ROC AUC of (100 - score) over all snapshots, churn rate per band with counts,
  calibration by score decile.
- Model: scikit-learn LogisticRegression on the measures' normalised scores (0-100) of every
  measure available in the workspace; missing values imputed with the training median; features
  standardised. Time-based split: the earliest ~70% of snapshot dates train, the later ones test.
  model_auc and test_auc (the default score on the same test snapshots) are comparable.
- Suggested weights: a linear score sum w_j s_j ranks like the model when w_j is proportional to
  -coef_j / sd_j (coef_j: standardised coefficient on churn; sd_j: training sd of s_j). Only
  measures whose contribution is in the score's direction (w_j > 0) and whose permutation
  importance on the test snapshots (sklearn.inspection.permutation_importance, ROC AUC) is > 0 keep
  a weight; weights are normalised to 100. They are a suggestion, never applied automatically.
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
from cs_analytics.core.outcomes import churn_outcomes
from cs_analytics.core.snapshots import month_end_snapshots
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.bands import BANDS
from cs_analytics.health.scorecard import Scorecard, active_scorecard
from cs_analytics.health.scoring import score_frame

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

# scikit-learn is imported inside the functions that fit or score a model: importing it takes about a
# second, which every page and CLI command that never runs a backtest would otherwise pay.
TEST_FRACTION = 0.3
MIN_CHURN_EVENTS = 10
MIN_TEST_CHURN_EVENTS = 5
PERMUTATION_REPEATS = 5

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
    auc: float | None = None  # default score, all snapshots
    test_auc: float | None = None  # default score, test snapshots only
    model_auc: float | None = None  # model, test snapshots
    suggested_auc: float | None = None  # score with the suggested weights, test snapshots
    per_band: pd.DataFrame = field(default_factory=pd.DataFrame)
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    model_calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    suggested_weights: dict[str, float] | None = None
    current_weights: dict[str, float] = field(default_factory=dict)
    too_small: str | None = None
    data: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def to_dict(self) -> dict:
        """JSON-ready summary (the CLI's `backtest` output)."""
        def rnd(x):
            return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), 4)

        per_band = {
            r.band: {"accounts": int(r.accounts), "churned": int(r.churned), "churn_rate": rnd(r.churn_rate)}
            for r in self.per_band.itertuples()
        } if not self.per_band.empty else {}
        return {
            "auc": rnd(self.auc),
            "model_auc": rnd(self.model_auc),
            "test_auc": rnd(self.test_auc),
            "suggested_auc": rnd(self.suggested_auc),
            "per_band": per_band,
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
    """Month-ends T with T + horizon_days <= as_of, from the first contract's month on."""
    first = ws.scalar("SELECT min(start_date) FROM contracts")
    return month_end_snapshots(first, resolve_as_of(ws, as_of), horizon_days)


def _auc(y: np.ndarray, risk: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    mask = ~np.isnan(risk)
    y, risk = y[mask], risk[mask]
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, risk))


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


def _weighted_score(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    present = ~np.isnan(scores)
    w = np.where(present, weights, 0.0)
    tot = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, (w * np.nan_to_num(scores)).sum(axis=1) / tot, np.nan)


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
    dates = snapshot_dates(ws, horizon_days, day)
    result.snapshot_dates = dates
    if not dates:
        result.too_small = (
            f"The data is too short: a backtest needs at least one month-end T with T + {horizon_days} "
            f"days on or before as_of ({day or 'no data'})."
        )
        return result
    progress(0.05, f"Scoring {len(dates)} snapshots")
    data, unavailable = _observations(ws, dates, horizon_days, scorecard, account_filter, progress)
    result.data = data
    result.observations, result.accounts = len(data), int(data["account_id"].nunique())
    result.churned = int(data["churned"].sum())
    if data.empty:
        result.too_small = "No scored customers on any snapshot date."
        return result
    result.auc = _auc(data["churned"].to_numpy(), 100.0 - data["score"].to_numpy(dtype=float))
    result.per_band = per_band_table(data)
    result.calibration = calibration_table(data["score"], data["churned"])
    if result.auc is None:
        result.too_small = (
            f"No account churned within {horizon_days} days of any snapshot (or every one did), "
            "so the score cannot be checked against churn."
        )
        return result
    problems: list[str] = []
    if result.churned < MIN_CHURN_EVENTS:
        problems.append(f"Only {count_noun(result.churned, 'churn event')}: too few to judge (at least {MIN_CHURN_EVENTS} needed).")
    progress(0.6, "Fitting the model")
    _fit_model(result, data, dates, scorecard, unavailable, problems, progress)
    result.too_small = " ".join(problems) or None
    progress(1.0, "Done")
    return result


def _observations(ws: "Workspace", dates: list[dt.date], horizon_days: int, scorecard: Scorecard,
                  account_filter: AccountFilter, progress: Progress) -> tuple[pd.DataFrame, dict]:
    """Scored customers in the filter on each snapshot date with their outcome (churned 0/1), and
    the measures unavailable in the workspace."""
    frame, unavailable = score_frame(ws, dates, scorecard)
    progress(0.45, "Finding churn outcomes")
    outcomes = churn_outcomes(ws, dates, horizon_days)
    data = frame.merge(outcomes[["as_of", "account_id", "churned"]], on=["as_of", "account_id"], how="inner")
    data = keep_filtered(ws, data, account_filter)
    data = data[data["score"].notna()].reset_index(drop=True)
    data["churned"] = data["churned"].astype(int)
    return data, unavailable


def _fit_model(result: BacktestResult, data: pd.DataFrame, dates: list[dt.date], scorecard: Scorecard,
               unavailable: dict, problems: list[str], progress: Progress) -> None:
    """Time split, logistic regression on the measures' scores, suggested weights (module docstring)."""
    if len(dates) < 2:
        problems.append("Only one snapshot date: the model needs at least two (train on earlier, test on later).")
        return
    train, test = _time_split(result, data, dates)
    features = [m for m in scorecard.measure_names
                if m not in unavailable and train[f"{m}_score"].notna().any()]
    if not features:
        problems.append("No measure has values in the training snapshots.")
        return
    if train["churned"].nunique() < 2 or test["churned"].nunique() < 2:
        problems.append("The training or test snapshots lack churned or retained accounts; no model was fitted.")
        return
    if result.test_churned < MIN_TEST_CHURN_EVENTS:
        problems.append(f"Only {count_noun(result.test_churned, 'churn event')} in the test snapshots: the model's AUC is unreliable.")
    cols = [f"{m}_score" for m in features]
    x_test, y_test = test[cols].to_numpy(dtype=float), test["churned"].to_numpy()
    model = _fitted_model(train[cols].to_numpy(dtype=float), train["churned"].to_numpy())
    risk = model.predict_proba(x_test)[:, 1]
    result.model_auc = _auc(y_test, risk)
    result.model_calibration = calibration_table(pd.Series(100 * (1 - risk)), test["churned"])
    progress(0.8, "Permutation importances")
    _suggest_weights(result, model, features, x_test, y_test, problems)


def _time_split(result: BacktestResult, data: pd.DataFrame, dates: list[dt.date]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The earliest ~70% of snapshot dates train, the later ones test; the test's default-score AUC."""
    n_test = max(1, int(round(len(dates) * TEST_FRACTION)))
    result.train_dates, result.test_dates = dates[:-n_test], dates[-n_test:]
    train = data[data["as_of"].isin(result.train_dates)]
    test = data[data["as_of"].isin(result.test_dates)]
    result.train_observations, result.test_observations = len(train), len(test)
    result.test_churned = int(test["churned"].sum())
    result.test_auc = _auc(test["churned"].to_numpy(), 100.0 - test["score"].to_numpy(dtype=float))
    return train, test


def _fitted_model(x_train: np.ndarray, y_train: np.ndarray):
    """Median imputation, standardisation, logistic regression on churn."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000))
    return model.fit(x_train, y_train)


def _suggest_weights(result: BacktestResult, model, features: list[str], x_test: np.ndarray,
                     y_test: np.ndarray, problems: list[str]) -> None:
    """w_j proportional to -coef_j / sd_j for measures in the score's direction with a positive
    permutation importance on the test snapshots, normalised to 100."""
    from sklearn.inspection import permutation_importance

    imp = permutation_importance(model, x_test, y_test, scoring="roc_auc",
                                 n_repeats=PERMUTATION_REPEATS, random_state=0)
    coef = model[-1].coef_[0]
    sd = model[1].scale_
    beta = -coef / np.where(sd > 0, sd, 1.0)  # per score point, in the score's direction
    raw = np.where((beta > 0) & (imp.importances_mean > 0), beta, 0.0)
    result.measures = pd.DataFrame({
        "measure": features,
        "coefficient": coef,
        "permutation_importance": imp.importances_mean,
        "importance_std": imp.importances_std,
        "current_weight": [result.current_weights.get(m, 0.0) for m in features],
    })
    if raw.sum() > 0:
        suggested = raw * 100.0 / raw.sum()
        result.suggested_weights = {m: float(w) for m, w in zip(features, suggested)}
        result.measures["suggested_weight"] = suggested
        result.suggested_auc = _auc(y_test, 100.0 - _weighted_score(x_test, suggested))
    else:
        result.measures["suggested_weight"] = 0.0
        problems.append("No measure contributes in the score's direction on held-out data; no weights suggested.")


def apply_suggested_weights(scorecard: Scorecard, weights: dict[str, float]) -> Scorecard:
    """A copy of `scorecard` with the suggested weights (measures without one are turned off)."""
    out = scorecard.copy()
    out.version = 0
    for m in out.measures:
        w = float(weights.get(m.name, 0.0))
        m.weight = round(w, 1)
        m.enabled = w > 0
    return out
