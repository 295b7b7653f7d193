"""The activation finder (metrics.md, Onboarding and activation): which rule best separates
12-month retention (onboarding/outcomes.py) between activated and not activated accounts.

Candidates: metric (each usage metric and any) x kind (KINDS) x threshold x window (WINDOWS_DAYS).
Thresholds per metric and kind are the THRESHOLD_QUANTILES of the fitting accounts' cumulative
value before day max(WINDOWS_DAYS) (0 for an account without that metric), rounded up to whole
counts (active days, users) or to 3 significant figures (sum), above 0. The cumulative facts and
the first day each candidate holds are computed in DuckDB once (sql/onboarding/); Python only
compares first days with windows.

Accounts: those whose 12-month retention is observed, sorted by start; the earlier half (whole
start months) fits, the later half validates. Separation = 12-month retention of activated minus
that of not activated accounts; a candidate counts only when both groups hold at least
max(MIN_GROUP_ACCOUNTS, MIN_GROUP_SHARE x accounts) on the fitting accounts. The winner has the
largest fitted separation (ties: the larger two-proportion z); it holds on the later cohorts when
its validated separation is at least half the fitted one with p < SIGNIFICANCE there.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.onboarding.activation import Starts, account_starts, series_params
from cs_analytics.onboarding.outcomes import twelve_month_retention
from cs_analytics.onboarding.rule import ANY_KEY, ANY_METRIC, ActivationRule

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

WINDOWS_DAYS = (7, 14, 30, 60, 90)
THRESHOLD_QUANTILES = (0.1, 0.25, 0.5, 0.75)
MIN_GROUP_ACCOUNTS = 15
MIN_GROUP_SHARE = 0.05
MIN_FIT_ACCOUNTS = 60
SIGNIFICANCE = 0.05
SCORE_COLUMNS = ["accounts", "activated", "not_activated", "retention_activated", "retention_not_activated",
                 "separation", "z", "p_value"]


@dataclass(frozen=True)
class FinderResult:
    """candidates: one row per rule (metric, kind, threshold, window_days, then SCORE_COLUMNS
    prefixed fit_ and validate_), best first; winner / default_rule: their rows (None when no
    candidate qualifies); holds: whether the winner holds on the later cohorts; fit_cohorts /
    validate_cohorts: the start months of each half; note: why nothing was found, if so."""

    candidates: pd.DataFrame
    winner: ActivationRule | None
    winner_row: dict | None
    default_row: dict | None
    holds: bool
    fit_cohorts: tuple[str, str] | None
    validate_cohorts: tuple[str, str] | None
    note: str


def find_activation_rule(ws: "Workspace", default_rule: ActivationRule, account_filter: AccountFilter = NO_FILTER,
                         as_of: dt.date | str | None = None) -> FinderResult:
    """Search the candidates (module docstring) and report the winner fitted and validated."""
    starts = account_starts(ws, account_filter, as_of)
    outcome = twelve_month_retention(ws, starts)
    if len(outcome) < 2 * MIN_FIT_ACCOUNTS:
        return _nothing(f"The finder needs at least {2 * MIN_FIT_ACCOUNTS} accounts whose 12 months after start "
                        f"are observed; this workspace has {len(outcome)}.")
    fit, validate = split_by_start(outcome)
    observed = Starts(starts.frame[starts.frame["account_id"].isin(outcome["account_id"])], starts.basis, starts.win)
    thresholds = candidate_thresholds(ws, observed, set(fit["account_id"]))
    days = candidate_first_days(ws, observed, thresholds, outcome["account_id"].tolist())
    table = score_candidates(days, outcome, fit, validate)
    default_row = _default_row(ws, observed, default_rule, outcome, fit, validate)
    fit_span, validate_span = _span(fit), _span(validate)
    if table.empty:
        return FinderResult(table, None, None, default_row, False, fit_span, validate_span,
                            "No candidate rule leaves both groups large enough to compare.")
    best = table.iloc[0].to_dict()
    winner = ActivationRule(metric=best["metric"], kind=best["kind"], threshold=float(best["threshold"]),
                            window_days=int(best["window_days"]))
    holds = bool(best["validate_separation"] >= 0.5 * best["fit_separation"]
                 and best["validate_p_value"] < SIGNIFICANCE)
    return FinderResult(table, winner, best, default_row, holds, fit_span, validate_span, "")


def _nothing(note: str) -> FinderResult:
    return FinderResult(pd.DataFrame(), None, None, None, False, None, None, note)


def _span(frame: pd.DataFrame) -> tuple[str, str]:
    return f"{min(frame['start_date']):%Y-%m}", f"{max(frame['start_date']):%Y-%m}"


def split_by_start(outcome: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Earlier and later start months, about half of the accounts each (a month is never split)."""
    months = pd.Series([s.replace(day=1) for s in outcome["start_date"]], index=outcome.index)
    counts = months.value_counts().sort_index().cumsum()
    cutoff = counts.index[counts.searchsorted(len(outcome) / 2)]
    if cutoff == counts.index[-1] and len(counts) > 1:
        cutoff = counts.index[-2]
    return outcome[months <= cutoff], outcome[months > cutoff]


