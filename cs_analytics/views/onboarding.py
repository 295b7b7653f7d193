"""The Onboarding page's numbers (metrics.md, Onboarding and activation) as typed results: the
rule in force, activation per start cohort, the activation curve, the "three months or never"
test, activated versus not (retention, Kaplan-Meier, log-rank) and the activation finder. The
CLI's `activation` command prints `summary` of the same result."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.filters import AccountFilter
from cs_analytics.core.settings import get_setting
from cs_analytics.onboarding import activation as act
from cs_analytics.onboarding import outcomes as out
from cs_analytics.onboarding.finder import FinderResult, find_activation_rule
from cs_analytics.onboarding.rule import ANY_METRIC, ActivationRule, parse_rule
from cs_analytics.retention.survival import SurvivalResult

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

GRAINS = ("month", "quarter")
DEFINITION = (
    "**Start**: the first day of the account's first customer month (month-end MRR > 0) when the "
    "workspace has contracts; without contracts, its first day with a usage row of value > 0. "
    "**Activated** on the first day d < W since start (the start is day 0) on which the rule holds, "
    "counting usage from the start through the as-of (usage before the start is ignored). "
    "**Activated within N days**: among accounts whose start + N days is on or before the as-of "
    "(blank when none is); the count of those accounts is shown. **Time to activation**: median "
    "and 75th percentile of the days to activation of accounts observed for the whole window that "
    "activated. **Not activated**: observed for the whole window (start + W <= as-of) and not activated; "
    "**pending**: not activated yet, window not over."
)
LATER_DEFINITION = (
    "Of the accounts not activated by W and observed for {follow_up} days after start, the share whose "
    "rule (same metric, kind and threshold, no window) first holds on a day W <= d < {follow_up}. The claim "
    "is read as holding when at most 20% of them do."
)
FINDER_DEFINITION = (
    "Candidates: metric (each and any) x kind x threshold (the 10/25/50/75th percentiles of the fitting "
    "accounts' cumulative value in their first 90 days) x window (7, 14, 30, 60, 90 days). Outcome: 12-month "
    "retention, i.e. not churned within (start, start + 365 days] with contracts, or active in the start "
    "month + 12 from usage alone, for accounts whose 365 days are observed. The accounts, sorted by start "
    "month, split in two halves: the earlier fit, the later validate. Separation = 12-month retention of "
    "activated minus that of not activated accounts; both groups need at least max(15, 5% of accounts). "
    "The winner has the largest fitted separation; it holds on the later cohorts when its separation "
    "there is at least half the fitted one with p < 0.05 (two-proportion z-test)."
)
RETENTION_LABELS = {"contracts": "Logo retention", "usage": "Activity retention"}
RETENTION_DEFINITIONS = {
    "contracts": "Logo retention at month k since start: share of the accounts observed at month k "
                 "(start month + k <= last complete month) with month-end MRR > 0 in the start month + k.",
    "usage": "Activity retention at month k since start: share of the accounts observed at month k with "
             "any usage of value > 0 in the start month + k (no contracts, so no logo retention or survival). "
             "Months inside the window partly restate the rule itself (activity then is what activates); "
             "read the months after W.",
}


@dataclass(frozen=True)
class OnboardingView:
    """Everything the page shows for one rule (see the module docstring)."""

    rule: ActivationRule
    basis: str
    as_of: dt.date | None
    metrics: tuple[str, ...]
    accounts: pd.DataFrame
    cohorts: pd.DataFrame
    cohort_table: pd.DataFrame
    curve: pd.DataFrame
    later: act.LaterActivation
    retention: pd.DataFrame
    survival: SurvivalResult | None
    summary: dict
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def retention_label(self) -> str:
        return RETENTION_LABELS[self.basis]

    @property
    def not_yet_activated(self) -> pd.DataFrame:
        """The accounts not activated (window over) and pending, newest start first: who CS ops
        should look at (account_id, segment, start_date, status, observed_days, first_day)."""
        frame = self.accounts[self.accounts["status"] != "activated"]
        columns = ["account_id", "segment", "start_date", "status", "observed_days", "first_day"]
        return frame.sort_values(["start_date", "account_id"], ascending=[False, True])[columns].reset_index(drop=True)


def rule_in_force(ws: "Workspace", rule_json: str | None = None) -> ActivationRule:
    """The rule given as JSON, else the workspace's saved `activation_rule`."""
    return parse_rule(rule_json if rule_json is not None else get_setting(ws, "activation_rule"))


def usage_metrics(ws: "Workspace") -> tuple[str, ...]:
    return tuple(ws.query_named("onboarding/metrics")["metric"].tolist())


def build(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None, rule_json: str | None = None,
          grain: str = "month", by_segment: bool = False) -> OnboardingView:
    """The page's result for the rule (None: the saved rule), start-cohort grain and segment split."""
    if grain not in GRAINS:
        raise ValueError(f"The cohort grain must be month or quarter, got {grain!r}.")
    rule = rule_in_force(ws, rule_json)
    accounts, starts = act.account_activation(ws, rule, account_filter, as_of)
    cohorts = act.by_cohort(accounts, rule.window_days, grain, by_segment)
    later = act.later_activation(accounts, rule.window_days)
    monthly = out.retained_by_month(ws, starts)
    survival = None
    if starts.basis == "contracts" and not accounts.empty:
        survival = out.activation_survival(ws, accounts, account_filter, as_of)
    metrics = usage_metrics(ws)
    return OnboardingView(
        rule=rule, basis=starts.basis, as_of=None if starts.win is None else starts.win.as_of, metrics=metrics,
        accounts=accounts, cohorts=cohorts, cohort_table=cohort_display(cohorts),
        curve=act.activation_curve(accounts, rule.window_days, by_segment), later=later,
        retention=out.retention_curves(monthly, accounts), survival=survival,
        summary=summary(rule, accounts, cohorts, later), notes=notes(rule, metrics, accounts),
    )


