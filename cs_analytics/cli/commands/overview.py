"""CLI command `overview`: the figures of the Overview page."""
from __future__ import annotations

from cs_analytics.cli.common import add_command, workspace_from
from cs_analytics.views.overview import overview_summary


def register(subparsers, common) -> None:
    """Add the `overview` command to the parser."""
    add_command(subparsers, common, "overview", run_overview, "the Overview page's figures",
                "Freshness, MRR/NRR/GRR/logo churn with targets, accounts per health band, "
                "green-but-failing accounts and flags due for review (name, value).")


def run_overview(args):
    ws = workspace_from(args)
    return overview_summary(ws, as_of=args.as_of).as_frame()