def candidate_thresholds(ws: "Workspace", starts: Starts, fit_ids: set[str]) -> pd.DataFrame:
    """metric_key, kind, threshold: the quantiles of the fitting accounts' cumulative values."""
    totals = ws.query_named("onboarding/candidate_totals", series_params(starts, max(WINDOWS_DAYS)))
    totals = totals[totals["account_id"].isin(fit_ids)]
    rows = []
    for (key, kind), group in totals.groupby(["metric_key", "kind"], sort=True):
        values = np.concatenate([group["total"].to_numpy(float), np.zeros(len(fit_ids) - len(group))])
        for q in THRESHOLD_QUANTILES:
            rows.append((key, kind, _round_threshold(float(np.quantile(values, q)), kind)))
    frame = pd.DataFrame(rows, columns=["metric_key", "kind", "threshold"]).drop_duplicates()
    return frame[frame["threshold"] > 0].reset_index(drop=True)


def _round_threshold(value: float, kind: str) -> float:
    if kind != "sum":
        return float(math.ceil(value - 1e-9))
    if value <= 0:
        return 0.0
    digits = 2 - int(math.floor(math.log10(value)))
    return float(round(value, digits))


def candidate_first_days(ws: "Workspace", starts: Starts, thresholds: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """metric_key, kind, threshold, account_id, first_day (< max window) for each candidate."""
    params = {**series_params(starts, max(WINDOWS_DAYS)), "t_metric": thresholds["metric_key"].tolist(),
              "t_kind": thresholds["kind"].tolist(), "t_threshold": thresholds["threshold"].tolist()}
    days = ws.query_named("onboarding/candidate_first_days", params)
    keys = thresholds.assign(candidate=range(len(thresholds)))
    return keys.merge(days, on=["metric_key", "kind", "threshold"], how="left")


def score_candidates(days: pd.DataFrame, outcome: pd.DataFrame, fit: pd.DataFrame,
                     validate: pd.DataFrame) -> pd.DataFrame:
    """Every candidate x window scored on both halves; qualifying rows only, best first."""
    ids = outcome["account_id"].tolist()
    keys = days.drop_duplicates("candidate").set_index("candidate")[["metric_key", "kind", "threshold"]]
    wide = days.dropna(subset=["account_id"]).pivot(index="candidate", columns="account_id", values="first_day")
    first = wide.reindex(index=keys.index, columns=ids).to_numpy(float)  # NaN = never within the max window
    retained = outcome["retained_12m"].to_numpy(bool)
    halves = {"fit": outcome["account_id"].isin(fit["account_id"]).to_numpy(),
              "validate": outcome["account_id"].isin(validate["account_id"]).to_numpy()}
    parts = []
    for window_days in WINDOWS_DAYS:
        active = np.nan_to_num(first, nan=np.inf) < window_days
        part = keys.reset_index(drop=True).assign(window_days=window_days)
        for name, mask in halves.items():
            scores = separation(active[:, mask], retained[mask])
            part = part.assign(**{f"{name}_{col}": scores[col] for col in SCORE_COLUMNS})
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    floor = np.maximum(MIN_GROUP_ACCOUNTS, MIN_GROUP_SHARE * table["fit_accounts"])
    table = table[(table["fit_activated"] >= floor) & (table["fit_not_activated"] >= floor)]
    table = table.sort_values(["fit_separation", "fit_z"], ascending=False).reset_index(drop=True)
    table.insert(0, "metric", [ANY_METRIC if k == ANY_KEY else k for k in table.pop("metric_key")])
    return table


def separation(active: np.ndarray, retained: np.ndarray) -> dict[str, np.ndarray]:
    """Per row of `active` (candidates x accounts): group sizes, 12-month retention of each group,
    their difference and the two-proportion z test (pooled) with its two-sided p-value."""
    n = active.shape[1]
    n_act = active.sum(axis=1).astype(float)
    n_not = n - n_act
    r_act = (active & retained).sum(axis=1)
    r_not = (~active & retained).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_act, p_not = r_act / n_act, r_not / n_not
        pooled = (r_act + r_not) / n
        se = np.sqrt(pooled * (1 - pooled) * (1 / n_act + 1 / n_not))
        z = (p_act - p_not) / se
    return {"accounts": np.full(len(n_act), n), "activated": n_act.astype(int), "not_activated": n_not.astype(int),
            "retention_activated": p_act, "retention_not_activated": p_not, "separation": p_act - p_not,
            "z": z, "p_value": _two_sided_p(z)}


def _two_sided_p(z: np.ndarray) -> np.ndarray:
    """P(|Z| >= |z|) for a standard normal Z (NaN stays NaN)."""
    return np.array([math.erfc(abs(v) / math.sqrt(2)) if np.isfinite(v) else np.nan for v in z])


def _default_row(ws: "Workspace", starts: Starts, rule: ActivationRule, outcome: pd.DataFrame,
                 fit: pd.DataFrame, validate: pd.DataFrame) -> dict:
    """The rule in force scored the same way (its own threshold and window)."""
    from cs_analytics.onboarding.activation import first_days

    first = first_days(ws, starts, rule, rule.window_days).reindex(outcome["account_id"]).to_numpy(float)
    active = (np.nan_to_num(first, nan=np.inf) < rule.window_days)[None, :]
    retained = outcome["retained_12m"].to_numpy(bool)
    row = {"metric": rule.metric, "kind": rule.kind, "threshold": rule.threshold, "window_days": rule.window_days}
    for name, half in (("fit", fit), ("validate", validate)):
        mask = outcome["account_id"].isin(half["account_id"]).to_numpy()
        scores = separation(active[:, mask], retained[mask])
        row.update({f"{name}_{col}": scores[col][0] for col in SCORE_COLUMNS})
    return row
