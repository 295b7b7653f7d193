"""The Overview page's numbers: freshness, revenue KPIs against targets, health bands, CSM signals.

Every figure comes from the functions the other pages use (revenue.kpis, reality.quadrants,
flags.flags_due_for_review), so the Overview can never disagree with the page it links to.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core import config, settings
from cs_analytics.core.dates import last_complete_month, partial_month_note
from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.core.formatting import count_noun
from cs_analytics.views.kpi_tiles import KpiTile, kpi_tile
from cs_analytics.core.workspace import has_no_data, resolve_as_of, status
from cs_analytics.health.bands import BANDS, band_counts
from cs_analytics.reality import flags
from cs_analytics.reality import quadrants as reality
from cs_analytics.retention import revenue

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


@dataclass(frozen=True)
class Targets:
    """What CS leaders aim for: GRR >= 90%, NRR >= 110%, logo churn <= 10% (12 months)."""

    grr: float = config.TARGET_GRR
    nrr: float = config.TARGET_NRR
    logo_churn: float = config.TARGET_LOGO_CHURN


@dataclass(frozen=True)
class Kpi:
    """One revenue tile: the last complete month's value, the value a year before, the target."""

    metric: str
    label: str
    value: float | None
    year_before: float | None
    target: float | None = None
    higher_is_better: bool = True

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    @property
    def change(self) -> float | None:
        if self.value is None or self.year_before is None:
            return None
        return self.value - self.year_before

    @property
    def tile(self) -> KpiTile:
        """How the tile reads (views.kpi_tiles: the one KPI formatting of every page)."""
        return kpi_tile(self.metric, self.label, self.value, self.change, self.higher_is_better)

    @property
    def target_text(self) -> str | None:
        """'Target ≥ 90%: meets target', or None without a target."""
        if self.target is None:
            return None
        verdict = {True: "meets", False: "misses", None: "no value for"}[self.meets_target]
        sign = "≥" if self.higher_is_better else "≤"
        return f"Target {sign} {self.target:.0%}: {verdict} target"


@dataclass(frozen=True)
class OverviewSummary:
    """Everything the Overview page shows (see overview_summary for each figure's definition)."""

    as_of: dt.date | None
    last_complete_month: dt.date | None
    last_upload_at: dt.datetime | None
    row_counts: dict[str, int]
    kpis: list[Kpi] = field(default_factory=list)
    metric_bands: dict[str, int] = field(default_factory=dict)
    effective_bands: dict[str, int] = field(default_factory=dict)
    scored_accounts: int = 0  # the health population: customers on the as-of day (health.population)
    unscored_accounts: int = 0  # customers with no measure at all (e.g. no usage yet)
    overrides: int = 0
    green_but_failing: int = 0
    flags_due_for_review: int = 0

    @property
    def is_empty(self) -> bool:
        return has_no_data(self.row_counts)

    @property
    def scored_note(self) -> str:
        """Why 'customers scored' may differ from the revenue tiles' month, in one sentence.

        Health scores are point-in-time (metrics.md, Health score): computed as of the as-of day
        over the accounts that are customers on that day, the same population the Health and
        Reality pages show. The revenue tiles are for the last complete month. They are the same
        month-end population when the as-of is a month's last day; otherwise the scored accounts
        already include the partial month's starts and leave out contracts ended before the day."""
        if self.as_of is None or self.last_complete_month is None:
            return ""
        text = f"Health is scored as of {self.as_of:%Y-%m-%d} over the accounts that are customers that day"
        if self.as_of.replace(day=1) == self.last_complete_month:
            return text + "."
        return (f"{text}, so it already counts {self.as_of:%B %Y} (partial) while the revenue "
                f"figures are for {self.last_complete_month:%B %Y}.")

    @property
    def partial_month_note(self) -> str | None:
        """The one partial-month explanation (dates.partial_month_note) for this as-of."""
        return partial_month_note(self.as_of)

    @property
    def overrides_note(self) -> str:
        """How CSM overrides and unscored customers change the band counts, in one sentence."""
        metric_only = ", ".join(f"{self.metric_bands.get(b, 0):,} {b}" for b in BANDS)
        text = (f"{count_noun(self.overrides, 'CSM override')} in force; "
                f"the metric alone would show {metric_only}.")
        if self.unscored_accounts:
            have = "has" if self.unscored_accounts == 1 else "have"
            text += f" {count_noun(self.unscored_accounts, 'customer')} {have} no measure to score yet."
        return text

    def kpi(self, metric: str) -> Kpi | None:
        return next((k for k in self.kpis if k.metric == metric), None)

    def as_frame(self) -> pd.DataFrame:
        """One row per figure (name, value), for the CLI and CSV export."""
        rows = [("as_of", self.as_of), ("last_complete_month", self.last_complete_month)]
        for kpi in self.kpis:
            rows += [(kpi.metric, kpi.value), (f"{kpi.metric}_target", kpi.target)]
        rows += [(f"accounts_{band}", self.metric_bands.get(band, 0)) for band in BANDS]
        rows += [(f"accounts_{band}_effective", self.effective_bands.get(band, 0)) for band in BANDS]
        rows += [("accounts_scored", self.scored_accounts), ("accounts_unscored", self.unscored_accounts)]
        rows += [("csm_overrides", self.overrides), ("green_but_failing", self.green_but_failing),
                 ("flags_due_for_review", self.flags_due_for_review)]
        return pd.DataFrame(rows, columns=["name", "value"])


