"""The Cohorts page's numbers: the matrix with its table as read, the comparison's choices, a
cell's accounts split retained / lost, and the survival view with readable column names, as
typed results (see retention/cohorts.py and retention/survival.py for the definitions)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.charts.retention import cell_text
from cs_analytics.core.filters import AccountFilter
from cs_analytics.retention import cohorts as co
from cs_analytics.retention import survival as sv

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

COMPARED_COHORTS = 3
SIZE_COLUMN = "cohort_size"
MEDIAN_LABELS = {"group": "Group", "accounts": "Accounts", "churned": "Churned",
                 "median_lifetime_months": "Median lifetime (months)"}


@dataclass(frozen=True)
class CohortView:
    """matrix: the CohortMatrix; table: cohorts down (cohort_size first), one text column per
    period ("42.5%", or whole numbers in absolute view; blank = censored); labels: the cohort labels
    in order; compared: the cohorts the comparison chart starts with (always labels of this grain)."""

    matrix: co.CohortMatrix
    table: pd.DataFrame
    labels: tuple[str, ...]
    compared: tuple[str, ...]
    max_period: int


@dataclass(frozen=True)
class CellAccounts:
    """The accounts of one cell: all of them, and split by status."""

    accounts: pd.DataFrame
    retained: pd.DataFrame
    lost: pd.DataFrame


def cohort_view(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None,
                basis: str, grain: str, unbounded: bool, percent: bool) -> CohortView:
    """The matrix for basis / grain and how the page shows it."""
    matrix = co.cohort_matrix(ws, basis, grain, unbounded, account_filter, as_of)
    labels = tuple(matrix.sizes["cohort_label"].tolist())
    max_period = int(matrix.cells["period"].max()) if not matrix.cells.empty else 0
    return CohortView(matrix, matrix_table(matrix, percent), labels, default_compared(labels), max(0, max_period))


def matrix_table(matrix: co.CohortMatrix, percent: bool) -> pd.DataFrame:
    """Cohort labels down, "<grain> k" across, cells as written on the heatmap; size first."""
    wide = matrix.wide(percent=percent)
    if wide.empty:
        return pd.DataFrame(columns=[SIZE_COLUMN])
    table = wide.apply(lambda column: column.map(lambda v: cell_text(float(v), percent, decimals=1)))
    table.columns = [f"{matrix.grain} {p}" for p in wide.columns]
    table.insert(0, SIZE_COLUMN, matrix.sizes.set_index("cohort_label")[SIZE_COLUMN])
    table.index.name = "cohort"
    return table


def default_compared(labels: tuple[str, ...]) -> tuple[str, ...]:
    """Three cohorts about a year old (enough periods to compare), else the first three."""
    return tuple(list(labels[-13:-9])[-COMPARED_COHORTS:] or labels[:COMPARED_COHORTS])


def kept_choices(chosen: list[str] | tuple[str, ...] | None, view: CohortView) -> list[str]:
    """The chosen cohorts that exist at the view's grain; the defaults when none does (after a
    grain switch the month labels name no quarter cohort)."""
    kept = [c for c in (chosen or ()) if c in view.labels]
    return kept or list(view.compared)


def cell_view(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None, basis: str,
              cohort: dt.date, period: int, grain: str, unbounded: bool) -> CellAccounts:
    """The accounts of cell (cohort, period), retained and lost."""
    accounts = co.cell_accounts(ws, basis, cohort, period, grain, unbounded, account_filter, as_of)
    return CellAccounts(accounts, accounts[accounts["status"] == "retained"], accounts[accounts["status"] == "lost"])


def survival_view(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None,
                  by: str | None) -> sv.SurvivalResult:
    """Lifetimes, Kaplan-Meier curves, medians and the log-rank test, split by `by`."""
    return sv.survival_analysis(ws, by, account_filter, as_of)
