"""CLI command `overview`: the figures of the Overview page."""
from __future__ import annotations

from cs_analytics.cli.common import workspace_from
from cs_analytics.views.overview import overview_summary


def register(subparsers, common) -> None:
    """Add the `overview` command to the parser."""
    parser = subparsers.add_parser(
        "overview", parents=[common], help="the Overview page's figures",
        description="Freshness, MRR/NRR/GRR/logo churn with targets, accounts per health band, "
        "green-but-failing accounts and flags due for review (name, value).",
    )
    parser.set_defaults(handler=run_overview)


def run_overview(args):
    ws = workspace_from(args)
    return overview_summary(ws, as_of=args.as_of).as_frame()
