"""The scorecard editor's logic (Health page, Scorecard tab) as plain functions and typed results.

- `definition_preview`: the plain-language definition and unit of a measure being defined, or the
  one-sentence reason it is not valid (shown live in the "Add a measure" form).
- `add_measure` / `remove_measure`: a draft scorecard (JSON) with a measure added or removed.
- `draft_comparison`: the draft and the active version backtested side by side (health.compare).
- `version_rows`: the version history with readable columns, `scorecard_lines`: the default and
  the segments a scorecard can be assigned to, `editor_options`: metrics and attributes offered.

Builders take (ws, account_filter, as_of, *args) so that ui.cache.cached_view can cache them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.core.formatting import blank_missing
from cs_analytics.health.compare import Comparison, compare_scorecards
from cs_analytics.health.definitions import (
    AGGREGATIONS, MeasureDefinition, numeric_attributes, unavailable_reasons, usage_metrics,
)
from cs_analytics.health.scorecard import MeasureSetting, Scorecard, parse_thresholds
from cs_analytics.health.versions import segment_scorecards, version_history

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

DEFAULT_LINE = "Default (every account without its own segment scorecard)"
VERSION_LABELS = {"version": "Version", "created_at": "Saved at", "created_by": "Saved by",
                  "change_summary": "Change", "segment": "Segment", "restored_from": "Restored from",
                  "active": "Active"}
SUMMARY_LABELS = {"scorecard": "Scorecard", "auc": "AUC", "observations": "Account-snapshots",
                  "churned": "Churned"}
PER_BAND_LABELS = {"scorecard": "Scorecard", "band": "Metric band", "accounts": "Account-snapshots",
                   "churned": "Churned", "churn_rate": "Churn rate"}


@dataclass(frozen=True)
class EditorOptions:
    """What the 'Add a measure' form offers: usage metrics, numeric attributes, segments."""

    metrics: tuple[str, ...]
    attributes: tuple[str, ...]
    segments: tuple[str, ...]
    aggregations: dict


def editor_options(ws: "Workspace", account_filter: AccountFilter | None, as_of: dt.date | None) -> EditorOptions:
    segments = ws.query("SELECT DISTINCT segment FROM accounts WHERE segment IS NOT NULL ORDER BY 1")["segment"]
    return EditorOptions(tuple(usage_metrics(ws)), tuple(numeric_attributes(ws)), tuple(segments),
                         {k: tuple(v) for k, v in AGGREGATIONS.items()})


def _definition(fields: dict) -> MeasureDefinition:
    clean = {k: v for k, v in fields.items() if v not in (None, "")}
    if clean.get("source") != "usage":
        clean.pop("metric", None)
    if clean.get("source") != "attribute":
        clean.pop("attribute", None)
    return MeasureDefinition.from_dict(clean)


def definition_preview(fields: dict) -> tuple[str | None, str | None, str | None]:
    """(definition text, unit, None) for valid form fields, else (None, None, the reason)."""
    try:
        d = _definition(fields)
    except (TypeError, ValueError) as exc:
        return None, None, str(exc)
    return d.describe(), d.unit(), None


def add_measure(draft_json: str, fields: dict, direction: str, normalisation: str, thresholds_text: str,
                weight: float) -> tuple[str, str | None]:
    """(the draft with the new measure, None) or (the draft unchanged, the reason it was refused)."""
    draft = Scorecard.from_json(draft_json)
    try:
        d = _definition(fields)
        if d.name in draft.measure_names:
            raise ValueError(f"The draft already has a measure named {d.name}; choose another name.")
        thresholds = parse_thresholds(thresholds_text) if normalisation == "thresholds" else []
        setting = MeasureSetting(d.name, True, float(weight), direction, normalisation, thresholds, definition=d)
        setting.validate()
    except (TypeError, ValueError) as exc:
        return draft_json, str(exc)
    draft.measures.append(setting)
    return draft.to_json(), None


def remove_measure(draft_json: str, name: str) -> tuple[str, str | None]:
    """(the draft without `name`, None), or unchanged with the reason (a scorecard keeps one measure)."""
    draft = Scorecard.from_json(draft_json)
    kept = [m for m in draft.measures if m.name != name]
    candidate = Scorecard(kept, draft.green_min, draft.yellow_min)
    try:
        candidate.validate()
    except ValueError as exc:
        return draft_json, f"Cannot remove {name}: {exc}"
    return candidate.to_json(), None


def draft_comparison(ws: "Workspace", account_filter: AccountFilter | None, as_of: dt.date | None,
                     draft_json: str, active_json: str, horizon_days: int, segment: str | None) -> Comparison:
    """The draft and the active version on the same snapshots and outcome (a segment's scorecard is
    backtested on that segment's accounts), with readable columns."""
    where = dict((account_filter or NO_FILTER).terms)
    if segment is not None:
        where["segment"] = (segment,)
    result = compare_scorecards(ws, {"Draft": Scorecard.from_json(draft_json),
                                     "Active": Scorecard.from_json(active_json)},
                                int(horizon_days), AccountFilter(where), as_of)
    if result.summary.empty:
        return result
    return Comparison(result.horizon_days, result.snapshot_dates,
                      result.summary.rename(columns=SUMMARY_LABELS),
                      result.per_band.rename(columns=PER_BAND_LABELS), result.message)


def version_rows(ws: "Workspace", account_filter: AccountFilter | None, as_of: dt.date | None) -> pd.DataFrame:
    """Every saved version, newest first, readable columns (blank segment = the default line)."""
    history = version_history(ws).sort_values("version", ascending=False)
    history["restored_from"] = history["restored_from"].astype("Int64")
    return blank_missing(history, times=("created_at",)).rename(columns=VERSION_LABELS)


def scorecard_lines(ws: "Workspace", account_filter: AccountFilter | None, as_of: dt.date | None) -> dict[str, str | None]:
    """{label: segment} of the scorecards one can edit: the default (None) then every segment,
    those with their own scorecard marked."""
    own = segment_scorecards(ws)
    lines: dict[str, str | None] = {DEFAULT_LINE: None}
    for segment in editor_options(ws, None, None).segments:
        mark = f" (own scorecard v{own[segment].version})" if segment in own else " (uses the default)"
        lines[f"Segment {segment}{mark}"] = segment
    return lines


def unavailable_measures(ws: "Workspace", settings: list[MeasureSetting], as_of: dt.date | None) -> dict[str, str]:
    """{measure: why it cannot be computed from this workspace's data dated <= as_of}."""
    if as_of is None:
        return {}
    return unavailable_reasons(ws, [m.resolved_definition for m in settings], as_of)
