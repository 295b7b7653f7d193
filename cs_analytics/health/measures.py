"""The registry of the built-in health measures, read from their definitions.

A built-in measure is a `MeasureDefinition` (health/definitions.py, computed from the templates in
`sql/measures/`) plus what the default scorecard gives it: a label, a direction ('higher' or
'lower' is better), a default normalisation, default thresholds and a default weight. Measures a
user defines carry their definition in the scorecard version itself (health/scorecard.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import pandas as pd

from cs_analytics.health.definitions import (
    MeasureDefinition,
    builtin_definitions,
    compute_raw_values,
    unavailable_reason,
)

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


@dataclass(frozen=True)
class Measure:
    definition: MeasureDefinition
    label: str
    direction: str  # 'higher' or 'lower' is better
    default_normalisation: str  # 'thresholds' or 'percentile'
    default_thresholds: tuple[tuple[float, float], ...]  # (raw, score 0-100), raw increasing
    default_weight: float

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def description(self) -> str:
        return self.definition.describe()

    @property
    def unit(self) -> str:
        return self.definition.unit()


_DEFS = builtin_definitions()

MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(_DEFS["usage_trend"], "Usage trend", "higher", "thresholds",
                ((0.5, 0.0), (0.9, 50.0), (1.0, 70.0), (1.3, 100.0)), 25.0),
        Measure(_DEFS["active_users"], "Active users", "higher", "percentile",
                ((0.0, 0.0), (3.0, 50.0), (10.0, 80.0), (25.0, 100.0)), 15.0),
        Measure(_DEFS["breadth"], "Breadth", "higher", "thresholds",
                ((0.0, 0.0), (0.25, 40.0), (0.5, 70.0), (0.8, 100.0)), 15.0),
        Measure(_DEFS["recency"], "Recency", "lower", "thresholds",
                ((0.0, 100.0), (7.0, 80.0), (14.0, 50.0), (30.0, 20.0), (60.0, 0.0)), 20.0),
        Measure(_DEFS["nps"], "NPS", "higher", "thresholds",
                ((0.0, 0.0), (6.0, 40.0), (8.0, 75.0), (10.0, 100.0)), 10.0),
        Measure(_DEFS["revenue_trend"], "Revenue trend", "higher", "thresholds",
                ((0.5, 0.0), (0.9, 40.0), (1.0, 70.0), (1.2, 100.0)), 15.0),
    )
}

MEASURE_NAMES = tuple(MEASURES)


def get_measure(name: str) -> Measure:
    try:
        return MEASURES[name]
    except KeyError:
        raise ValueError(
            f"Unknown measure {name!r}; the built-in measures are {', '.join(MEASURE_NAMES)} "
            "(any other measure needs a 'definition')."
        ) from None


def availability(ws: "Workspace", as_of: dt.date, names: Sequence[str] = MEASURE_NAMES) -> dict[str, bool]:
    """Whether each built-in measure can be computed from this workspace's data dated <= as_of."""
    return {name: unavailable_reason(ws, get_measure(name).definition, as_of) is None for name in names}


def raw_values(ws: "Workspace", name: str, as_of_dates: Sequence[dt.date]) -> pd.DataFrame:
    """Raw values of one built-in measure: columns as_of (date), account_id, raw (accounts for
    which the measure is missing have no row)."""
    frame = compute_raw_values(ws, [get_measure(name).definition], as_of_dates)
    return frame.rename(columns={name: "raw"})[["as_of", "account_id", "raw"]].dropna(subset=["raw"])
