"""Scorecards: which measures count, how each is normalised to 0-100, their weights and the bands.

A `Scorecard` lists `MeasureSetting`s (enabled, weight, direction, normalisation). Normalisation
is either 'thresholds' (piecewise-linear through (raw, score) points, flat beyond the end points)
or 'percentile' (average rank across the accounts that are customers at T and have the measure:
lowest 0, highest 100, ties share their average rank; reversed when lower is better). Weights of
the enabled measures are normalised to sum 100. Bands: green >= green_min, yellow >= yellow_min,
red below. Versions are stored in the `scorecards` table; exactly one is active.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
import pandas as pd

from cs_analytics.core import config
from cs_analytics.health.definitions import MeasureDefinition
from cs_analytics.health.measures import MEASURES, get_measure

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

DIRECTIONS = ("higher", "lower")
NORMALISATIONS = ("thresholds", "percentile")


@dataclass
class MeasureSetting:
    """One measure's settings in a scorecard."""

    name: str
    enabled: bool = True
    weight: float = 0.0
    direction: str = "higher"
    normalisation: str = "thresholds"
    thresholds: list[tuple[float, float]] = field(default_factory=list)  # (raw, score), raw increasing
    definition: MeasureDefinition | None = None  # None = the built-in measure of that name

    @property
    def resolved_definition(self) -> MeasureDefinition:
        """The definition computed for this measure (its own, else the built-in's)."""
        return self.definition if self.definition is not None else get_measure(self.name).definition

    @property
    def label(self) -> str:
        if self.definition is None and self.name in MEASURES:
            return MEASURES[self.name].label
        return self.resolved_definition.label

    def validate(self) -> None:
        if self.resolved_definition.name != self.name:
            raise ValueError(f"Measure {self.name}: its definition is named {self.resolved_definition.name!r}.")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"Measure {self.name}: direction must be 'higher' or 'lower', got {self.direction!r}.")
        if self.normalisation not in NORMALISATIONS:
            raise ValueError(
                f"Measure {self.name}: normalisation must be 'thresholds' or 'percentile', got {self.normalisation!r}."
            )
        if not np.isfinite(self.weight) or self.weight < 0:
            raise ValueError(f"Measure {self.name}: weight must be a number >= 0, got {self.weight!r}.")
        if self.normalisation == "thresholds":
            if len(self.thresholds) < 2:
                raise ValueError(f"Measure {self.name}: thresholds need at least two (raw, score) points.")
            raws = [p[0] for p in self.thresholds]
            scores = [p[1] for p in self.thresholds]
            if any(b <= a for a, b in zip(raws, raws[1:])):
                raise ValueError(f"Measure {self.name}: threshold raw values must be strictly increasing.")
            if any(s < 0 or s > 100 for s in scores):
                raise ValueError(f"Measure {self.name}: threshold scores must lie between 0 and 100.")
            steps = np.diff(scores)
            if self.direction == "higher" and (steps < 0).any():
                raise ValueError(f"Measure {self.name}: higher is better, so threshold scores must not decrease.")
            if self.direction == "lower" and (steps > 0).any():
                raise ValueError(f"Measure {self.name}: lower is better, so threshold scores must not increase.")


