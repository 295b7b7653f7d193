"""Measure definitions: what raw number a health measure is, in the user's own terms.

A `MeasureDefinition` says which data a measure reads (usage of one metric or all, a numeric
account attribute, NPS, revenue), how it aggregates it over the window of `window_days` days
ending T (T - window_days + 1 .. T, inclusive), optionally as a trend (this window divided by the
previous window of the same length) and per user or per seat. Every definition is computed
point-in-time (only data dated <= T) in DuckDB from the templates in `sql/measures/`
(health/definition_sql.py); the six built-in measures are definitions of the same kind.

Direction, normalisation and weight are not part of a definition: they sit on the scorecard's
measure entry (health/scorecard.py).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

SOURCES = ("usage", "attribute", "nps", "revenue")
USAGE_AGGREGATIONS = ("sum", "avg_per_active_day", "active_days", "distinct_users",
                      "distinct_metrics_share", "days_since_last", "latest")
AGGREGATIONS = {
    "usage": USAGE_AGGREGATIONS,
    "nps": ("latest",),
    "revenue": ("mrr",),
    "attribute": ("value",),
}
# aggregations for which "this window / the previous window" means something
TREND_AGGREGATIONS = ("sum", "avg_per_active_day", "active_days", "distinct_users",
                      "distinct_metrics_share", "mrr")
PER_OPTIONS = (None, "user", "seat")
SEATS_ATTRIBUTE = "seats"
MIN_WINDOW_DAYS, MAX_WINDOW_DAYS = 7, 365
MAX_METRIC_CHARS = 200
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

_UNITS = {
    "sum": "value", "avg_per_active_day": "value per active day", "active_days": "days",
    "distinct_users": "users", "distinct_metrics_share": "fraction", "days_since_last": "days",
    "latest": "value", "mrr": "money per month", "value": "value",
}
_PHRASES = {
    "sum": "Sum of value of {what}",
    "avg_per_active_day": "Average value per active day of {what}",
    "active_days": "Days with {what} (value > 0)",
    "distinct_users": "Distinct users of {what} (value > 0)",
    "distinct_metrics_share": "Share of all metrics used{window} (distinct metrics with value > 0 "
                              "divided by the distinct metrics in the whole data up to T)",
    "latest": "Value of {what} on the last day with data",
}


@dataclass(frozen=True)
class MeasureDefinition:
    """What one measure's raw value is (see the module docstring)."""

    name: str
    source: str
    metric: str | None = None
    attribute: str | None = None
    aggregation: str = "sum"
    window_days: int = 30
    trend: bool = False
    per: str | None = None

    def __post_init__(self) -> None:
        _validate(self)

    # -- words ------------------------------------------------------------------------------
    def describe(self) -> str:
        """The plain-language definition shown wherever the measure appears."""
        text = self._base_phrase()
        if self.per == "user":
            text += ", per active user in the window"
        elif self.per == "seat":
            text += f", per seat (account attribute '{SEATS_ATTRIBUTE}')"
        if self.trend:
            if self.source == "revenue":
                text += f", divided by MRR at the month-end {self.trend_months} months before T's month"
            else:
                text += f", divided by the {self.window_days} days before"
        return text

    def _base_phrase(self) -> str:
        if self.source == "nps":
            return f"Latest NPS score (0-10) in the {self.window_days} days before T"
        if self.source == "revenue":
            return "MRR on T (contracts active on T)"
        if self.source == "attribute":
            return f"Account attribute '{self.attribute}' (as uploaded; attributes carry no date)"
        what = f"metric '{self.metric}'" if self.metric is not None else "all metrics"
        if self.aggregation == "days_since_last":
            return f"Days since the last usage row of {what} (lower is better)"
        window = f" in the {self.window_days} days ending T"
        phrase = _PHRASES[self.aggregation]
        if "{window}" in phrase:
            return phrase.format(window=window)
        return phrase.format(what=what) + window

    def unit(self) -> str:
        """The unit of the raw value."""
        if self.trend:
            return "ratio"
        if self.source == "nps":
            return "score 0-10"
        unit = _UNITS[self.aggregation]
        if self.source == "usage" and self.aggregation in ("sum", "latest") and self.metric is None:
            unit = "value (all metrics)"
        if self.per:
            unit += f" per {self.per}"
        return unit

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def default_direction(self) -> str:
        return "lower" if self.aggregation == "days_since_last" else "higher"

    @property
    def trend_months(self) -> int:
        """Revenue trends compare with the month-end this many months before T's month."""
        return max(1, round(self.window_days / 30))

    # -- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "MeasureDefinition":
        """A validated definition from a dict (a scorecard file, a stored version)."""
        if not isinstance(data, dict):
            raise ValueError("A measure definition is a JSON object with at least 'name' and 'source'.")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"Unknown key(s) in measure definition: {', '.join(sorted(map(str, unknown)))}.")
        for key in ("name", "source"):
            if key not in data:
                raise ValueError(f"A measure definition needs '{key}'.")
        window = data.get("window_days", 30)
        if isinstance(window, bool) or not isinstance(window, (int, float)) or int(window) != window:
            raise ValueError(f"Measure {data.get('name')!r}: window_days must be a whole number of days.")
        trend = data.get("trend", False)
        if not isinstance(trend, bool):
            raise ValueError(f"Measure {data.get('name')!r}: trend must be true or false.")
        return cls(**{**data, "window_days": int(window)})