def revenue_kpis(ws: "Workspace", account_filter: AccountFilter, as_of, targets: Targets) -> list[Kpi]:
    """MRR, NRR, GRR and logo churn of the last complete month, with the year before and targets."""
    table = revenue.kpis(ws, account_filter, as_of)
    if table.empty:
        return []
    rows = table.set_index("metric")

    def make(metric: str, target: float | None = None, higher_is_better: bool = True) -> Kpi:
        row = rows.loc[metric]
        return Kpi(metric, str(row["label"]), _num(row["value"]), _num(row["year_before"]),
                   target, higher_is_better)

    return [
        make("mrr"),
        make("nrr_12m", targets.nrr),
        make("grr_12m", targets.grr),
        make("logo_churn_12m", targets.logo_churn, higher_is_better=False),
    ]


def overview_summary(
    ws: "Workspace",
    account_filter: AccountFilter = NO_FILTER,
    as_of: dt.date | str | None = None,
    targets: Targets | None = None,
) -> OverviewSummary:
    """Everything the Overview page shows, for the accounts the filter selects; `targets` default
    to the workspace's (settings.targets, set on the Revenue page or with the CLI).

    Revenue tiles: revenue.kpis for the last complete month. Bands, overrides and green-but-failing:
    reality.quadrants as of the as-of (the Reality page's population). Flags due: flags whose
    review-by date has passed (flags.flags_due_for_review), kept to the filter."""
    if targets is None:
        targets = settings.targets(ws)
    info = status(ws)
    day = resolve_as_of(ws, as_of)
    freshness = dict(as_of=day, last_complete_month=last_complete_month(day) if day else None,
                     last_upload_at=info.last_upload_at, row_counts=info.row_counts)
    if day is None or info.is_empty:
        return OverviewSummary(**freshness)
    # The user's as_of (None = now) so that a flag made a minute ago counts even when the data lags.
    quads = reality.quadrants(ws, as_of, account_filter)
    scored = len(quads) > 0
    return OverviewSummary(
        **freshness,
        kpis=revenue_kpis(ws, account_filter, day, targets),
        metric_bands=band_counts(quads, "band"),
        effective_bands=band_counts(quads, "effective_band"),
        scored_accounts=len(quads),
        unscored_accounts=int(quads["band"].isna().sum()) if scored else 0,
        overrides=int(quads["is_override"].fillna(False).astype(bool).sum()) if scored else 0,
        green_but_failing=int((quads["quadrant"] == "green_but_failing").sum()) if scored else 0,
        flags_due_for_review=len(keep_filtered(ws, flags.flags_due_for_review(ws), account_filter)),
    )


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
