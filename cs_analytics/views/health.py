"""The Health page's numbers as typed results (one per section), ready to lay out.

- `health_scores`: the active scorecard's scores at as_of with CSM overrides (metrics.md, Health
  score; Effective health), counts per band (health.bands.band_counts, as on the Overview) and
  the accounts table with readable column names.
- `band_change_preview`: accounts whose band differs between the active scorecard and an edited one.
- `scorecard_versions`: the saved scorecard versions.
- the backtest's tables and measure discovery: views/health_fit.py.

Builders take (ws, account_filter, as_of, *args) so that ui.cache.cached_view can cache them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.health.bands import BANDS, band_counts
from cs_analytics.health.scorecard import Scorecard, active_scorecard, scorecard_history
from cs_analytics.health.scoring import TREND_ARROWS, band_changes, score_with_trend
from cs_analytics.health.versions import segment_scorecards
from cs_analytics.reality.overrides import apply_overrides
from cs_analytics.core.formatting import blank_missing

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

SCORE_LABELS = {
    "account_id": "Account ID", "account_name": "Account name", "segment": "Segment", "csm_owner": "CSM",
    "mrr": "MRR", "score": "Score", "band": "Metric band", "trend": "Trend", "change": "Δ month",
    "effective_band": "Effective band", "override": "CSM override", "missing": "Missing measures",
    "scorecard_version": "Scorecard version",
}
BAND_CHANGE_LABELS = {
    "account_id": "Account ID", "account_name": "Account name", "score_before": "Score now",
    "band_before": "Band now", "score_after": "Score edited", "band_after": "Band edited",
}
VERSION_LABELS = {"version": "Version", "created_at": "Saved at", "created_by": "Saved by",
                  "change_summary": "Change", "active": "Active"}


@dataclass(frozen=True)
class HealthScores:
    """Scores at as_of: customers scored, accounts per metric band, CSM overrides, the scores
    (account_id, score, band: for the distribution chart) and the accounts table (lowest score first)."""

    as_of: dt.date | None
    customers: int = 0
    metric_bands: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BANDS, 0))
    overrides: int = 0
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def is_empty(self) -> bool:
        return self.customers == 0


def health_scores(ws: "Workspace", account_filter: AccountFilter | None, as_of: dt.date | None) -> HealthScores:
    """The active scorecard's scores at as_of for the accounts in the filter, with overrides."""
    scorecard = active_scorecard(ws)
    cards = [scorecard, *segment_scorecards(ws).values()]
    scores = score_with_trend(ws, as_of, None, account_filter or NO_FILTER)  # the scorecards in force
    if scores.empty:
        return HealthScores(as_of=as_of)
    scores = apply_overrides(ws, scores, None)
    return HealthScores(
        as_of=as_of,
        customers=len(scores),
        metric_bands=band_counts(scores, "band"),
        overrides=int(scores["is_override"].sum()),
        scores=scores[["account_id", "score", "band"]].reset_index(drop=True),
        table=_scores_table(scores, cards),
    )


def _scores_table(scores: pd.DataFrame, cards: list[Scorecard]) -> pd.DataFrame:
    """One row per account, readable column names, blanks instead of missing text; the columns a
    reader scans first (name, score, bands, override) come first."""
    table = pd.DataFrame({
        "account_id": scores["account_id"],
        "account_name": scores["account_name"],
        "score": scores["score"].round(1),
        "band": scores["band"],
        "trend": scores["trend"].map(TREND_ARROWS),
        "change": scores["score_change"].round(1),
        "effective_band": scores["effective_band"],
        "override": scores["override_label"],
        "mrr": scores["mrr"],
        "segment": scores["segment"],
        "csm_owner": scores["csm_owner"],
    })
    labels = measure_labels(cards)
    for name in dict.fromkeys(n for sc in cards for n in sc.enabled_names):
        table[f"{labels[name]} (points)"] = scores[f"{name}_points"].round(1)
    if len(cards) > 1:
        table["scorecard_version"] = scores["scorecard_version"]
    table["missing"] = scores["missing_measures"].map(lambda names: _measure_labels(names, labels))
    table = table.sort_values("score").reset_index(drop=True)
    return blank_missing(table).rename(columns=SCORE_LABELS)


def band_change_preview(ws: "Workspace", account_filter: AccountFilter | None, as_of: dt.date | None,
                        candidate_json: str, reference_json: str) -> pd.DataFrame:
    """Accounts whose band differs between the reference scorecard and the candidate (both as
    JSON), readable column names."""
    changes = band_changes(ws, Scorecard.from_json(candidate_json), Scorecard.from_json(reference_json),
                           as_of, account_filter or NO_FILTER)
    return blank_missing(changes).rename(columns=BAND_CHANGE_LABELS)


def scorecard_versions(ws: "Workspace", account_filter: AccountFilter | None, as_of: dt.date | None) -> pd.DataFrame:
    """Every saved scorecard version (the filter and as-of do not apply), readable column names."""
    return blank_missing(scorecard_history(ws), times=("created_at",)).rename(columns=VERSION_LABELS)


def measure_labels(cards: list[Scorecard]) -> dict[str, str]:
    """{measure name: its label} over the scorecards given (the first one naming it wins)."""
    labels: dict[str, str] = {}
    for sc in cards:
        for m in sc.measures:
            labels.setdefault(m.name, m.label)
    return labels


def _measure_labels(names: str | None, labels: dict[str, str]) -> str:
    """'nps, breadth' -> 'NPS, Breadth' (the measures' labels); blank for none."""
    if not names:
        return ""
    return ", ".join(labels.get(n, n) for n in names.split(", "))
