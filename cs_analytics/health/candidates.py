"""Candidate measure definitions built from what a workspace holds (for `measures`, discovery and
the editor): for every usage metric, and for all metrics together, a few standard aggregations over
30 days (distinct users only when usage has user_id), and every numeric account attribute as it is. Names are made from the metric's own name (lower-case letters, digits
and '_'), so any metric name, however written, gives a valid, unique measure name.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cs_analytics.health.definitions import MeasureDefinition, numeric_attributes, usage_metrics

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

MAX_SLUG_CHARS = 40
# (name suffix, aggregation, window_days, trend) for each usage metric
STANDARD_USAGE = (
    ("sum_30d", "sum", 30, False),
    ("trend_30d", "sum", 30, True),
    ("active_days_30d", "active_days", 30, False),
    ("days_since_last", "days_since_last", 30, False),
)


def slug(text: str) -> str:
    """'Customer-Service Calls' -> 'customer_service_calls'; never empty, starts with a letter."""
    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")[:MAX_SLUG_CHARS].strip("_")
    return s if s and s[0].isalpha() else f"m_{s}".rstrip("_")


def _unique(name: str, taken: set[str]) -> str:
    out, i = name, 2
    while out in taken:
        out, i = f"{name}_{i}", i + 1
    taken.add(out)
    return out


ALL_METRICS = "all_metrics"
USERS = ("users_30d", "distinct_users", 30, False)


def candidate_definitions(ws: "Workspace", taken: set[str] | None = None) -> list[MeasureDefinition]:
    """Every candidate definition of the workspace, with names not in `taken` (e.g. a scorecard's)."""
    taken = set(taken or ())
    out = []
    metrics = usage_metrics(ws)
    kinds = STANDARD_USAGE
    if ws.scalar("SELECT count(*) > 0 FROM usage WHERE user_id IS NOT NULL"):
        kinds = (*STANDARD_USAGE[:3], USERS, *STANDARD_USAGE[3:])
    for metric in [None, *metrics] if metrics else []:
        base = ALL_METRICS if metric is None else slug(metric)
        for suffix, aggregation, window_days, trend in kinds:
            out.append(MeasureDefinition(_unique(f"{base}_{suffix}", taken), "usage", metric=metric,
                                         aggregation=aggregation, window_days=window_days, trend=trend))
    for attribute in numeric_attributes(ws):
        out.append(MeasureDefinition(_unique(slug(attribute), taken), "attribute", attribute=attribute,
                                     aggregation="value"))
    return out
