"""CLI command `activation [--rule JSON] [--grain month|quarter] [--by-segment] [--find]`
(docs/spec/cli.md): activation per start cohort as metrics.md defines, or the activation finder."""
from __future__ import annotations


from cs_analytics.cli.common import UserError, account_filter_from, add_command, workspace_from
from cs_analytics.onboarding.finder import SCORE_COLUMNS
from cs_analytics.onboarding.rule import EXAMPLE, parse_rule
from cs_analytics.views.onboarding import GRAINS, build, finder

FINDER_CLI_COLUMNS = ["metric", "kind", "threshold", "window_days",
                      *[f"fit_{c}" for c in SCORE_COLUMNS], *[f"validate_{c}" for c in SCORE_COLUMNS]]


def register(subparsers, common) -> None:
    """Add the `activation` command to the parser."""
    p = add_command(subparsers, common, "activation", activation_command,
                    "activation per start cohort (metrics.md, Onboarding and activation)",
                    "Activation per start cohort: shares activated within 30/60/90 days (censored), time to "
                    "activation, and the 'three months or never' test. --format json gives the overall figures "
                    "and by_cohort; table and csv give the by_cohort rows. The rule is the workspace's "
                    "activation_rule unless --rule gives one for this run. --find runs the activation finder "
                    "(candidates best first; json: winner, holds, fit and validation cohorts).", where=True)
    p.add_argument("--rule", metavar="JSON", help=f"a rule for this run only, e.g. {EXAMPLE}")
    p.add_argument("--grain", choices=GRAINS, default="month", help="start cohorts by month (default) or quarter")
    p.add_argument("--by-segment", action="store_true", help="one row per start cohort and segment")
    p.add_argument("--find", action="store_true", help="search for the rule that best separates 12-month retention")


def activation_command(args):
    """The by_cohort rows (table/csv), the summary (json), or the finder's result with --find."""
    if args.rule is not None:
        try:
            parse_rule(args.rule)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    ws = workspace_from(args, need_data=True)
    account_filter = account_filter_from(args)
    if args.find:
        return _finder_output(finder(ws, account_filter, args.as_of, args.rule), args.format)
    view = build(ws, account_filter, args.as_of, args.rule, args.grain, args.by_segment)
    if args.format == "json":
        return view.summary
    return view.cohorts


def _finder_output(result, fmt: str):
    if result.winner is None:
        raise UserError(result.note or "No activation rule could be found.")
    if fmt != "json":
        return result.candidates[FINDER_CLI_COLUMNS]
    return {"winner": parse_rule(result.winner.to_json()).__dict__, "holds_on_later_cohorts": result.holds,
            "fit_cohorts": list(result.fit_cohorts), "validate_cohorts": list(result.validate_cohorts),
            "winner_scores": _plain(result.winner_row), "rule_in_force_scores": _plain(result.default_row),
            "candidates": len(result.candidates)}


def _plain(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()
            if k in FINDER_CLI_COLUMNS}
