"""How a KPI tile reads: one function for every page that shows a KPI against a year before.

Money (MRR) is written compactly (1.23M, 45.6k), counts with thousands separators, ratios as
percents with changes in percentage points. A change that shows as zero at the precision written
("+0.0 pts") is written "no change vs a year ago" with neither arrow nor colour.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from cs_analytics.core.formatting import compact_money

MONEY_METRICS = ("mrr",)
COUNT_METRICS = ("customers",)
NO_CHANGE = "no change vs a year ago"


@dataclass(frozen=True)
class KpiTile:
    """What a metric tile shows: label, value text, delta text (None: no comparison) and how the
    delta is drawn (`delta_color` and `delta_arrow` as st.metric takes them)."""

    label: str
    value: str
    delta: str | None
    delta_color: str = "normal"
    delta_arrow: str = "auto"


def kpi_tile(metric: str, label: str, value: float | None, change: float | None,
             higher_is_better: bool = True) -> KpiTile:
    """The tile of `metric` with `value` and `change` (value minus the year before's)."""
    if _missing(value):
        return KpiTile(label, "n/a", None)
    value_text = _written(metric, value)
    if _missing(change):
        return KpiTile(label, value_text, None)
    change_text = _written_change(metric, change)
    if _shows_zero(change_text):
        return KpiTile(label, value_text, NO_CHANGE, delta_color="off", delta_arrow="off")
    return KpiTile(label, value_text, f"{change_text} vs a year ago",
                   delta_color="normal" if higher_is_better else "inverse")


def _missing(number: float | None) -> bool:
    return number is None or (isinstance(number, float) and math.isnan(number))


def _written(metric: str, value: float) -> str:
    if metric in MONEY_METRICS:
        return compact_money(value)
    if metric in COUNT_METRICS:
        return f"{value:,.0f}"
    return f"{value:.1%}"


def _written_change(metric: str, change: float) -> str:
    if metric in MONEY_METRICS:
        return compact_money(change, signed=True)
    if metric in COUNT_METRICS:
        return f"{change:+,.0f}"
    return f"{change * 100:+.1f} pts"


def _shows_zero(text: str) -> bool:
    digits = [c for c in text if c.isdigit()]
    return bool(digits) and all(c == "0" for c in digits)
