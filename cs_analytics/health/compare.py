"""Backtest several scorecards side by side on the same snapshots and the same outcome.

For a draft (an unsaved edit) and the active version: the backtest's snapshot dates (month-ends
T with T + H <= as_of), the one outcome (core.outcomes: churned within (T, T+H]), and only the
account-snapshots that every compared scorecard scores (inner join), so the AUCs are computed on
identical observations. Reported per scorecard: ROC AUC of (100 - score), observations,
churned, and churn per band (health.backtest.per_band_table). No model is fitted here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.core.outcomes import churn_outcomes
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.backtest import per_band_table, snapshot_dates
from cs_analytics.health.scorecard import Scorecard
from cs_analytics.health.scoring import score_frame

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


@dataclass(frozen=True)
class Comparison:
    """summary: scorecard, auc, observations, churned; per_band: scorecard, band, accounts,
    churned, churn_rate; message: why there is nothing to compare (else None)."""

    horizon_days: int
    snapshot_dates: tuple[dt.date, ...] = ()
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_band: pd.DataFrame = field(default_factory=pd.DataFrame)
    message: str | None = None


def roc_auc(churned: np.ndarray, risk: np.ndarray) -> float | None:
    """ROC AUC of `risk` for `churned` (None when only one class is present)."""
    from sklearn.metrics import roc_auc_score

    if len(np.unique(churned)) < 2:
        return None
    return float(roc_auc_score(churned, risk))


def compare_scorecards(ws: "Workspace", scorecards: Mapping[str, Scorecard], horizon_days: int,
                       account_filter: AccountFilter = NO_FILTER, as_of=None) -> Comparison:
    """Backtest every scorecard in `scorecards` ({label: scorecard}) on the same observations."""
    day = resolve_as_of(ws, as_of)
    dates = snapshot_dates(ws, horizon_days, day)
    if not dates:
        return Comparison(horizon_days, message=(
            f"The data is too short: a backtest needs at least one month-end T with T + {horizon_days} "
            f"days on or before the as-of date ({day or 'no data'})."))
    outcomes = churn_outcomes(ws, dates, horizon_days)[["as_of", "account_id", "churned"]]
    scored = {}
    for label, sc in scorecards.items():
        frame, _ = score_frame(ws, dates, sc)
        frame = keep_filtered(ws, frame, account_filter)
        scored[label] = frame[frame["score"].notna()][["as_of", "account_id", "score", "band"]]
    common = outcomes
    for frame in scored.values():
        common = common.merge(frame[["as_of", "account_id"]], on=["as_of", "account_id"])
    if common.empty:
        return Comparison(horizon_days, tuple(dates), message="No customer is scored on any snapshot date.")
    summary, bands = [], []
    for label, frame in scored.items():
        data = common.merge(frame, on=["as_of", "account_id"])
        churned = data["churned"].astype(int).to_numpy()
        summary.append({"scorecard": label, "auc": roc_auc(churned, 100.0 - data["score"].to_numpy(float)),
                        "observations": len(data), "churned": int(churned.sum())})
        bands.append(per_band_table(data.assign(churned=churned)).assign(scorecard=label))
    per_band = pd.concat(bands, ignore_index=True)[["scorecard", "band", "accounts", "churned", "churn_rate"]]
    message = None
    if int(common["churned"].sum()) in (0, len(common)):
        message = f"No account churned within {horizon_days} days of any snapshot (or every one did): no AUC."
    return Comparison(horizon_days, tuple(dates), pd.DataFrame(summary), per_band, message)
