"""What every command shares: the common options, the user error, the workspace, the filter.

A command handler takes the parsed args; it opens its workspace with `workspace_from` (held
until the command ends), reads `--where` with `account_filter_from` and reports bad input by
raising `UserError` (one sentence on stderr, exit status 1).
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from cs_analytics.core.db import DEFAULT_WAIT_SECONDS, Workspace, open_workspace
from cs_analytics.core.filters import AccountFilter
from cs_analytics.core.workspace import data_as_of
from cs_analytics.health.scorecard import Scorecard, active_scorecard

NO_DATA = "The workspace has no data; load the demo or ingest files first."


class UserError(Exception):
    """Bad input from the user; the message is one clear sentence."""


def iso_date(text: str) -> dt.date:
    """A date typed as YYYY-MM-DD (argparse type)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}")


def seconds(text: str) -> float:
    """A number of seconds from 0 to 86400 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"expected a number of seconds from 0 to 86400, got {text!r}")
    return value


def common_options() -> argparse.ArgumentParser:
    """The options every command takes: --workspace, --format, --wait, --as-of."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", help="DuckDB workspace file (default $CS_ANALYTICS_DB, else data/workspace.duckdb)")
    common.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default table)")
    common.add_argument("--wait", type=seconds, default=DEFAULT_WAIT_SECONDS, metavar="SECONDS",
                        help=f"wait up to SECONDS for another process using the workspace (default {DEFAULT_WAIT_SECONDS:g})")
    common.add_argument("--as-of", type=iso_date, dest="as_of", help="as-of date YYYY-MM-DD (default: the workspace's as_of setting, else the data's last date)")
    return common


def add_command(subparsers, common: argparse.ArgumentParser, name: str, handler, summary: str,
                description: str, where: bool = False, scorecard: bool = False) -> argparse.ArgumentParser:
    """Add command `name` (with the common options) run by `handler`; `where` adds the repeatable
    `--where COL=VALUE` account filter, `scorecard` the `--scorecard FILE` option. Returns its
    parser for the command's own arguments."""
    parser = subparsers.add_parser(name, parents=[common], help=summary, description=description)
    if where:
        parser.add_argument("--where", action="append", default=[], metavar="COL=VALUE",
                            help="keep accounts whose column or attribute COL equals VALUE (repeatable)")
    if scorecard:
        parser.add_argument("--scorecard", metavar="FILE", help="a scorecard JSON file (default: the active version)")
    parser.set_defaults(handler=handler)
    return parser


def workspace_from(args: argparse.Namespace, need_data: bool = False) -> Workspace:
    """The command's workspace, held (leased) until the command ends; waits up to --wait seconds.

    The file is closed when the command ends; with `need_data` an empty workspace is a UserError."""
    stack = getattr(args, "resources", None)
    ws = open_workspace(args.workspace, wait_seconds=getattr(args, "wait", None),
                        keep_lease=stack is not None)
    if stack is not None:
        stack.callback(ws.release)
    args.workspace_opened = True
    if need_data and data_as_of(ws) is None:
        raise UserError(NO_DATA)
    return ws


def account_filter_from(args: argparse.Namespace) -> AccountFilter:
    """The account filter of the command's `--where COL=VALUE` options (none: every account)."""
    try:
        return AccountFilter.from_pairs(getattr(args, "where", []) or [])
    except ValueError as exc:
        raise UserError(str(exc)) from None


def scorecard_from(args: argparse.Namespace, ws: Workspace) -> Scorecard:
    """The scorecard of `--scorecard FILE`, else the workspace's active one."""
    if not getattr(args, "scorecard", None):
        return active_scorecard(ws)
    path = Path(args.scorecard)
    if not path.is_file():
        raise UserError(f"The scorecard file {path} does not exist.")
    try:
        return Scorecard.from_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserError(f"The scorecard file {path} is not valid: {exc}") from None
