"""The Health page's evidence sections as typed results: the backtest's tables (churn per band,
churn reasons, the fitted scorecard per measure, the verdict) and "Which of my signals predict
churn?" (health.discovery), with readable column names.

Builders take (ws, account_filter, as_of, *args) so that ui.cache.cached_view can cache them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.core.formatting import blank_missing
from cs_analytics.health.backtest import BacktestResult
from cs_analytics.health.discovery import discover
from cs_analytics.health.measures import MEASURES
from cs_analytics.health.scorecard import format_thresholds

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

PER_BAND_LABELS = {"band": "Metric band", "accounts": "Account-snapshots", "churned": "Churned",
                   "churn_rate": "Churn rate"}
REASON_LABELS = {"reason": "Churn reason", "accounts": "Accounts", "mrr": "MRR"}
CANDIDATE_LABELS = {"measure": "Candidate", "description": "Definition", "direction": "Better when",
                    "auc": "AUC alone", "accounts": "Accounts covered", "well_covered": "Covers half the book",
                    "churned": "Churned rows"}
DIRECTION_WORDS = {"higher": "higher", "lower": "lower"}


@dataclass(frozen=True)
class BacktestTables:
    """A backtest's tables to show: churn per band, churn reasons, and the fitted scorecard per
    measure (direction, bins, information value, current and fitted weight, its points)."""

    per_band: pd.DataFrame
    reasons: pd.DataFrame
    measures: pd.DataFrame
    verdict: str | None


def backtest_tables(result: BacktestResult) -> BacktestTables:
    """The tables of `result` with readable columns; the fitted scorecard's columns say what a
    reader can check (no coefficient or importance: the weights and points are the model)."""
    per_band = result.per_band.rename(columns=PER_BAND_LABELS)
    reasons = blank_missing(result.reasons).rename(columns=REASON_LABELS) if not result.reasons.empty else pd.DataFrame()
    verdict = result.evaluation.verdict if result.evaluation else None
    if result.measures.empty:
        return BacktestTables(per_band, reasons, pd.DataFrame(), verdict)
    m = result.measures
    measures = pd.DataFrame({
        "Measure": [MEASURES[n].label if n in MEASURES else n for n in m["measure"]],
        "Better when": m["direction"].map(lambda d: f"{d} is better"),
        "Bins": m["bins"],
        "Information value": m["information_value"].round(3),
        "Current weight": m["current_weight"].round(1),
        "Fitted weight": m["fitted_weight"].round(1),
        "Fitted points (raw: score)": m["thresholds"].map(lambda t: format_thresholds([(round(r, 4), round(s, 1)) for r, s in t])),
    })
    return BacktestTables(per_band, reasons, measures, verdict)


@dataclass(frozen=True)
class SignalDiscovery:
    """Candidates ranked by AUC alone (readable table and raw frame), the churn rate by bin of
    each, their definitions as dicts (to add to a draft scorecard), and why it is empty."""

    table: pd.DataFrame
    candidates: pd.DataFrame
    bins: dict[str, pd.DataFrame] = field(default_factory=dict)
    definitions: dict[str, dict] = field(default_factory=dict)
    snapshot_dates: tuple[dt.date, ...] = ()
    outcome_note: str = ""
    empty_reason: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.candidates.empty


def signal_discovery(ws: "Workspace", account_filter: AccountFilter | None, as_of: dt.date | None,
                     horizon_days: int) -> SignalDiscovery:
    """Every candidate measure ranked by how well it alone predicts churn within horizon_days."""
    found = discover(ws, horizon_days, account_filter or NO_FILTER, as_of)
    table = found.candidates.copy()
    if not table.empty:
        table["auc"] = table["auc"].round(3)
        table["direction"] = table["direction"].map(lambda d: f"{DIRECTION_WORDS.get(d, d)} is better")
    table = table[[c for c in CANDIDATE_LABELS if c in table]].rename(columns=CANDIDATE_LABELS)
    return SignalDiscovery(
        table=table, candidates=found.candidates, bins=found.bins,
        definitions={name: d.to_dict() for name, d in found.definitions.items()},
        snapshot_dates=tuple(found.snapshot_dates), outcome_note=found.outcome_note,
        empty_reason=found.empty_reason)
