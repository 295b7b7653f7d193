"""Survival view: Kaplan-Meier estimate of customer lifetime in months, by group, with log-rank.

Definitions (docs/spec/metrics.md, Cohorts): lifetime = first churn month - first customer
month: a customer for months s..e and not in e+1 has lifetime e+1-s. An account that is a
customer in the last complete month L is right-censored at L - s. Reactivation after a churn
does not restart the clock (the first churn counts). Curves are lifelines' KaplanMeierFitter with
its (exponential Greenwood) confidence band; groups are compared with lifelines' log-rank test
(the multivariate form for more than two groups).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cs_analytics.core.filters import ACCOUNT_COLUMNS, NO_FILTER, AccountFilter
from cs_analytics.retention.months import retention_query, window
from cs_analytics.core.tables import quote_identifier

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

ALL_GROUP = "all"
MISSING_GROUP = "(none)"
SIGNIFICANCE = 0.05
CLI_COLUMNS = ("group", "month", "at_risk", "churned", "survival")
DEFINITION = (
    "Kaplan-Meier estimate of customer lifetime in months, compared across segments with a "
    "log-rank test. Lifetime = first churn month - first customer month (a customer for months "
    "s..e and not in e+1 has lifetime e+1-s). An account that is a customer in the last complete "
    "month L is right-censored at L - s: it was observed through L without churning. "
    "Reactivation after a churn does not restart the clock (first churn counts)."
)


@dataclass(frozen=True)
class LogRankResult:
    """The log-rank comparison of lifetimes between groups, with a sentence stating it."""

    by: str | None
    groups: tuple[str, ...]
    test_statistic: float | None
    p_value: float | None
    statement: str


@dataclass(frozen=True)
class SurvivalResult:
    by: str | None
    lifetimes: pd.DataFrame
    curves: pd.DataFrame
    medians: pd.DataFrame
    logrank: LogRankResult
    last_month: dt.date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def group_columns(ws: "Workspace") -> list[str]:
    """Account columns and attribute names that lifetimes can be split by."""
    columns = [c for c in ACCOUNT_COLUMNS if c != "account_name"]
    attrs = ws.query_named("retention/attribute_names")["name"].tolist()
    return columns + [a for a in attrs if a not in columns]


def lifetimes(
    ws: "Workspace", by: str | None = None, account_filter: AccountFilter = NO_FILTER,
    as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """One row per account that was ever a customer (through the last complete month):
    account_id, group, start_month, churn_month, duration_months, churned (False = censored)."""
    columns = ["account_id", "group", "start_month", "churn_month", "duration_months", "churned"]
    win = window(ws, as_of)
    groups = _groups(ws, by)  # validates `by` even without data
    if win is None:
        return pd.DataFrame(columns=columns)
    frame = retention_query(ws, "lifetimes", win, account_filter)
    if by is None:
        frame["group"] = ALL_GROUP
    else:
        frame["group"] = frame["account_id"].map(groups).fillna(MISSING_GROUP).astype(str)
    frame["duration_months"] = frame["duration_months"].astype("int64")
    frame["churned"] = frame["churned"].astype(bool)
    return frame[columns]


def survival_analysis(
    ws: "Workspace", by: str | None = None, account_filter: AccountFilter = NO_FILTER,
    as_of: dt.date | str | None = None, ci_alpha: float = 0.05,
) -> SurvivalResult:
    """Lifetimes, KM curves with bands, medians per group and the log-rank result, in one go."""
    life = lifetimes(ws, by, account_filter, as_of)
    win = window(ws, as_of)
    return SurvivalResult(
        by=by,
        lifetimes=life,
        curves=km_curves_from(life, ci_alpha),
        medians=medians_from(life),
        logrank=logrank_from(life, by),
        last_month=None if win is None else win.last_month,
    )


def km_curves(
    ws: "Workspace", by: str | None = None, account_filter: AccountFilter = NO_FILTER,
    as_of: dt.date | str | None = None, ci_alpha: float = 0.05,
) -> pd.DataFrame:
    """group, month, at_risk, churned, censored, survival, ci_lower, ci_upper (see km_curves_from)."""
    return km_curves_from(lifetimes(ws, by, account_filter, as_of), ci_alpha)


def survival_table(
    ws: "Workspace", by: str | None = None, account_filter: AccountFilter = NO_FILTER,
    as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """The `survival` CLI output: group, month, at_risk, churned, survival."""
    return km_curves(ws, by, account_filter, as_of)[list(CLI_COLUMNS)]


def km_curves_from(life: pd.DataFrame, ci_alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan-Meier per group at every month 0..max lifetime of the group.

    at_risk: accounts with lifetime >= month; churned / censored: lifetimes ending at month with
    or without a churn; survival: the KM estimate S(month) (probability of lifetime > month);
    ci_lower / ci_upper: lifelines' (1 - ci_alpha) confidence band."""
    from lifelines import KaplanMeierFitter

    columns = ["group", "month", "at_risk", "churned", "censored", "survival", "ci_lower", "ci_upper"]
    parts = []
    for group, sub in life.groupby("group", sort=True):
        durations = sub["duration_months"].to_numpy()
        events = sub["churned"].to_numpy()
        months = np.arange(0, int(durations.max()) + 1)
        kmf = KaplanMeierFitter(alpha=ci_alpha)
        kmf.fit(durations, event_observed=events, timeline=months, label=str(group))
        band = kmf.confidence_interval_survival_function_
        parts.append(pd.DataFrame({
            "group": str(group),
            "month": months,
            "at_risk": [(durations >= m).sum() for m in months],
            "churned": [((durations == m) & events).sum() for m in months],
            "censored": [((durations == m) & ~events).sum() for m in months],
            "survival": kmf.survival_function_.iloc[:, 0].to_numpy(),
            "ci_lower": band.iloc[:, 0].to_numpy(),
            "ci_upper": band.iloc[:, 1].to_numpy(),
        }))
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    for col in ("month", "at_risk", "churned", "censored"):
        out[col] = out[col].astype("int64")
    return out[columns]


