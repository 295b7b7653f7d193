"""Honest evaluation of the fitted scorecard against the active one (metrics.md, backtest).

- Out of time ("out_of_time") when the data has at least two snapshot dates: the fitted scorecard
  is fitted on the earliest ~70% of snapshot dates and both scores are compared on the later ones.
- Stratified 5-fold cross-validation ("cv") when there is one snapshot: each row's fitted risk
  comes from the fold that did not see it; both scores are compared on every row.
- Both AUCs are read on the SAME held-out rows. Interval: 200 bootstrap resamples of accounts (all
  of an account's rows go together; rows weighted by how often their account was drawn), 95%
  percentile interval of the model AUC and of the difference model AUC - active AUC.
- Offered only when the lower bound of the difference interval is > 0; otherwise the verdict says
  plainly that the fitted score does not beat the scorecard on held-out data.
- The fitted scorecard shown (and offered) is refitted on every row: the evaluation judged the
  method, the refit uses all the evidence.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cs_analytics.health.fitted import FittedScorecard, fit_scorecard

OUT_OF_TIME, CROSS_VALIDATION = "out_of_time", "cv"
TEST_FRACTION = 0.3
FOLDS = 5
BOOTSTRAP_RESAMPLES = 200
INTERVAL_LEVEL = 0.95
MIN_HELDOUT_CHURNED = 5


@dataclass
class Evaluation:
    """The fitted scorecard judged on held-out rows, and the verdict the page shows."""

    kind: str
    train_dates: list[dt.date] = field(default_factory=list)
    test_dates: list[dt.date] = field(default_factory=list)
    heldout_rows: int = 0
    heldout_churned: int = 0
    active_auc: float | None = None
    model_auc: float | None = None
    model_auc_interval: tuple[float, float] | None = None
    difference_interval: tuple[float, float] | None = None
    offered: bool = False
    verdict: str = ""
    fitted: FittedScorecard | None = None  # refitted on every row; offered only when `offered`


def evaluate_fitted(data: pd.DataFrame, names: list[str], dates: list[dt.date],
                    resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0) -> Evaluation:
    """Evaluate the fitted scorecard on `data` (as_of, account_id, churned 0/1, score of the active
    scorecard, and one raw column per measure in `names`); module docstring."""
    kind = OUT_OF_TIME if len(dates) >= 2 else CROSS_VALIDATION
    result = Evaluation(kind=kind)
    result.fitted = fit_scorecard(data[names], data["churned"].to_numpy(), names)
    if not result.fitted.measures:
        result.verdict = ("No fitted scorecard: no measure's bins separate churned from retained accounts "
                          "(information value below 0.02 for every measure).")
        return result
    if kind == OUT_OF_TIME:
        heldout, model_risk = _out_of_time(result, data, names, dates)
    else:
        heldout, model_risk = data, _cross_validated_risk(data, names, seed)
    if model_risk is not None:  # the same rows for both scores: those the fitted score can score
        known = ~np.isnan(model_risk) & heldout["score"].notna().to_numpy()
        heldout, model_risk = heldout[known].reset_index(drop=True), model_risk[known]
    y = heldout["churned"].to_numpy(dtype=int)
    result.heldout_rows, result.heldout_churned = len(heldout), int(y.sum())
    if len(np.unique(y)) < 2 or model_risk is None:
        result.verdict = _not_judged(kind)
        return result
    active_risk = 100.0 - heldout["score"].to_numpy(dtype=float)
    result.active_auc, result.model_auc = auc(y, active_risk), auc(y, model_risk)
    accounts = pd.factorize(heldout["account_id"])[0]
    result.model_auc_interval, result.difference_interval = _bootstrap(y, model_risk, active_risk, accounts,
                                                                       resamples, seed)
    result.offered = result.difference_interval is not None and result.difference_interval[0] > 0 \
        and result.heldout_churned >= MIN_HELDOUT_CHURNED
    result.verdict = verdict(result)
    return result


def verdict(result: Evaluation) -> str:
    """The sentence the page and the CLI show about the fitted scorecard."""
    low, high = result.difference_interval or (float("nan"), float("nan"))
    numbers = (f"AUC {result.model_auc:.3f} vs {result.active_auc:.3f}, "
               f"difference interval [{low:+.3f}, {high:+.3f}]")
    where = "on the later snapshots" if result.kind == OUT_OF_TIME else "in 5-fold cross-validation"
    if result.offered:
        return f"The fitted scorecard beats your scorecard on held-out data {where} ({numbers})."
    if result.heldout_churned < MIN_HELDOUT_CHURNED:
        return (f"Only {result.heldout_churned} churned in the held-out rows: too few to judge the fitted "
                f"score, so it is not offered ({numbers}).")
    return f"The fitted score does not beat your scorecard on held-out data {where} ({numbers})."


def _not_judged(kind: str) -> str:
    if kind == CROSS_VALIDATION:
        return (f"No fitted scorecard: {FOLDS}-fold cross-validation needs at least {FOLDS} churned and "
                f"{FOLDS} retained accounts with measure values.")
    return ("No fitted scorecard: the earlier snapshots (training) or the later ones (held out) lack "
            "churned or retained accounts with measure values.")


def auc(y: np.ndarray, risk: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """ROC AUC of `risk` for `y` over the rows where risk is known; None with one class only."""
    from sklearn.metrics import roc_auc_score

    mask = ~np.isnan(risk)
    if weights is not None:
        mask &= weights > 0
    if len(np.unique(y[mask])) < 2:
        return None
    return float(roc_auc_score(y[mask], risk[mask], sample_weight=None if weights is None else weights[mask]))


def _out_of_time(result: Evaluation, data: pd.DataFrame, names: list[str], dates: list[dt.date]):
    """Fit on the earliest ~70% of snapshot dates; the later rows and their fitted risk."""
    n_test = max(1, int(round(len(dates) * TEST_FRACTION)))
    result.train_dates, result.test_dates = list(dates[:-n_test]), list(dates[-n_test:])
    train = data[data["as_of"].isin(result.train_dates)]
    test = data[data["as_of"].isin(result.test_dates)].reset_index(drop=True)
    if train["churned"].nunique() < 2:
        return test, None
    fitted = fit_scorecard(train[names], train["churned"].to_numpy(), names)
    return test, fitted.risk(test[names]) if fitted.measures else None


def _cross_validated_risk(data: pd.DataFrame, names: list[str], seed: int) -> np.ndarray | None:
    """Each row's risk from the fitted scorecard of the stratified fold that left it out."""
    from sklearn.model_selection import StratifiedKFold

    y = data["churned"].to_numpy(dtype=int)
    if min(int(y.sum()), int(len(y) - y.sum())) < FOLDS:
        return None
    risk = np.full(len(data), np.nan)
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        fitted = fit_scorecard(data[names].iloc[train], y[train], names)
        if fitted.measures:
            risk[test] = fitted.risk(data[names].iloc[test])
    return risk


