"""A fitted score that is still a scorecard: binned logistic regression, credit-scorecard style.

Per measure j (its raw values on the training rows):
1. Bins: the distinct deciles of the raw values cut it into at most 10 right-closed bins
   (x <= e_0, e_0 < x <= e_1, ...; few distinct values give one bin per value).
2. Direction from the data: "lower" (lower is better) when the Spearman correlation of the raw
   value with churn is > 0, else "higher". Bins whose churn rates break that direction are merged
   with their neighbour (pool-adjacent-violators), so the points can only rise (or only fall).
3. Weight of evidence of bin b: WoE_b = ln(share of retained rows in b / share of churned rows in
   b), with 0.5 added to every count (no empty bin is infinite); a missing raw value has WoE 0.
   Information value IV = sum_b (retained share - churned share) * WoE_b; a measure with IV < 0.02
   (the credit-scoring convention for "not predictive") is left out of the regression.
4. One logistic regression of churn on the WoE of every measure (L2, C=1). Health points of bin b:
   h_jb = -coef_j * WoE_jb (more points = less churn). A measure whose coef_j >= 0 (its evidence
   goes against churn once the others are known) gets weight 0.
5. The scorecard: measure score s_jb = 100 * (h_jb - min_b h_jb) / R_j with R_j = max - min of
   h_j over its bins, weight w_j = 100 * R_j / sum R. Then sum_j w_j s_jb / 100 equals
   (sum_j h_jb - const) * 100 / sum R: it ranks accounts exactly as the regression does (no
   missing values). Thresholds: a (raw, score) point at each bin's smallest and largest training
   value, so the piecewise-linear curve is the step function except between two adjacent observed
   values.

The result is a normal `Scorecard` (thresholds normalisation, weights, direction): it is read in
the editor, edited, backtested and saved like any version.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cs_analytics.health.scorecard import Scorecard, normalise_thresholds

MAX_BINS = 10
WOE_SMOOTHING = 0.5
REGULARISATION_C = 1.0
MIN_INFORMATION_VALUE = 0.02


@dataclass
class BinnedMeasure:
    """One measure of the fitted scorecard: its bins (lower/upper raw, rows, churn rate, WoE,
    points) and the setting it becomes."""

    name: str
    direction: str
    bins: pd.DataFrame
    information_value: float = 0.0
    weight: float = 0.0
    thresholds: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class FittedScorecard:
    """The binned logistic regression and the scorecard it becomes (module docstring)."""

    measures: list[BinnedMeasure]

    @property
    def weights(self) -> dict[str, float]:
        return {m.name: m.weight for m in self.measures}

    def risk(self, raw: pd.DataFrame) -> np.ndarray:
        """Churn risk (100 - score) of rows of raw values, as the scoring engine computes the score:
        weighted average of the measure scores, a missing measure left out and weights re-normalised."""
        return 100.0 - scorecard_score(raw, self.measures)

    def to_scorecard(self, base: Scorecard) -> Scorecard:
        """`base` (bands and measures kept) with the fitted thresholds, directions and weights;
        measures the fit did not use are turned off. Version 0: a suggestion, never saved by itself."""
        out = base.copy()
        out.version = 0
        fitted = {m.name: m for m in self.measures}
        for setting in out.measures:
            m = fitted.get(setting.name)
            if m is None or m.weight <= 0 or len(m.thresholds) < 2:
                setting.enabled, setting.weight = False, 0.0
                continue
            setting.enabled, setting.weight = True, round(m.weight, 1)
            setting.direction, setting.normalisation = m.direction, "thresholds"
            setting.thresholds = [(float(r), float(s)) for r, s in m.thresholds]
        out.change_summary = "fitted scorecard (binned logistic regression)"
        return out


def scorecard_score(raw: pd.DataFrame, measures: list[BinnedMeasure]) -> np.ndarray:
    """0-100 score of each row: sum of weight x threshold score over the measures the row has,
    divided by the sum of those weights (the scoring engine's rule for missing measures)."""
    scores, weights = [], []
    for m in measures:
        if m.weight <= 0 or len(m.thresholds) < 2:
            continue
        scores.append(normalise_thresholds(raw[m.name].to_numpy(dtype=float), m.thresholds))
        weights.append(m.weight)
    if not scores:
        return np.full(len(raw), np.nan)
    s = np.column_stack(scores)
    w = np.where(np.isnan(s), 0.0, np.array(weights))
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * np.nan_to_num(s)).sum(axis=1) / total, np.nan)


def fit_scorecard(raw: pd.DataFrame, churned: np.ndarray, names: list[str] | None = None) -> FittedScorecard:
    """Fit the binned logistic regression on the columns `names` of `raw` (default: all) against
    `churned` (0/1) and turn it into scorecard measures (module docstring)."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(churned, dtype=int)
    names = [n for n in (names or list(raw.columns)) if raw[n].notna().any()]
    binned = [_bin_measure(n, raw[n].to_numpy(dtype=float), y) for n in names]
    binned = [b for b in binned if len(b.bins) >= 2 and b.information_value >= MIN_INFORMATION_VALUE]
    if not binned or len(np.unique(y)) < 2:
        return FittedScorecard([])
    woe = np.column_stack([woe_of(b, raw[b.name].to_numpy(dtype=float)) for b in binned])
    model = LogisticRegression(C=REGULARISATION_C, max_iter=1000).fit(woe, y)
    _points(binned, model.coef_[0])
    return FittedScorecard(binned)


def woe_of(measure: BinnedMeasure, values: np.ndarray) -> np.ndarray:
    """Each value's bin WoE (0 for a missing value)."""
    out = np.zeros(len(values))
    present = ~np.isnan(values)
    idx = np.searchsorted(measure.bins["upper"].to_numpy()[:-1], values[present], side="left")
    out[present] = measure.bins["woe"].to_numpy()[idx]
    return out