def _validate(d: MeasureDefinition) -> None:
    if not isinstance(d.name, str) or not _NAME.match(d.name):
        raise ValueError(
            f"A measure name is lower-case letters, digits and '_' starting with a letter (at most 63), got {d.name!r}."
        )
    where = f"Measure {d.name}"
    if d.source not in SOURCES:
        raise ValueError(f"{where}: source must be one of {', '.join(SOURCES)}, got {d.source!r}.")
    if d.aggregation not in AGGREGATIONS[d.source]:
        raise ValueError(
            f"{where}: a {d.source} measure aggregates by {', '.join(AGGREGATIONS[d.source])}, got {d.aggregation!r}."
        )
    if isinstance(d.window_days, bool) or not isinstance(d.window_days, int) or not (
            MIN_WINDOW_DAYS <= d.window_days <= MAX_WINDOW_DAYS):
        raise ValueError(f"{where}: window_days must be a whole number from {MIN_WINDOW_DAYS} to {MAX_WINDOW_DAYS}, "
                         f"got {d.window_days!r}.")
    if d.metric is not None and (d.source != "usage" or not isinstance(d.metric, str) or not d.metric.strip()
                                 or len(d.metric) > MAX_METRIC_CHARS):
        raise ValueError(f"{where}: metric is a non-empty usage metric name (at most {MAX_METRIC_CHARS} "
                         "characters) and only for usage measures.")
    if d.source == "usage" and d.aggregation == "distinct_metrics_share" and d.metric is not None:
        raise ValueError(f"{where}: the share of metrics used reads all metrics, so it takes no metric.")
    if d.source == "attribute":
        if not isinstance(d.attribute, str) or not d.attribute.strip() or len(d.attribute) > MAX_METRIC_CHARS:
            raise ValueError(f"{where}: an attribute measure needs the name of a numeric account attribute.")
    elif d.attribute is not None:
        raise ValueError(f"{where}: attribute is only for attribute measures.")
    if d.trend is not True and d.trend is not False:
        raise ValueError(f"{where}: trend must be true or false.")
    if d.trend and d.aggregation not in TREND_AGGREGATIONS:
        raise ValueError(f"{where}: a trend needs an aggregation over a window ({', '.join(TREND_AGGREGATIONS)}).")
    if d.per not in PER_OPTIONS:
        raise ValueError(f"{where}: per must be empty, 'user' or 'seat', got {d.per!r}.")
    if d.per == "user" and (d.source != "usage" or d.aggregation in ("distinct_users", "days_since_last",
                                                                     "distinct_metrics_share", "latest")):
        raise ValueError(f"{where}: per user applies to usage sums, averages and active days.")
    if d.per == "seat" and (d.source == "nps" or d.aggregation in ("days_since_last", "distinct_metrics_share")):
        raise ValueError(f"{where}: per seat applies to usage counts and sums, revenue and attributes.")


def builtin_definitions() -> dict[str, MeasureDefinition]:
    """The six default measures (metrics.md, Health score) as definitions."""
    defs = (
        MeasureDefinition("usage_trend", "usage", aggregation="sum", window_days=30, trend=True),
        MeasureDefinition("active_users", "usage", aggregation="distinct_users", window_days=30),
        MeasureDefinition("breadth", "usage", aggregation="distinct_metrics_share", window_days=30),
        MeasureDefinition("recency", "usage", aggregation="days_since_last"),
        MeasureDefinition("nps", "nps", aggregation="latest", window_days=365),
        MeasureDefinition("revenue_trend", "revenue", aggregation="mrr", window_days=90, trend=True),
    )
    return {d.name: d for d in defs}


# -- what the workspace offers ------------------------------------------------------------------

