"""CLI commands of the health group (see docs/spec/cli.md): health, explain, backtest."""
from __future__ import annotations

import pandas as pd

from cs_analytics.cli.common import (
    UserError, account_filter_from, add_command, scorecard_from, workspace_from,
)
from cs_analytics.core import config
from cs_analytics.health.backtest import run_backtest
from cs_analytics.health.scoring import explain_account, score_accounts


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    add_command(subparsers, common, "health", cmd_health, "health scores as of --as-of",
                "Health score per customer as of --as-of (default: the workspace's as_of setting, else the "
                "data's), with each measure's raw value, normalised score and points.",
                where=True, scorecard=True)
    p = add_command(subparsers, common, "explain", cmd_explain, "one account's score explanation",
                    "Each measure's raw value, score, weight, points, difference from the portfolio, "
                    "plain-language definition and unit for one account; the points add up to the score.", scorecard=True)
    p.add_argument("account_id", metavar="ACCOUNT_ID")
    p = add_command(subparsers, common, "backtest", cmd_backtest, "does the score predict churn",
                    "Backtest the score against churn within the horizon (or the churn list's label on one "
                    "snapshot): AUC, churn per band and reasons, the fitted scorecard's AUC on held-out rows "
                    "with its bootstrap interval, the evaluation used (out_of_time or cv) and whether it "
                    "is offered (JSON).", where=True, scorecard=True)
    p.add_argument("--horizon-days", type=int, default=config.DEFAULT_HORIZON_DAYS, dest="horizon_days",
                   help=f"churn horizon in days (default {config.DEFAULT_HORIZON_DAYS})")


def _round(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its numbers rounded to 4 decimals (the CLI's output precision)."""
    out = frame.copy()
    num = out.select_dtypes("number").columns
    out[num] = out[num].round(4)
    return out


def cmd_health(args) -> pd.DataFrame:
    ws = workspace_from(args, need_data=True)
    sc = scorecard_from(args, ws) if args.scorecard else None  # None: the scorecards in force
    frame = score_accounts(ws, args.as_of, sc, account_filter_from(args))
    cols = ["account_id", "score", "band"]
    names = sc.measure_names if sc else [c[:-4] for c in frame.columns if c.endswith("_raw")]
    for name in names:
        cols += [f"{name}_raw", f"{name}_score", f"{name}_points"]
    return _round(frame[cols]).sort_values("account_id").reset_index(drop=True)


def cmd_explain(args) -> pd.DataFrame:
    ws = workspace_from(args, need_data=True)
    sc = scorecard_from(args, ws) if args.scorecard else None  # None: the account's scorecard in force
    try:
        explanation = explain_account(ws, args.account_id, args.as_of, sc)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return _round(explanation.cli_table())


def cmd_backtest(args) -> dict:
    if args.horizon_days < 1:
        raise UserError("--horizon-days must be at least 1.")
    ws = workspace_from(args, need_data=True)
    sc = scorecard_from(args, ws)
    result = run_backtest(ws, args.horizon_days, sc, account_filter_from(args), as_of=args.as_of)
    return result.to_dict()