def notes(rule: ActivationRule, metrics: tuple[str, ...], accounts: pd.DataFrame) -> tuple[str, ...]:
    """Sentences the page shows above the numbers (unknown metric, no usage)."""
    found = []
    if not metrics and not accounts.empty:
        found.append("There is no usage data, so no account can activate: load usage to measure activation.")
    elif rule.metric != ANY_METRIC and rule.metric not in metrics:
        found.append(f"The rule's metric {rule.metric!r} has no usage rows, so no account activates; "
                     f"the metrics are {', '.join(metrics) or 'none'}.")
    return tuple(found)


def summary(rule: ActivationRule, accounts: pd.DataFrame, cohorts: pd.DataFrame, later: act.LaterActivation) -> dict:
    """The `activation` command's JSON (docs/spec/cli.md): overall figures and by_cohort rows."""
    overall = act.shares(accounts, rule.window_days)
    return {
        "rule": {"metric": rule.metric, "kind": rule.kind, "threshold": rule.threshold, "window_days": rule.window_days},
        "accounts": overall["accounts"],
        **{f"activated_within_{d}_days": _clean(overall[f"activated_within_{d}_days"]) for d in act.SHARE_DAYS},
        "not_activated_by_window": int((accounts["status"] == "not_activated").sum()),
        "pending": int((accounts["status"] == "pending").sum()),
        "follow_up_days": later.follow_up_days,
        "not_activated_followed_up": later.not_activated,
        "of_those_activated_later": later.activated_later,
        "activated_later_share": later.share,
        "median_days_to_activation": _clean(overall["median_days_to_activation"]),
        "p75_days_to_activation": _clean(overall["p75_days_to_activation"]),
        "by_cohort": [{k: _clean(v) for k, v in row.items()} for row in cohorts.to_dict("records")],
    }


def _clean(value):
    """NaN as None (JSON null); numpy scalars as Python numbers."""
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value


def cohort_display(cohorts: pd.DataFrame) -> pd.DataFrame:
    """The cohort table as read: shares as '64% of 22' (blank when no account is observed N days),
    days as whole numbers (blank when none activated)."""
    rows = []
    for row in cohorts.to_dict("records"):
        shown = {"Cohort": row["cohort"], "Segment": row["segment"], "Accounts": row["accounts"]}
        for days in act.SHARE_DAYS:
            share, observed = row[f"activated_within_{days}_days"], row[f"observed_{days}_days"]
            shown[f"Within {days} days"] = "" if not observed else f"{share:.0%} of {observed}"
        for key, label in (("median_days_to_activation", "Median days"), ("p75_days_to_activation", "75th pct days")):
            shown[label] = "" if pd.isna(row[key]) else f"{row[key]:.0f}"
        rows.append(shown)
    columns = ["Cohort", "Segment", "Accounts", *[f"Within {d} days" for d in act.SHARE_DAYS], "Median days", "75th pct days"]
    return pd.DataFrame(rows, columns=columns)


def finder(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None,
           rule_json: str | None = None) -> FinderResult:
    """The activation finder's result, with the rule in force scored beside the winner."""
    return find_activation_rule(ws, rule_in_force(ws, rule_json), account_filter, as_of)


FINDER_COLUMNS = {
    "metric": "Metric", "kind": "Kind", "threshold": "Threshold", "window_days": "Window (days)",
    "fit_activated": "Fit: activated", "fit_not_activated": "Fit: not activated",
    "fit_separation": "Fit: separation", "validate_activated": "Later: activated",
    "validate_not_activated": "Later: not activated", "validate_separation": "Later: separation",
    "validate_p_value": "Later: p",
}


def finder_table(result: FinderResult, top: int = 10) -> pd.DataFrame:
    """The best `top` candidates with readable column names."""
    if result.candidates.empty:
        return pd.DataFrame(columns=list(FINDER_COLUMNS.values()))
    return result.candidates.head(top)[list(FINDER_COLUMNS)].rename(columns=FINDER_COLUMNS)


def usage_metrics_view(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None) -> tuple[str, ...]:
    """The usage metrics a rule can name (the builder signature cached_view expects)."""
    return usage_metrics(ws)


def finder_sentences(result: FinderResult) -> list[str]:
    """The finder's verdict as the page states it: the winner, fit and later cohorts, the rule in force."""
    best, default = result.winner_row, result.default_row
    lines = [
        f"Best rule: {result.winner.describe()}.",
        f"Fitted on starts {result.fit_cohorts[0]} to {result.fit_cohorts[1]}: 12-month retention "
        f"{best['fit_retention_activated']:.0%} activated ({best['fit_activated']}) vs "
        f"{best['fit_retention_not_activated']:.0%} not activated ({best['fit_not_activated']}), "
        f"separation {best['fit_separation']:.2f}.",
        f"Checked on starts {result.validate_cohorts[0]} to {result.validate_cohorts[1]}: "
        f"{best['validate_retention_activated']:.0%} ({best['validate_activated']}) vs "
        f"{best['validate_retention_not_activated']:.0%} ({best['validate_not_activated']}), separation "
        f"{best['validate_separation']:.2f} (p {_p(best['validate_p_value'])}): "
        + ("it holds on the later cohorts." if result.holds else "it does NOT hold on the later cohorts."),
    ]
    if default is not None:
        lines.append(f"The rule in force separates {default['fit_separation']:.2f} on the earlier and "
                     f"{default['validate_separation']:.2f} on the later cohorts "
                     f"({default['fit_not_activated']} and {default['validate_not_activated']} not activated).")
    return lines


def _p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"= {value:.3f}"