def _bin_measure(name: str, values: np.ndarray, y: np.ndarray) -> BinnedMeasure:
    """Decile bins, the direction, monotone merging and WoE of one measure (steps 1-3)."""
    present = ~np.isnan(values)
    x, t = values[present], y[present]
    edges = np.unique(np.quantile(x, np.linspace(0, 1, MAX_BINS + 1)[1:-1], method="lower")) if len(x) else []
    idx = np.searchsorted(edges, x, side="left")
    frame = pd.DataFrame({"bin": idx, "x": x, "y": t}).groupby("bin").agg(
        lower=("x", "min"), upper=("x", "max"), rows=("y", "size"), churned=("y", "sum")).reset_index(drop=True)
    varies = len(x) > 2 and np.ptp(x) > 0 and np.ptp(t) > 0
    direction = "lower" if varies and pd.Series(x).corr(pd.Series(t), method="spearman") > 0 else "higher"
    frame = _monotone_merge(frame, rising=direction == "lower")
    frame["churn_rate"] = frame["churned"] / frame["rows"]
    retained, churned = frame["rows"] - frame["churned"], frame["churned"]
    good = (retained + WOE_SMOOTHING) / (retained.sum() + WOE_SMOOTHING)
    bad = (churned + WOE_SMOOTHING) / (churned.sum() + WOE_SMOOTHING)
    frame["woe"] = np.log(good / bad)
    information_value = float(((good - bad) * frame["woe"]).sum())
    return BinnedMeasure(name=name, direction=direction, bins=frame, information_value=information_value)


def _monotone_merge(frame: pd.DataFrame, rising: bool) -> pd.DataFrame:
    """Merge adjacent bins until churn rates only rise (`rising`) or only fall with the raw value
    (pool-adjacent-violators on the bin churn rates, weighted by rows)."""
    blocks = [row._asdict() for row in frame.itertuples(index=False)]
    merged: list[dict] = []
    for block in blocks:
        merged.append(dict(block))
        while len(merged) > 1 and _violates(merged[-2], merged[-1], rising):
            last = merged.pop()
            prev = merged[-1]
            prev.update(upper=last["upper"], rows=prev["rows"] + last["rows"], churned=prev["churned"] + last["churned"])
    return pd.DataFrame(merged, columns=["lower", "upper", "rows", "churned"])


def _violates(a: dict, b: dict, rising: bool) -> bool:
    rate_a, rate_b = a["churned"] / a["rows"], b["churned"] / b["rows"]
    return rate_b < rate_a if rising else rate_b > rate_a


def _points(binned: list[BinnedMeasure], coef: np.ndarray) -> None:
    """Health points, 0-100 scores, weights and thresholds from the coefficients (steps 4-5)."""
    ranges = []
    for m, c in zip(binned, coef):
        health = -c * m.bins["woe"].to_numpy()
        spread = float(health.max() - health.min()) if c < 0 else 0.0
        points = 100.0 * (health - health.min()) / spread if spread > 0 else np.full(len(health), 50.0)
        # Smoothing can bend the WoE of two bins of unequal size by a hair against the direction.
        m.bins["points"] = np.maximum.accumulate(points) if m.direction == "higher" else np.minimum.accumulate(points)
        ranges.append(spread)
    total = sum(ranges)
    for m, spread in zip(binned, ranges):
        m.weight = 100.0 * spread / total if total > 0 else 0.0
        m.thresholds = _step_points(m.bins)


def _step_points(bins: pd.DataFrame) -> list[tuple[float, float]]:
    """(raw, score) points at each bin's smallest and largest training value, strictly increasing,
    readable (`_readable`), scores to 0.1 point."""
    points: list[tuple[float, float]] = []
    for row in bins.itertuples(index=False):
        for raw in (row.lower, row.upper):
            if not points or raw > points[-1][0]:
                points.append((float(raw), round(float(row.points), 1)))
    return _readable(points)


def _readable(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Raw values with the fewest significant digits (3 to 6) that keep them strictly increasing,
    so the editor's text (6 significant digits) reads back the same scorecard; where even 6 digits
    merge two neighbours, the first of them is kept."""
    rounded = points
    for digits in range(3, 7):
        rounded = [(float(f"{r:.{digits}g}"), s) for r, s in points]
        if all(b[0] > a[0] for a, b in zip(rounded, rounded[1:])):
            return rounded
    kept: list[tuple[float, float]] = []
    for raw, score in rounded:
        if not kept or raw > kept[-1][0]:
            kept.append((raw, score))
    return kept
