"""CLI commands of the retention group (see docs/spec/cli.md): mrr, cohorts, survival."""
from __future__ import annotations

from cs_analytics.cli.main import UserError, workspace_from
from cs_analytics.retention.cohorts import BASES, GRAINS, cohort_long
from cs_analytics.core.filters import AccountFilter
from cs_analytics.retention.revenue import mrr_table
from cs_analytics.retention.survival import survival_table


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    p = subparsers.add_parser(
        "mrr", parents=[common], help="month-by-month MRR, movements and 12m GRR/NRR/logo retention",
        description="Month-by-month MRR (month-end snapshot), customers, movements (new, reactivation, "
        "expansion, contraction, churn; all positive amounts) and trailing-12-month GRR, NRR and logo "
        "retention as fractions where defined, through the last complete month.",
    )
    _where_option(p)
    p.set_defaults(handler=mrr_command)

    p = subparsers.add_parser(
        "cohorts", parents=[common], help="the cohort matrix in long form (censored cells omitted)",
        description="Cohort retention matrix in long form: cohort, period, cohort_size, value (a fraction). "
        "Cells after the last complete month are censored and omitted.",
    )
    p.add_argument("--basis", choices=BASES, required=True, help="logo, nrr, grr or activity")
    p.add_argument("--grain", choices=GRAINS, default="month", help="month (default) or quarter")
    p.add_argument("--activity-unbounded", action="store_true",
                   help="activity basis only: count accounts active in period k or later (unbounded)")
    _where_option(p)
    p.set_defaults(handler=cohorts_command)

    p = subparsers.add_parser(
        "survival", parents=[common], help="Kaplan-Meier curve of customer lifetime in months",
        description="Kaplan-Meier estimate of customer lifetime in months: group, month, at_risk, churned, "
        "survival. --by splits by an account column or attribute.",
    )
    p.add_argument("--by", metavar="COL", help="account column or attribute to split by (e.g. segment)")
    _where_option(p)
    p.set_defaults(handler=survival_command)


def _where_option(p) -> None:
    p.add_argument("--where", action="append", default=[], metavar="COL=VALUE",
                   help="keep accounts whose column or attribute COL equals VALUE (repeatable)")


def _filter(args) -> AccountFilter:
    try:
        return AccountFilter.from_pairs(args.where or [])
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _open(args):
    ws = workspace_from(args)
    args.workspace_opened = True
    return ws


def mrr_command(args):
    account_filter = _filter(args)
    return mrr_table(_open(args), account_filter=account_filter, as_of=args.as_of)


def cohorts_command(args):
    account_filter = _filter(args)
    if args.activity_unbounded and args.basis != "activity":
        raise UserError("--activity-unbounded applies to --basis activity only.")
    return cohort_long(_open(args), args.basis, args.grain, unbounded=args.activity_unbounded,
                       account_filter=account_filter, as_of=args.as_of)


def survival_command(args):
    account_filter = _filter(args)
    return survival_table(_open(args), by=args.by, account_filter=account_filter, as_of=args.as_of)