def weighted_auc(groups: np.ndarray, y: np.ndarray, weights: np.ndarray, n_groups: int) -> float | None:
    """ROC AUC with row weights, from `groups` = each row's rank among the distinct risk values
    (np.unique(..., return_inverse=True)): the weighted share of (churned, retained) pairs ranked
    right, ties counting half. Equal to sklearn's roc_auc_score(y, risk, sample_weight=weights);
    O(rows) per call, which keeps 200 resamples fast."""
    pos = np.bincount(groups, weights * y, minlength=n_groups)
    neg = np.bincount(groups, weights * (1 - y), minlength=n_groups)
    total_pos, total_neg = pos.sum(), neg.sum()
    if total_pos <= 0 or total_neg <= 0:
        return None
    below = np.cumsum(neg) - neg
    return float((pos * (below + 0.5 * neg)).sum() / (total_pos * total_neg))


def _bootstrap(y, model_risk, active_risk, accounts, resamples: int, seed: int):
    """95% percentile intervals of the model AUC and of model AUC - active AUC, resampling accounts."""
    rng = np.random.default_rng(seed)
    n_accounts = int(accounts.max()) + 1
    model_values, model_groups = np.unique(model_risk, return_inverse=True)
    active_values, active_groups = np.unique(active_risk, return_inverse=True)
    models, differences = [], []
    for _ in range(resamples):
        weights = np.bincount(rng.integers(0, n_accounts, n_accounts), minlength=n_accounts)[accounts].astype(float)
        model = weighted_auc(model_groups, y, weights, len(model_values))
        active = weighted_auc(active_groups, y, weights, len(active_values))
        if model is not None and active is not None:
            models.append(model)
            differences.append(model - active)
    if not differences:
        return None, None
    tail = (1.0 - INTERVAL_LEVEL) / 2 * 100
    interval = lambda v: (float(np.percentile(v, tail)), float(np.percentile(v, 100 - tail)))  # noqa: E731
    return interval(models), interval(differences)
