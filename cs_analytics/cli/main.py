"""The command line (`python -m cs_analytics`), as specified in docs/spec/cli.md.

Each group of commands lives in `cs_analytics/cli/commands/<group>.py` and exposes
`register(subparsers, common)`; the helpers they share are in `cli/common.py`. A command's handler
takes the parsed args and returns either a DataFrame, a dict (printed as JSON) or a string. Exit status: 0 success, 1 a user error (one
sentence on stderr), 2 a usage error.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from typing import Any, Sequence

import pandas as pd

from cs_analytics.cli.commands import data, demo, health, overview, reality, renewals, retention, settings, tasks
from cs_analytics.cli.commands import onboarding
from cs_analytics.cli.commands import measures
from cs_analytics.cli.commands import reduce
from cs_analytics.cli.common import UserError, common_options
from cs_analytics.cli.text_table import text_table
from cs_analytics.core.db import close_workspace
from cs_analytics.core.errors import WorkspaceError
from cs_analytics.core.export import to_csv_text

COMMAND_GROUPS = (demo, data, retention, health, reality, overview, settings, tasks, renewals, onboarding, measures, reduce)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cs_analytics",
        description="CS Analytics: retention, health scores and CSM reality from the command line.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = common_options()
    for group in COMMAND_GROUPS:
        group.register(subparsers, common)
    return parser


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
        return text_table(frame)
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
        if getattr(args, "workspace_opened", False):  # set by cli.common.workspace_from
            close_workspace(args.workspace)
