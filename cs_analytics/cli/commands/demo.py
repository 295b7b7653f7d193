"""CLI commands of the demo group (see docs/spec/cli.md): `demo [--accounts N] [--seed S]`."""
from __future__ import annotations

import pandas as pd

from cs_analytics.cli.common import UserError, add_command, workspace_from
from cs_analytics.demo.build import write_demo

MAX_ACCOUNTS = 20000


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    p = add_command(subparsers, common, "demo", run_demo, "write the deterministic demo data set into the workspace",
                    "Generate the demo data set (36 months to 2026-10-31, planted cases documented "
                    "in docs/demo.md), load it through the ingest path in replace mode, and print "
                    "a summary. Flags entered in the app are kept.")
    p.add_argument("--accounts", type=int, default=1200, help="number of accounts (default 1200)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")


def run_demo(args):
    """Write the demo; the summary as text (table), rows section/name/value (csv) or JSON."""
    if not 10 <= args.accounts <= MAX_ACCOUNTS:
        raise UserError(f"--accounts must be between 10 and {MAX_ACCOUNTS}, got {args.accounts}.")
    if args.seed < 0:
        raise UserError(f"--seed must be a non-negative integer, got {args.seed}.")
    ws = workspace_from(args)
    summary = write_demo(ws, accounts=args.accounts, seed=args.seed)
    summary["workspace"] = str(ws.path)
    if args.format == "json":
        return summary
    frame = summary_frame(summary)
    if args.format == "csv":
        return frame
    return summary_text(summary)


def summary_frame(summary: dict) -> pd.DataFrame:
    """The summary in long form: section (info/rows/quarantined/planted), name, value."""
    rows = [("info", key, str(summary[key])) for key in ("workspace", "accounts", "seed", "as_of")]
    for section in ("rows", "quarantined", "planted"):
        rows += [(section, name, str(value)) for name, value in summary[section].items()]
    return pd.DataFrame(rows, columns=["section", "name", "value"])


def summary_text(summary: dict) -> str:
    width = max(len(n) for n in [*summary["rows"], *summary["planted"]]) + 2
    lines = [f"Demo data written to {summary['workspace']} "
             f"({summary['accounts']} accounts, seed {summary['seed']}, as_of {summary['as_of']}).",
             "", "Rows loaded (quarantined):"]
    for name, value in summary["rows"].items():
        quarantined = summary["quarantined"].get(name)
        suffix = f" ({quarantined})" if quarantined is not None else ""
        lines.append(f"  {name:<{width}}{value:>10,}{suffix}")
    lines += ["", "Planted cases (see docs/demo.md):"]
    lines += [f"  {name:<{width}}{value:>10,}" for name, value in summary["planted"].items()]
    return "\n".join(lines)
