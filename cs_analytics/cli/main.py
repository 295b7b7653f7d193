"""The command line (`python -m cs_analytics`), as specified in docs/spec/cli.md.

Each group of commands lives in `cs_analytics/commands/<group>.py` and exposes
`register(subparsers, common)`; a command's handler takes the parsed args and returns either a
DataFrame, a dict (printed as JSON) or a string. Exit status: 0 success, 1 a user error (one
sentence on stderr), 2 a usage error.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import sys
from typing import Any, Sequence

import pandas as pd

from cs_analytics.core.db import DEFAULT_WAIT_SECONDS, WorkspaceError, close_workspace, open_workspace
from cs_analytics.core.export import to_csv_text

COMMAND_GROUPS = ("demo", "data", "retention", "health", "reality", "overview", "settings")


class UserError(Exception):
    """Bad input from the user; the message is one clear sentence."""


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"expected a number of seconds from 0 to 86400, got {text!r}")
    return value


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", help="DuckDB workspace file (default $CS_ANALYTICS_DB, else data/workspace.duckdb)")
    common.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default table)")
    common.add_argument("--wait", type=_seconds, default=DEFAULT_WAIT_SECONDS, metavar="SECONDS",
                        help=f"wait up to SECONDS for another process using the workspace (default {DEFAULT_WAIT_SECONDS:g})")
    common.add_argument("--as-of", type=iso_date, dest="as_of", help="as-of date YYYY-MM-DD (default: the workspace's as_of setting, else the data's last date)")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cs_analytics",
        description="CS Analytics: retention, health scores and CSM reality from the command line.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = common_options()
    for group in COMMAND_GROUPS:
        module = importlib.import_module(f"cs_analytics.cli.commands.{group}")
        module.register(subparsers, common)
    return parser


def workspace_from(args: argparse.Namespace):
    """The command's workspace, held (leased) until the command ends; waits up to --wait seconds."""
    stack = getattr(args, "resources", None)
    ws = open_workspace(args.workspace, wait_seconds=getattr(args, "wait", None),
                        keep_lease=stack is not None)
    if stack is not None:
        stack.callback(ws.release)
    return ws


def render(result: Any, fmt: str) -> str:
    """Text for a command's result in the chosen format."""
    if result is None:
        return ""
    if isinstance(result, str):
        return result
    if isinstance(result, pd.DataFrame):
        frame = _iso_dates(result)
        if fmt == "csv":
            return to_csv_text(frame).rstrip("\n")
        if fmt == "json":
            return frame.to_json(orient="records", date_format="iso", indent=2)
        if frame.empty:
            return "(no rows)"
        return frame.to_string(index=False)
    return json.dumps(result, indent=2, default=_json_default)


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Date columns as YYYY-MM-DD; timestamp columns with a time of day as YYYY-MM-DDTHH:MM:SS."""
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            values = frame[col]
            has_time = bool((values.dropna() != values.dropna().dt.normalize()).any())
            frame[col] = values.dt.strftime("%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d")
    return frame


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        with contextlib.ExitStack() as args.resources:  # the workspace lease ends with the command
            result = args.handler(args)
        text = render(result, args.format)
        if text:
            print(text, flush=True)
        return 0
    except BrokenPipeError:  # e.g. `... | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (UserError, WorkspaceError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if getattr(args, "workspace_opened", False):
            close_workspace(args.workspace)