@dataclass
class Scorecard:
    measures: list[MeasureSetting]
    green_min: float = config.BAND_GREEN_MIN
    yellow_min: float = config.BAND_YELLOW_MIN
    version: int = 0  # 0 = the built-in default, never saved
    created_at: dt.datetime | None = None
    created_by: str | None = None
    change_summary: str | None = None
    segment: str | None = None  # None = the default scorecard; else it scores this segment

    # -- access ------------------------------------------------------------------------------
    def setting(self, name: str) -> MeasureSetting:
        for m in self.measures:
            if m.name == name:
                return m
        raise KeyError(name)

    @property
    def measure_names(self) -> list[str]:
        return [m.name for m in self.measures]

    @property
    def enabled_names(self) -> list[str]:
        return [m.name for m in self.measures if m.enabled and m.weight > 0]

    @property
    def label(self) -> str:
        """How the version is named next to every score."""
        if not self.version:
            return "built-in default scorecard"
        when = f" saved {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else ""
        who = f" by {self.created_by}" if self.created_by else ""
        whose = f" for segment {self.segment}" if self.segment else ""
        return f"scorecard v{self.version}{whose}{when}{who}"

    def normalised_weights(self, names: Iterable[str] | None = None) -> dict[str, float]:
        """Weights of the enabled measures (restricted to `names` when given), summing to 100."""
        keep = set(self.enabled_names if names is None else names) & set(self.enabled_names)
        raw = {m.name: float(m.weight) for m in self.measures if m.name in keep}
        total = sum(raw.values())
        if total <= 0:
            return {name: 0.0 for name in raw}
        return {name: w * 100.0 / total for name, w in raw.items()}

    def validate(self) -> "Scorecard":
        if not self.measures:
            raise ValueError("A scorecard needs at least one measure.")
        names = [m.name for m in self.measures]
        if len(set(names)) != len(names):
            raise ValueError("A scorecard lists each measure at most once.")
        for m in self.measures:
            m.validate()
        if not self.enabled_names:
            raise ValueError("At least one enabled measure must have a weight above 0.")
        if not (0 <= self.yellow_min <= self.green_min <= 100):
            raise ValueError("Band cut-offs must satisfy 0 <= yellow <= green <= 100.")
        return self

    # -- JSON --------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "measures": [
                {
                    "name": m.name,
                    "enabled": bool(m.enabled),
                    "weight": float(m.weight),
                    "direction": m.direction,
                    "normalisation": m.normalisation,
                    "thresholds": [[float(r), float(s)] for r, s in m.thresholds],
                    "definition": m.resolved_definition.to_dict(),
                }
                for m in self.measures
            ],
            "bands": {"green_min": float(self.green_min), "yellow_min": float(self.yellow_min)},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> "Scorecard":
        if not isinstance(data, dict) or not isinstance(data.get("measures"), list):
            raise ValueError("A scorecard file is a JSON object with a 'measures' list.")
        measures = [_setting_from_dict(item) for item in data["measures"]]
        bands = data.get("bands", {})
        return cls(
            measures=measures,
            green_min=float(bands.get("green_min", config.BAND_GREEN_MIN)),
            yellow_min=float(bands.get("yellow_min", config.BAND_YELLOW_MIN)),
        ).validate()

    @classmethod
    def from_json(cls, text: str) -> "Scorecard":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"The scorecard is not valid JSON: {exc.msg} (line {exc.lineno}).") from None
        return cls.from_dict(data)

    def copy(self) -> "Scorecard":
        return Scorecard.from_dict(self.to_dict())