def usage_metrics(ws: "Workspace") -> list[str]:
    """The usage metric names in the workspace, sorted."""
    return ws.query("SELECT DISTINCT metric FROM usage ORDER BY metric")["metric"].tolist()


def numeric_attributes(ws: "Workspace") -> list[str]:
    """Account attributes whose every non-blank value reads as a number, sorted."""
    return ws.query(
        "SELECT name FROM account_attributes WHERE value IS NOT NULL AND trim(value) <> '' "
        "GROUP BY name HAVING count(*) = count(TRY_CAST(trim(value) AS DOUBLE)) ORDER BY name"
    )["name"].tolist()


def unavailable_reason(ws: "Workspace", d: MeasureDefinition, as_of: dt.date) -> str | None:
    """Why `d` cannot be computed from this workspace's data dated <= as_of, or None."""
    return unavailable_reasons(ws, [d], as_of).get(d.name)


def unavailable_reasons(ws: "Workspace", defs: Sequence[MeasureDefinition], as_of: dt.date) -> dict[str, str]:
    """{name: why it cannot be computed from data dated <= as_of} for the definitions that cannot;
    the workspace is asked each question once, whatever the number of definitions."""
    facts: dict[str, object] = {}

    def fact(key: str, sql: str, column: bool = False):
        if key not in facts:
            facts[key] = (set(ws.query(sql, [as_of]).iloc[:, 0]) if column else bool(ws.scalar(sql, [as_of])))
        return facts[key]

    def attributes() -> list[str]:
        if "attributes" not in facts:
            facts["attributes"] = numeric_attributes(ws)
        return facts["attributes"]

    out = {}
    for d in defs:
        why = None
        if d.source == "usage":
            metrics = fact("metrics", "SELECT DISTINCT metric FROM usage_month WHERE metric IS NOT NULL "
                                     "AND first_day <= ?", column=True)
            if not metrics:
                why = "no usage data"
            elif d.metric is not None and d.metric not in metrics:
                why = f"no usage of metric '{d.metric}'"
            elif (d.aggregation == "distinct_users" or d.per == "user") and not fact(
                    "users", "SELECT EXISTS (FROM usage_day WHERE user_key IS NOT NULL AND event_date <= ?)"):
                why = "usage has no user_id"
        elif d.source == "nps":
            if not fact("nps", "SELECT count(*) > 0 FROM nps WHERE responded_at <= ?"):
                why = "no NPS data uploaded"
        elif d.source == "revenue":
            if not fact("contracts", "SELECT count(*) > 0 FROM contracts WHERE start_date <= ?"):
                why = "no contracts"
        elif d.attribute not in attributes():
            why = f"no numeric account attribute '{d.attribute}'"
        if why is None and d.per == "seat" and SEATS_ATTRIBUTE not in attributes():
            why = f"no numeric account attribute '{SEATS_ATTRIBUTE}'"
        if why:
            out[d.name] = why
    return out


def compute_raw_values(ws: "Workspace", definitions: Sequence[MeasureDefinition],
                       as_of_dates: Sequence[dt.date], account_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Raw values, wide: as_of (date), account_id, then one column per definition (named after it).

    Point-in-time: the value at T reads only data dated <= T. An account appears on a date when at
    least one definition has a value for it; a missing value is NaN. One DuckDB query per kind of
    definition (all usage-window definitions share one scan), never a loop over accounts."""
    from cs_analytics.health.definition_sql import raw_value_frames

    names = [d.name for d in definitions]
    if len(set(names)) != len(names):
        raise ValueError("Each measure definition needs its own name.")
    dates = sorted({pd.Timestamp(d).date() for d in as_of_dates})
    out = pd.DataFrame({"as_of": pd.Series(dtype=object), "account_id": pd.Series(dtype=object)})
    if not dates or not definitions:
        return out.assign(**{n: pd.Series(dtype=float) for n in names})
    keys = ["as_of", "account_id"]  # unique in every frame; as_of as DuckDB returns it, same type
    frames = [frame.set_index(keys) for frame in raw_value_frames(ws, list(definitions), dates)]
    out = pd.concat(frames, axis=1, join="outer").reset_index()
    codes, days = pd.factorize(out["as_of"])  # once, after the alignment; one date per distinct day
    out["as_of"] = np.array([pd.Timestamp(d).date() for d in days], dtype=object)[codes] if len(out) else []
    for name in names:
        out[name] = out[name].astype(float) if name in out else float("nan")
    out = out.dropna(subset=names, how="all")
    if account_ids is not None:
        out = out[out["account_id"].isin(set(account_ids))]
    return out[["as_of", "account_id", *names]].sort_values(["as_of", "account_id"]).reset_index(drop=True)
