"""Which of my signals predict churn? Every candidate measure ranked by how well it alone separates
churners (metrics.md, Measure discovery).

- Candidates (health.candidates): for each usage metric and for all metrics together: sum of
  value, days with usage and distinct users (when usage has user_id) in the 30 days ending T, the
  30-day sum as a trend (this window / the previous one), and days since the last usage row; plus
  each numeric account attribute. Each is a `MeasureDefinition` (health.definitions), so it can
  join a scorecard as is.
- Rows: the outcome plan of the backtest (core.outcomes): the latest DISCOVERY_SNAPSHOTS snapshot
  dates (or the one snapshot labelled by the churn list), the population at each T and churned
  within (T, T+H] (or listed as churned).
- AUC of the candidate's raw value alone on the rows where it has a value, taken as a churn risk;
  reported as max(auc, 1 - auc) with its direction: "higher" (higher is better: higher values
  went with less churn) when auc < 0.5, else "lower". Accounts: distinct accounts with a value.
  A candidate with the same value for every account (e.g. days since last use in a one-day
  export) separates nothing and is left out.
- Ranking: candidates covering at least MIN_COVERAGE_SHARE of the accounts come first, by AUC
  (best first); the others follow, by AUC (`well_covered` False): an AUC read on a few accounts
  is not evidence about the book.
- Churn rate by bin: one bin per distinct value when there are at most MAX_DISTINCT_BINS of them,
  else deciles of the value (ties kept together); lower, upper, rows, churned, churn rate.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.core.outcomes import churn_outcomes, outcome_plan
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.candidates import candidate_definitions
from cs_analytics.health.definitions import MeasureDefinition, compute_raw_values
from cs_analytics.health.evaluation import auc
from cs_analytics.health.scorecard import Scorecard
from cs_analytics.health.scoring import population

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

DISCOVERY_SNAPSHOTS = 6
MAX_DISTINCT_BINS = 12
DECILES = 10
MIN_COVERAGE_SHARE = 0.5
CANDIDATE_COLUMNS = ["measure", "description", "source", "direction", "auc", "accounts", "well_covered",
                     "rows", "churned"]
Progress = Callable[[float, str], None]


@dataclass
class Discovery:
    """Candidates ranked by AUC (best first), their definitions and churn rate by bin."""

    candidates: pd.DataFrame
    definitions: dict[str, MeasureDefinition] = field(default_factory=dict)
    bins: dict[str, pd.DataFrame] = field(default_factory=dict)
    snapshot_dates: list[dt.date] = field(default_factory=list)
    outcome_note: str = ""
    empty_reason: str | None = None


def discover(ws: "Workspace", horizon_days: int, account_filter: AccountFilter = NO_FILTER, as_of=None,
             progress: Progress | None = None) -> Discovery:
    """Rank every candidate by its AUC alone against churn (module docstring)."""
    progress = progress or (lambda fraction, message: None)
    plan = outcome_plan(ws, horizon_days, resolve_as_of(ws, as_of))
    empty = pd.DataFrame(columns=CANDIDATE_COLUMNS)
    if plan.source is None or not plan.dates:
        reason = plan.description if plan.source is None else (
            f"The data is too short: no month-end T with T + {horizon_days} days on or before the as-of date.")
        return Discovery(empty, outcome_note=plan.description, empty_reason=reason)
    dates = list(plan.dates)[-DISCOVERY_SNAPSHOTS:]
    definitions = {d.name: d for d in candidate_definitions(ws)}
    progress(0.1, f"Computing {len(definitions)} candidate measures")
    rows = _labelled_rows(ws, dates, horizon_days, plan.label_only, account_filter)
    raw = compute_raw_values(ws, list(definitions.values()), dates)
    rows = rows.merge(raw, on=["as_of", "account_id"], how="left")
    progress(0.7, "Ranking candidates")
    if rows["churned"].nunique() < 2:
        return Discovery(empty, definitions, snapshot_dates=dates, outcome_note=plan.description,
                         empty_reason="No account churned on these snapshots (or every one did): nothing to rank against.")
    table = pd.DataFrame([_rank_row(name, d, rows) for name, d in definitions.items()])
    table["well_covered"] = table["accounts"] >= MIN_COVERAGE_SHARE * rows["account_id"].nunique()
    table = table.dropna(subset=["auc"]).sort_values(["well_covered", "auc", "accounts"], ascending=False)
    bins = {name: churn_rate_by_bin(rows[name], rows["churned"]) for name in table["measure"]}
    progress(1.0, "Done")
    return Discovery(table.reset_index(drop=True)[CANDIDATE_COLUMNS], definitions, bins, dates, plan.description)


def churn_rate_by_bin(values: pd.Series, churned: pd.Series) -> pd.DataFrame:
    """bin, lower, upper, rows, churned, churn_rate over the rows with a value (module docstring)."""
    data = pd.DataFrame({"x": values.to_numpy(dtype=float), "y": churned.to_numpy(dtype=int)}).dropna()
    if data.empty:
        return pd.DataFrame(columns=["bin", "lower", "upper", "rows", "churned", "churn_rate"])
    if data["x"].nunique() <= MAX_DISTINCT_BINS:
        data["bin"] = data["x"].rank(method="dense").astype(int)
    else:
        data["bin"] = pd.qcut(data["x"], DECILES, labels=False, duplicates="drop") + 1
    out = data.groupby("bin").agg(lower=("x", "min"), upper=("x", "max"), rows=("y", "size"),
                                  churned=("y", "sum")).reset_index()
    out["churn_rate"] = out["churned"] / out["rows"]
    return out


def _labelled_rows(ws, dates, horizon_days, label_only, account_filter) -> pd.DataFrame:
    """as_of, account_id, churned (0/1) for the population at each date, in the filter."""
    people = population(ws, dates)[["as_of", "account_id"]]
    outcomes = churn_outcomes(ws, dates, horizon_days, label_only=label_only)[["as_of", "account_id", "churned"]]
    rows = keep_filtered(ws, people.merge(outcomes, on=["as_of", "account_id"], how="inner"), account_filter)
    return rows.assign(churned=rows["churned"].astype(int)).reset_index(drop=True)


def _rank_row(name: str, definition: MeasureDefinition, rows: pd.DataFrame) -> dict:
    values = rows[name].to_numpy(dtype=float)
    y = rows["churned"].to_numpy(dtype=int)
    known = ~np.isnan(values)
    # a candidate with one value for every account separates nothing: left out of the ranking
    risk_auc = auc(y, values) if known.any() and np.ptp(values[known]) > 0 else None
    return {
        "measure": name, "description": definition.describe(), "source": definition.source,
        "direction": None if risk_auc is None else ("higher" if risk_auc < 0.5 else "lower"),
        "auc": None if risk_auc is None else max(risk_auc, 1.0 - risk_auc),
        "accounts": int(rows.loc[known, "account_id"].nunique()),
        "rows": int(known.sum()), "churned": int(y[known].sum()),
    }


def add_candidate(scorecard: Scorecard, definition: dict, direction: str, weight: float = 10.0) -> Scorecard:
    """A copy of `scorecard` with the candidate as an enabled measure (percentile normalisation,
    the direction discovery found, `weight`); a measure of the same name is replaced."""
    entry = {"name": definition["name"], "definition": definition, "enabled": True, "weight": weight,
             "direction": direction, "normalisation": "percentile"}
    data = scorecard.to_dict()
    data["measures"] = [m for m in data["measures"] if m["name"] != definition["name"]] + [entry]
    out = Scorecard.from_dict(data)
    out.version = 0
    return out