def _setting_from_dict(item) -> MeasureSetting:
    """One measure entry of a scorecard file or stored version. An entry without a definition is
    a built-in measure (versions saved before definitions existed load this way); an entry with
    one takes its defaults (direction, percentile normalisation, weight 10) from it."""
    if not isinstance(item, dict) or "name" not in item:
        raise ValueError("Every scorecard measure needs a 'name'.")
    name = item["name"]
    definition = None
    if item.get("definition") is not None:
        definition = MeasureDefinition.from_dict({"name": name, **item["definition"]})
        if name in MEASURES and MEASURES[name].definition == definition:
            definition = None  # the built-in itself: keeps its label and defaults
    if definition is None:
        default = default_setting(get_measure(name).name)
    else:
        default = MeasureSetting(name=name, weight=10.0, direction=definition.default_direction,
                                 normalisation="percentile", definition=definition)
    try:
        return MeasureSetting(
            name=name,
            enabled=bool(item.get("enabled", True)),
            weight=float(item.get("weight", default.weight)),
            direction=item.get("direction", default.direction),
            normalisation=item.get("normalisation", default.normalisation),
            thresholds=[(float(r), float(s)) for r, s in item.get("thresholds", default.thresholds)],
            definition=definition,
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Measure {name}: {exc}") from None


def default_setting(name: str) -> MeasureSetting:
    m = get_measure(name)
    return MeasureSetting(
        name=m.name,
        enabled=True,
        weight=m.default_weight,
        direction=m.direction,
        normalisation=m.default_normalisation,
        thresholds=[tuple(p) for p in m.default_thresholds],
    )


def default_scorecard() -> Scorecard:
    """Every registered measure with its default settings; bands from config."""
    return Scorecard(measures=[default_setting(name) for name in MEASURES])


# -- normalisation maths ---------------------------------------------------------------------

def normalise_thresholds(raw: np.ndarray | Sequence[float], points: Sequence[tuple[float, float]]) -> np.ndarray:
    """Piecewise-linear interpolation through (raw, score) points; flat beyond the end points.

    NaN in gives NaN out."""
    raw = np.asarray(raw, dtype=float)
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    out = np.interp(raw, xs, ys)
    out[np.isnan(raw)] = np.nan
    return out


def normalise_percentile(raw: pd.Series, direction: str = "higher", groups: pd.Series | None = None) -> pd.Series:
    """Percentile rank 0-100 within each group (e.g. each as_of): (average rank - 1) / (n - 1).

    The lowest value scores 0 and the highest 100 (reversed when lower is better); ties share
    their average rank; a group with a single value scores 50. NaN stays NaN."""
    raw = pd.Series(raw, dtype=float)
    if groups is None or pd.Series(groups).nunique(dropna=False) <= 1:  # one group: no groupby needed
        ranks = raw.rank(method="average")
        counts = pd.Series(float(raw.count()), index=raw.index)
    else:
        grouped = raw.groupby(groups.values)
        ranks = grouped.rank(method="average")
        counts = grouped.transform("count")
    pct = (ranks - 1.0) / (counts - 1.0) * 100.0
    pct = pct.where(counts > 1, 50.0).where(raw.notna())
    if direction == "lower":
        pct = 100.0 - pct
    return pct


# -- stored versions (health/versions.py) -----------------------------------------------------

def active_scorecard(ws: "Workspace", segment: str | None = None) -> Scorecard:
    """The active default version (or, given a segment, that segment's active version, falling back
    to the default), or the built-in default (version 0) when none was saved."""
    from cs_analytics.health.versions import active_version

    return active_version(ws, segment)


def scorecard_history(ws: "Workspace") -> pd.DataFrame:
    """Every saved version: version, created_at, created_by, change_summary, segment, active."""
    from cs_analytics.health.versions import version_history

    return version_history(ws)


def save_scorecard(ws: "Workspace", sc: Scorecard, user: str, change_summary: str,
                   segment: str | None = None) -> int:
    """Store `sc` as a new version, the only active one for its segment (None = the default)."""
    from cs_analytics.health.versions import save_version

    return save_version(ws, sc, user, change_summary, segment)


# -- differences ---------------------------------------------------------------------------

def _fmt(x: float) -> str:
    return f"{x:g}"


def diff_scorecards(a: Scorecard, b: Scorecard) -> str:
    """What changes from `a` to `b`, one line per difference ('no changes' when identical)."""
    lines: list[str] = []
    wa, wb = a.normalised_weights(), b.normalised_weights()
    names = list(dict.fromkeys([*a.measure_names, *b.measure_names]))
    for name in names:
        ma = next((m for m in a.measures if m.name == name), None)
        mb = next((m for m in b.measures if m.name == name), None)
        if ma is None:
            lines.append(f"{name}: added ({mb.resolved_definition.describe()})")
            continue
        if mb is None:
            lines.append(f"{name}: removed")
            continue
        if ma.resolved_definition != mb.resolved_definition:
            lines.append(f"{name}: definition -> {mb.resolved_definition.describe()}")
        on_a, on_b = name in wa, name in wb
        if on_a != on_b:
            lines.append(f"{name}: turned {'on' if on_b else 'off'}")
        if on_a and on_b and abs(wa[name] - wb[name]) > 1e-9:
            lines.append(f"{name}: weight {wa[name]:.1f} -> {wb[name]:.1f} (normalised to 100)")
        if ma.direction != mb.direction:
            lines.append(f"{name}: direction {ma.direction} -> {mb.direction} is better")
        if ma.normalisation != mb.normalisation:
            lines.append(f"{name}: normalisation {ma.normalisation} -> {mb.normalisation}")
        elif mb.normalisation == "thresholds" and [tuple(p) for p in ma.thresholds] != [tuple(p) for p in mb.thresholds]:
            pts = ", ".join(f"{_fmt(r)}:{_fmt(s)}" for r, s in mb.thresholds)
            lines.append(f"{name}: thresholds -> {pts}")
    if a.green_min != b.green_min:
        lines.append(f"green band: >= {_fmt(a.green_min)} -> >= {_fmt(b.green_min)}")
    if a.yellow_min != b.yellow_min:
        lines.append(f"yellow band: >= {_fmt(a.yellow_min)} -> >= {_fmt(b.yellow_min)}")
    return "\n".join(lines) if lines else "no changes"


def parse_thresholds(text: str) -> list[tuple[float, float]]:
    """'0.5:0, 1:70, 1.3:100' -> [(0.5, 0.0), (1.0, 70.0), (1.3, 100.0)] (for the editor)."""
    points = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if ":" not in part:
            raise ValueError(f"Threshold points are written raw:score, got {part!r}.")
        raw, score = part.split(":", 1)
        try:
            points.append((float(raw), float(score)))
        except ValueError:
            raise ValueError(f"Threshold points are numbers written raw:score, got {part!r}.") from None
    return points


def mirror_thresholds(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The threshold points for the opposite direction: each score s becomes 100 - s."""
    return [(raw, 100.0 - score) for raw, score in points]


def format_thresholds(points: Sequence[tuple[float, float]]) -> str:
    return ", ".join(f"{_fmt(r)}:{_fmt(s)}" for r, s in points)
