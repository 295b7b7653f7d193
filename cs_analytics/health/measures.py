"""The one registry of health measures.

A measure is: a name, a label, a SQL file `sql/measures/<name>.sql` (or a shared one, with the
raw value in the column named after the measure) computing the raw value per (as_of, account_id) for every date bound in `$as_of_dates` using only data dated <= that date, a
direction ('higher' or 'lower' is better), a default normalisation, a default weight and an
availability check (is there data in this workspace to compute it at all?).

Adding a measure = one `Measure` entry in `MEASURES` + its SQL file + its test.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

import pandas as pd

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


def _usage_exists(ws: "Workspace", as_of: dt.date) -> bool:
    return bool(ws.scalar("SELECT count(*) > 0 FROM usage WHERE event_date <= ?", [as_of]))


def _usage_has_user_id(ws: "Workspace", as_of: dt.date) -> bool:
    return bool(
        ws.scalar(
            "SELECT count(*) > 0 FROM usage WHERE user_id IS NOT NULL AND event_date <= ?", [as_of]
        )
    )


def _nps_exists(ws: "Workspace", as_of: dt.date) -> bool:
    return bool(ws.scalar("SELECT count(*) > 0 FROM nps WHERE responded_at <= ?", [as_of]))


def _contracts_exist(ws: "Workspace", as_of: dt.date) -> bool:
    return bool(ws.scalar("SELECT count(*) > 0 FROM contracts WHERE start_date <= ?", [as_of]))


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    description: str
    unit: str
    direction: str  # 'higher' or 'lower' is better
    default_normalisation: str  # 'thresholds' or 'percentile'
    default_thresholds: tuple[tuple[float, float], ...]  # (raw, score 0-100), raw increasing
    default_weight: float
    availability: Callable[["Workspace", dt.date], bool] = field(repr=False)
    unavailable_reason: str = ""
    shared_sql: str = ""  # a file computing several measures, one column each (named after them)

    @property
    def sql_name(self) -> str:
        return f"measures/{self.shared_sql or self.name}"

    @property
    def raw_column(self) -> str:
        return self.name if self.shared_sql else "raw"


USAGE_WINDOW_SQL = "usage_window"  # active_users and breadth: the same 30-day window of usage

MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(
            name="usage_trend",
            label="Usage trend",
            description="Usage value in the 30 days ending T divided by the 30 days before that.",
            unit="ratio",
            direction="higher",
            default_normalisation="thresholds",
            default_thresholds=((0.5, 0.0), (0.9, 50.0), (1.0, 70.0), (1.3, 100.0)),
            default_weight=25.0,
            availability=_usage_exists,
            unavailable_reason="no usage data",
        ),
        Measure(
            name="active_users",
            label="Active users",
            description="Distinct user_id with usage in the 30 days ending T.",
            unit="users",
            direction="higher",
            default_normalisation="percentile",
            default_thresholds=((0.0, 0.0), (3.0, 50.0), (10.0, 80.0), (25.0, 100.0)),
            default_weight=15.0,
            availability=_usage_has_user_id,
            unavailable_reason="usage has no user_id",
            shared_sql=USAGE_WINDOW_SQL,
        ),
        Measure(
            name="breadth",
            label="Breadth",
            description=(
                "Distinct metrics the account used in the 30 days ending T divided by the distinct "
                "metrics in the whole data up to T."
            ),
            unit="fraction",
            direction="higher",
            default_normalisation="thresholds",
            default_thresholds=((0.0, 0.0), (0.25, 40.0), (0.5, 70.0), (0.8, 100.0)),
            default_weight=15.0,
            availability=_usage_exists,
            unavailable_reason="no usage data",
            shared_sql=USAGE_WINDOW_SQL,
        ),
        Measure(
            name="recency",
            label="Recency",
            description="Days since the account's last usage row (lower is better).",
            unit="days",
            direction="lower",
            default_normalisation="thresholds",
            default_thresholds=((0.0, 100.0), (7.0, 80.0), (14.0, 50.0), (30.0, 20.0), (60.0, 0.0)),
            default_weight=20.0,
            availability=_usage_exists,
            unavailable_reason="no usage data",
        ),
        Measure(
            name="nps",
            label="NPS",
            description="The latest NPS score (0-10) within 365 days.",
            unit="score 0-10",
            direction="higher",
            default_normalisation="thresholds",
            default_thresholds=((0.0, 0.0), (6.0, 40.0), (8.0, 75.0), (10.0, 100.0)),
            default_weight=10.0,
            availability=_nps_exists,
            unavailable_reason="no NPS data uploaded",
        ),
        Measure(
            name="revenue_trend",
            label="Revenue trend",
            description="MRR in T's month divided by MRR 3 months earlier.",
            unit="ratio",
            direction="higher",
            default_normalisation="thresholds",
            default_thresholds=((0.5, 0.0), (0.9, 40.0), (1.0, 70.0), (1.2, 100.0)),
            default_weight=15.0,
            availability=_contracts_exist,
            unavailable_reason="no contracts",
        ),
    )
}

MEASURE_NAMES = tuple(MEASURES)


def get_measure(name: str) -> Measure:
    try:
        return MEASURES[name]
    except KeyError:
        raise ValueError(
            f"Unknown measure {name!r}; known measures are {', '.join(MEASURE_NAMES)}."
        ) from None


def availability(ws: "Workspace", as_of: dt.date, names: Sequence[str] = MEASURE_NAMES) -> dict[str, bool]:
    """Whether each measure can be computed from this workspace's data dated <= as_of."""
    return {name: get_measure(name).availability(ws, as_of) for name in names}


def raw_values(ws: "Workspace", name: str, as_of_dates: Sequence[dt.date]) -> pd.DataFrame:
    """Raw values of one measure: columns as_of (date), account_id, raw (NaN never appears:
    accounts for which the measure is missing have no row)."""
    measure = get_measure(name)
    frame = ws.query_named(measure.sql_name, {"as_of_dates": list(as_of_dates)})
    frame = frame.rename(columns={measure.raw_column: "raw"})[["as_of", "account_id", "raw"]]
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame.dropna(subset=["raw"])