def medians_from(life: pd.DataFrame) -> pd.DataFrame:
    """group, accounts, churned, median_lifetime_months (NaN when the curve never reaches 0.5)."""
    from lifelines import KaplanMeierFitter

    rows = []
    for group, sub in life.groupby("group", sort=True):
        kmf = KaplanMeierFitter().fit(sub["duration_months"], sub["churned"])
        median = float(kmf.median_survival_time_)
        rows.append([str(group), len(sub), int(sub["churned"].sum()), median if np.isfinite(median) else np.nan])
    return pd.DataFrame(rows, columns=["group", "accounts", "churned", "median_lifetime_months"])


def logrank_from(life: pd.DataFrame, by: str | None) -> LogRankResult:
    """Log-rank test between the groups of `life` (multivariate when more than two groups)."""
    from lifelines.statistics import logrank_test, multivariate_logrank_test

    groups = tuple(sorted(life["group"].unique().tolist())) if not life.empty else ()
    what = _plural(by)
    if by is None or len(groups) < 2:
        return LogRankResult(by, groups, None, None,
                             f"Choose an attribute with at least two groups to compare lifetimes between {what}.")
    if life["churned"].sum() == 0:
        return LogRankResult(by, groups, None, None,
                             f"No churn observed yet, so lifetimes between {what} cannot be compared.")
    if len(groups) == 2:
        a = life[life["group"] == groups[0]]
        b = life[life["group"] == groups[1]]
        result = logrank_test(a["duration_months"], b["duration_months"], a["churned"], b["churned"])
    else:
        result = multivariate_logrank_test(life["duration_months"], life["group"], life["churned"])
    p_value = float(result.p_value)
    statistic = float(result.test_statistic)
    return LogRankResult(by, groups, statistic, p_value, logrank_statement(what, p_value))


def logrank_statement(what: str, p_value: float) -> str:
    """'Lifetimes differ between segments (log-rank p = 0.003)' or the no-evidence sentence."""
    shown = "< 0.001" if p_value < 0.001 else f"= {p_value:.3f}"
    if p_value < SIGNIFICANCE:
        return f"Lifetimes differ between {what} (log-rank p {shown})."
    return f"No evidence that lifetimes differ between {what} (log-rank p {shown})."


def _plural(by: str | None) -> str:
    if not by:
        return "groups"
    word = by.replace("_", " ")
    if word == "csm owner":
        return "CSM owners"
    return word if word.endswith("s") else word + "s"


def _groups(ws: "Workspace", by: str | None) -> dict[str, str]:
    """account_id -> group value for an account column or attribute name."""
    if by is None:
        return {}
    if by in ACCOUNT_COLUMNS:
        frame = ws.query(f"SELECT account_id, CAST({quote_identifier(by)} AS VARCHAR) AS g FROM accounts")
    else:
        if by not in group_columns(ws):
            options = ", ".join(group_columns(ws))
            raise ValueError(f"Unknown account column or attribute {by!r}; choose one of {options}.")
        frame = ws.query_named("retention/attribute_groups", {"name": by})
    return dict(zip(frame["account_id"], frame["g"]))
