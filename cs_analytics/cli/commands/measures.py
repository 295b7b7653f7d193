"""CLI command `measures` (docs/spec/cli.md): the active scorecard's measures and the candidate
definitions the workspace's usage metrics and numeric attributes offer.

`--discover`: each candidate ranked by how well it alone predicts churn (health/discovery), best
first; without it `auc` is blank.
"""
from __future__ import annotations

import pandas as pd

from cs_analytics.cli.common import UserError, add_command, scorecard_from, workspace_from
from cs_analytics.core import config
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.discovery import discover
from cs_analytics.health.candidates import candidate_definitions
from cs_analytics.health.definitions import compute_raw_values, unavailable_reasons
from cs_analytics.health.scoring import population

COLUMNS = ["measure", "source", "direction", "auc", "accounts", "in_scorecard", "unit", "definition"]


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    p = add_command(subparsers, common, "measures", cmd_measures, "measures and candidate measures",
                    "The active scorecard's measures and the candidate measures defined from the "
                    "workspace's usage metrics and numeric account attributes: source, direction, the "
                    "customers with a value at --as-of, unit and plain-language definition.",
                    scorecard=True)
    p.add_argument("--discover", action="store_true",
                   help="rank every candidate by how well it alone predicts churn (AUC, best first)")
    p.add_argument("--horizon-days", type=int, default=config.DEFAULT_HORIZON_DAYS, dest="horizon_days",
                   help=f"with --discover: churn horizon in days (default {config.DEFAULT_HORIZON_DAYS})")


def measures_table(ws, scorecard, as_of) -> pd.DataFrame:
    """One row per scorecard measure then per candidate; accounts = customers on as_of with a value."""
    day = resolve_as_of(ws, as_of)
    rows = [(s.resolved_definition, s.direction, True) for s in scorecard.measures]
    rows += [(d, d.default_direction, False)
             for d in candidate_definitions(ws, taken=set(scorecard.measure_names))]
    counts = {}
    if day is not None:
        customers = set(population(ws, [day])["account_id"])
        missing = unavailable_reasons(ws, [d for d, _, _ in rows], day)
        computable = [d for d, _, _ in rows if d.name not in missing]
        raw = compute_raw_values(ws, computable, [day], account_ids=sorted(customers))
        counts = {d.name: int(raw[d.name].notna().sum()) for d in computable}
    return pd.DataFrame(
        [{"measure": d.name, "source": d.source, "direction": direction, "auc": None,
          "accounts": counts.get(d.name, 0), "in_scorecard": in_scorecard, "unit": d.unit(),
          "definition": d.describe()} for d, direction, in_scorecard in rows],
        columns=COLUMNS,
    )


def cmd_measures(args) -> pd.DataFrame:
    ws = workspace_from(args, need_data=True)
    if args.discover:
        return discovery_table(ws, args.horizon_days, args.as_of)
    return measures_table(ws, scorecard_from(args, ws), args.as_of)


DISCOVERY_COLUMNS = ["measure", "source", "direction", "auc", "accounts", "churned", "unit", "definition"]


def discovery_table(ws, horizon_days: int, as_of) -> pd.DataFrame:
    """Every candidate ranked by its AUC alone (health.discovery), best first; churned = churned
    rows among those with a value. A workspace without churn truth is a user error."""
    if horizon_days < 1:
        raise UserError("--horizon-days must be at least 1.")
    found = discover(ws, horizon_days, as_of=as_of)
    if found.candidates.empty:
        raise UserError(found.empty_reason or "No candidate measure has values.")
    out = found.candidates.copy()
    out["auc"] = out["auc"].round(4)
    out["unit"] = [found.definitions[n].unit() for n in out["measure"]]
    out["definition"] = out["description"]
    return out[DISCOVERY_COLUMNS]
