"""Cohort retention matrices (logo, GRR, NRR, activity) at month or quarter grain.

Definitions (docs/spec/metrics.md, Cohorts):
- An account's start month is its first month with MRR > 0 (revenue bases logo / grr / nrr) or its
  first month with any usage row of value > 0 (activity basis). Its cohort is that month.
- Cell (cohort c, period k), over the accounts of c (cohort size n):
  logo = (accounts a of c with MRR(a, c+k) > 0) / n;  nrr = sum MRR(a, c+k) / sum MRR(a, c);
  grr = sum min(MRR(a, c+k), MRR(a, c)) / sum MRR(a, c);
  activity (bounded, the default) = (accounts of c with usage value > 0 in month c+k) / n;
  activity, unbounded ("active in c+k or later", an option named as such) counts an account
  active in month c+k or any later observed month.
- A cell whose month is after the last complete month is censored: null, never 0.
- The average curve at period k weights each cohort by its size (n for logo / activity, starting
  MRR for grr / nrr) over the cohorts whose period k is observed only.

Quarter grain (metrics.md, Time): accounts are grouped by the calendar quarter of their start
month s (the same s as at month grain, so the quarter cohorts hold exactly the accounts of the
month cohorts); period k is the k-th 3-month block of each account's own timeline, months
s+3k .. s+3k+2. Revenue bases read MRR at month s+3k (so period 0 is 1.0 by construction, starting
MRR is MRR(s)); activity counts an account active in period k when it has usage value > 0 in any
month of its block (unbounded: in its block or later). A cell is reported only when every account
of the cohort has its block complete (s+3k+2 <= L for the cohort's latest s); the drill-down lists
the same accounts under the same rule.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.retention.months import retention_query, window
from cs_analytics.core.dates import add_months

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

BASES = ("logo", "grr", "nrr", "activity")
GRAINS = ("month", "quarter")
REVENUE_BASES = ("logo", "grr", "nrr")
CLI_COLUMNS = ("cohort", "period", "cohort_size", "value")

BASIS_LABELS = {
    "logo": "Logo retention",
    "grr": "Gross revenue retention",
    "nrr": "Net revenue retention",
    "activity": "Active accounts",
}
UNBOUNDED_ACTIVITY_LABEL = "Active in period k or later (unbounded)"

DEFINITIONS = {
    "logo": "Logo retention is the share of the cohort's accounts that still pay in period k: "
    "`logo(c, k) = (accounts of c with MRR(a, c+k) > 0) / n`.",
    "nrr": "Net revenue retention is the cohort's MRR in period k over its starting MRR, expansion "
    "included: `nrr(c, k) = sum of MRR(a, c+k) / sum of MRR(a, c)`.",
    "grr": "Gross revenue retention is the same with each account capped at its starting MRR, so "
    "expansion never offsets losses: `grr(c, k) = sum of min(MRR(a, c+k), MRR(a, c)) / sum of MRR(a, c)`.",
    "activity": "Active accounts is the share of the cohort's accounts with usage in period k "
    "(bounded: active in that period): `activity(c, k) = (accounts of c with usage value > 0 in "
    "month c+k) / n`. The unbounded variant, \"active in c+k or later\", is an option named as such.",
    "common": "An account's start cohort is the first month with MRR > 0 (revenue bases), or the "
    "first month with any usage row of value > 0 (activity basis); n is the number of accounts in "
    "cohort c. Period k of cohort c is month c + k; period 0 is the cohort month itself. A cell whose "
    "month c+k is after the last complete month is censored: blank, never 0. The average curve over "
    "cohorts at period k weights each cohort by its size (n, or starting MRR for revenue bases), using "
    "only cohorts where period k is observed.",
    "quarter": "Quarter grain: accounts are grouped by the calendar quarter of their start month s; "
    "period k is the k-th 3-month block of each account's own timeline (months s+3k to s+3k+2). "
    "Revenue bases read MRR at month s+3k, so period 0 is 100% by construction; activity counts an "
    "account active when it has usage in any month of its block. A cell is shown only when every "
    "account of the cohort has its block complete; no account is left out.",
}
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3}


@dataclass(frozen=True)
class CohortMatrix:
    """A cohort matrix in long form, censored cells included as nulls.

    `cells`: cohort (Timestamp, first day), cohort_label, period, value_month (the month the cell
    is complete: c+k, or at quarter grain the cohort's latest start + 3k + 2), cohort_size,
    start_mrr, retained (the absolute numerator: accounts for logo/activity, MRR for nrr/grr),
    value (the fraction), censored. `sizes`: cohort, cohort_label, cohort_size, start_mrr."""

    basis: str
    grain: str
    unbounded: bool
    last_month: dt.date | None
    cells: pd.DataFrame
    sizes: pd.DataFrame

    @property
    def label(self) -> str:
        if self.basis == "activity" and self.unbounded:
            return UNBOUNDED_ACTIVITY_LABEL
        return BASIS_LABELS[self.basis]

    @property
    def weight_column(self) -> str:
        """Average-curve weight: cohort size for logo / activity, starting MRR for revenue."""
        return "start_mrr" if self.basis in ("grr", "nrr") else "cohort_size"

    def wide(self, percent: bool = True) -> pd.DataFrame:
        """Cohort labels x periods: fractions (percent=True) or absolute numbers; censored = NaN."""
        column = "value" if percent else "retained"
        if self.cells.empty:
            return pd.DataFrame()
        out = self.cells.pivot(index="cohort_label", columns="period", values=column)
        out = out.reindex(self.sizes["cohort_label"])
        out.columns.name = "period"
        return out

    def censored_mask(self) -> pd.DataFrame:
        if self.cells.empty:
            return pd.DataFrame()
        out = self.cells.pivot(index="cohort_label", columns="period", values="censored")
        return out.reindex(self.sizes["cohort_label"]).astype(bool)

    def average_curve(self) -> pd.DataFrame:
        """period, value (weighted fraction), cohorts (observed cohorts averaged), weight (their total)."""
        observed = self.cells[~self.cells["censored"]]
        if observed.empty:
            return pd.DataFrame(columns=["period", "value", "cohorts", "weight"])
        grouped = observed.groupby("period").agg(
            retained=("retained", "sum"), weight=(self.weight_column, "sum"), cohorts=("cohort", "count")
        ).reset_index()
        grouped["value"] = grouped["retained"] / grouped["weight"].replace(0, np.nan)
        return grouped[["period", "value", "cohorts", "weight"]]

    def cell_censored(self, cohort_label: str, period: int) -> bool:
        """Whether the cell is censored (True also when the matrix has no such cell)."""
        hit = self.cells[(self.cells["cohort_label"] == cohort_label) & (self.cells["period"] == int(period))]
        return hit.empty or bool(hit["censored"].iloc[0])

    def complete_month(self, cohort_label: str, period: int) -> dt.date | None:
        """The month the cell is complete (every member's block observed), None when no such cell."""
        hit = self.cells[(self.cells["cohort_label"] == cohort_label) & (self.cells["period"] == int(period))]
        return None if hit.empty else hit["value_month"].iloc[0].date()

    def long(self) -> pd.DataFrame:
        """The CLI form: cohort (label), period, cohort_size, value; censored cells omitted."""
        observed = self.cells[~self.cells["censored"]]
        out = observed[["cohort_label", "period", "cohort_size", "value"]].rename(
            columns={"cohort_label": "cohort"}
        )
        return out.sort_values(["cohort", "period"]).reset_index(drop=True)


def cohort_matrix(
    ws: "Workspace", basis: str = "logo", grain: str = "month", unbounded: bool = False,
    account_filter: AccountFilter = NO_FILTER, as_of: dt.date | str | None = None,
) -> CohortMatrix:
    """The cohort matrix for `basis` (logo, grr, nrr, activity) at `grain` (month, quarter).

    `unbounded` applies to the activity basis only: "active in period k or later"."""
    _check(basis, grain)
    win = window(ws, as_of)
    if win is None:
        return _empty(basis, grain, unbounded, None)
    cells = retention_query(ws, "cohort_matrix", win, account_filter,
                            variant=_variant(basis, unbounded), grain=grain)
    if cells.empty:
        return _empty(basis, grain, unbounded, win.last_month)
    return _from_cells(basis, grain, unbounded, win.last_month, cells)


def cohort_long(
    ws: "Workspace", basis: str = "logo", grain: str = "month", unbounded: bool = False,
    account_filter: AccountFilter = NO_FILTER, as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """The `cohorts` CLI output: cohort, period, cohort_size, value (fraction); censored omitted."""
    return cohort_matrix(ws, basis, grain, unbounded, account_filter, as_of).long()


def cell_accounts(
    ws: "Workspace", basis: str, cohort: str | dt.date, period: int, grain: str = "month",
    unbounded: bool = False, account_filter: AccountFilter = NO_FILTER,
    as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """The accounts of one cell with status retained / lost (logo, nrr, grr: MRR > 0 at the
    cell's month; activity: active in it, or in it or later when unbounded), with start month,
    starting MRR and MRR at the period. Empty when the cell is censored or does not exist."""
    _check(basis, grain)
    cohort_first = parse_cohort(cohort, grain) if not isinstance(cohort, dt.date) else cohort
    win = window(ws, as_of)
    if win is None or int(period) < 0:
        return pd.DataFrame(columns=["account_id", "status"])
    return retention_query(ws, "cohort_cell_accounts", win, account_filter,
                           variant=_variant(basis, unbounded), grain=grain, cohort=cohort_first,
                           period=int(period))


def is_censored(cohort: dt.date, period: int, grain: str, last_month: dt.date,
                last_start: dt.date | None = None) -> bool:
    """Whether cell (cohort, period) is complete only after the last complete month.

    `last_start`: the cohort's latest start month (CohortMatrix.cell_censored knows it); without
    it the latest possible one is assumed (the quarter's last month), the safe answer."""
    return value_month(cohort, period, grain, last_start) > last_month


def value_month(cohort: dt.date, period: int, grain: str, last_start: dt.date | None = None) -> dt.date:
    """The month cell (cohort, period) is complete: month c+k at month grain; at quarter grain the
    last month of the block of the cohort's latest start (default: the quarter's last month)."""
    if grain == "quarter":
        start = last_start or add_months(cohort, 2)
        return add_months(start, 3 * int(period) + 2)
    return add_months(cohort, int(period))


def cohort_label(cohort: dt.date | pd.Timestamp, grain: str) -> str:
    """YYYY-MM at month grain, YYYY-Qn at quarter grain."""
    if grain == "quarter":
        return f"{cohort.year}-Q{(cohort.month - 1) // 3 + 1}"
    return f"{cohort.year:04d}-{cohort.month:02d}"


def parse_cohort(text: str, grain: str = "month") -> dt.date:
    """First day of the cohort named YYYY-MM (month) or YYYY-Qn / YYYY-MM (quarter)."""
    text = str(text).strip()
    match = re.fullmatch(r"(\d{4})-[Qq]([1-4])", text)
    if match:
        return dt.date(int(match.group(1)), 3 * (int(match.group(2)) - 1) + 1, 1)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text)
    if match and 1 <= int(match.group(2)) <= 12:
        month = dt.date(int(match.group(1)), int(match.group(2)), 1)
        if grain == "quarter":
            month = month.replace(month=3 * ((month.month - 1) // 3) + 1)
        return month
    raise ValueError(f"Expected a cohort as YYYY-MM or YYYY-Qn, got {text!r}.")


# -- internals ------------------------------------------------------------------------------

def _check(basis: str, grain: str) -> None:
    if basis not in BASES:
        raise ValueError(f"Unknown basis {basis!r}; choose one of {', '.join(BASES)}.")
    if grain not in GRAINS:
        raise ValueError(f"Unknown grain {grain!r}; choose month or quarter.")


def _variant(basis: str, unbounded: bool) -> str:
    return "activity_unbounded" if basis == "activity" and unbounded else basis


def _empty(basis: str, grain: str, unbounded: bool, last_month: dt.date | None) -> CohortMatrix:
    cells = pd.DataFrame({
        "cohort": pd.Series(dtype="datetime64[ns]"), "cohort_label": pd.Series(dtype=object),
        "period": pd.Series(dtype="int64"), "value_month": pd.Series(dtype="datetime64[ns]"),
        "cohort_size": pd.Series(dtype="int64"), "start_mrr": pd.Series(dtype="float64"),
        "retained": pd.Series(dtype="float64"), "value": pd.Series(dtype="float64"),
        "censored": pd.Series(dtype=bool),
    })
    sizes = pd.DataFrame({"cohort": pd.Series(dtype="datetime64[ns]"), "cohort_label": pd.Series(dtype=object),
                          "cohort_size": pd.Series(dtype="int64"), "start_mrr": pd.Series(dtype="float64")})
    return CohortMatrix(basis, grain, unbounded, last_month, cells, sizes)


def _from_cells(basis: str, grain: str, unbounded: bool, last_month: dt.date, cells: pd.DataFrame) -> CohortMatrix:
    cells["cohort"] = pd.to_datetime(cells["cohort"])
    cells["value_month"] = pd.to_datetime(cells["value_month"])
    cells["period"] = cells["period"].astype("int64")
    cells["cohort_size"] = cells["cohort_size"].astype("int64")
    cells["censored"] = cells["censored"].astype(bool)
    for col in ("start_mrr", "retained", "value"):
        cells[col] = cells[col].astype("float64")
    sizes = cells.loc[cells["period"] == 0, ["cohort", "cohort_label", "cohort_size", "start_mrr"]]
    return CohortMatrix(basis, grain, unbounded, last_month, cells, sizes.reset_index(drop=True))
