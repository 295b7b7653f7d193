"""CLI commands of the health group (see docs/spec/cli.md): health, explain, backtest."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from cs_analytics.core import config


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    p = subparsers.add_parser(
        "health", parents=[common], help="health scores as of --as-of",
        description="Health score per customer as of --as-of (default: the workspace's as_of setting, else the data's), with each "
                    "measure's raw value, normalised score and points.",
    )
    p.add_argument("--scorecard", metavar="FILE", help="a scorecard JSON file (default: the active version)")
    p.add_argument("--where", action="append", default=[], metavar="COL=VALUE", help="account filter, repeatable")
    p.set_defaults(handler=cmd_health)

    p = subparsers.add_parser(
        "explain", parents=[common], help="one account's score explanation",
        description="Each measure's raw value, score, weight, points and difference from the portfolio "
                    "for one account; the points add up to the score.",
    )
    p.add_argument("account_id", metavar="ACCOUNT_ID")
    p.add_argument("--scorecard", metavar="FILE", help="a scorecard JSON file (default: the active version)")
    p.set_defaults(handler=cmd_explain)

    p = subparsers.add_parser(
        "backtest", parents=[common], help="does the score predict churn",
        description="Backtest the score against churn within the horizon: AUC, churn per band, the "
                    "fitted model's AUC and suggested weights (JSON).",
    )
    p.add_argument("--horizon-days", type=int, default=config.DEFAULT_HORIZON_DAYS, dest="horizon_days",
                   help=f"churn horizon in days (default {config.DEFAULT_HORIZON_DAYS})")
    p.add_argument("--scorecard", metavar="FILE", help="a scorecard JSON file (default: the active version)")
    p.add_argument("--where", action="append", default=[], metavar="COL=VALUE", help="account filter, repeatable")
    p.set_defaults(handler=cmd_backtest)


def _scorecard(args, ws):
    from cs_analytics.cli.main import UserError
    from cs_analytics.health.scorecard import Scorecard, active_scorecard

    if not getattr(args, "scorecard", None):
        return active_scorecard(ws)
    path = Path(args.scorecard)
    if not path.is_file():
        raise UserError(f"The scorecard file {path} does not exist.")
    try:
        return Scorecard.from_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserError(f"The scorecard file {path} is not valid: {exc}") from None


def _filter(args):
    from cs_analytics.cli.main import UserError
    from cs_analytics.core.filters import AccountFilter

    try:
        return AccountFilter.from_pairs(getattr(args, "where", []) or [])
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _workspace(args):
    from cs_analytics.cli.main import UserError, workspace_from
    from cs_analytics.core.workspace import data_as_of

    ws = workspace_from(args)
    args.workspace_opened = True
    if data_as_of(ws) is None:
        raise UserError("The workspace has no data; load the demo or ingest files first.")
    return ws


def cmd_health(args) -> pd.DataFrame:
    from cs_analytics.health.scoring import score_accounts

    ws = _workspace(args)
    sc = _scorecard(args, ws)
    frame = score_accounts(ws, args.as_of, sc, _filter(args))
    cols = ["account_id", "score", "band"]
    for name in sc.measure_names:
        cols += [f"{name}_raw", f"{name}_score", f"{name}_points"]
    out = frame[cols].copy()
    num = out.select_dtypes("number").columns
    out[num] = out[num].round(4)
    return out.sort_values("account_id").reset_index(drop=True)


def cmd_explain(args) -> pd.DataFrame:
    from cs_analytics.cli.main import UserError
    from cs_analytics.health.scoring import explain_account

    ws = _workspace(args)
    sc = _scorecard(args, ws)
    try:
        explanation = explain_account(ws, args.account_id, args.as_of, sc)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    out = explanation.cli_table().copy()
    num = out.select_dtypes("number").columns
    out[num] = out[num].round(4)
    return out


def cmd_backtest(args) -> dict:
    from cs_analytics.health.backtest import run_backtest
    from cs_analytics.cli.main import UserError

    if args.horizon_days < 1:
        raise UserError("--horizon-days must be at least 1.")
    ws = _workspace(args)
    sc = _scorecard(args, ws)
    result = run_backtest(ws, args.horizon_days, sc, _filter(args), as_of=args.as_of)
    return result.to_dict()
