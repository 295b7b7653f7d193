"""CLI commands of the retention group (see docs/spec/cli.md): mrr, cohorts, survival."""
from __future__ import annotations

from cs_analytics.cli.common import UserError, account_filter_from, add_command, workspace_from
from cs_analytics.retention.cohorts import BASES, GRAINS, cohort_long
from cs_analytics.retention.revenue import mrr_table
from cs_analytics.retention.survival import survival_table


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    add_command(subparsers, common, "mrr", mrr_command,
                "month-by-month MRR, movements and 12m GRR/NRR/logo retention",
                "Month-by-month MRR (month-end snapshot), customers, movements (new, reactivation, "
                "expansion, contraction, churn; all positive amounts) and trailing-12-month GRR, NRR and logo "
                "retention as fractions where defined, through the last complete month.", where=True)
    p = add_command(subparsers, common, "cohorts", cohorts_command,
                    "the cohort matrix in long form (censored cells omitted)",
                    "Cohort retention matrix in long form: cohort, period, cohort_size, value (a fraction). "
                    "Cells after the last complete month are censored and omitted.", where=True)
    p.add_argument("--basis", choices=BASES, required=True, help="logo, nrr, grr or activity")
    p.add_argument("--grain", choices=GRAINS, default="month", help="month (default) or quarter")
    p.add_argument("--activity-unbounded", action="store_true",
                   help="activity basis only: count accounts active in period k or later (unbounded)")
    p = add_command(subparsers, common, "survival", survival_command,
                    "Kaplan-Meier curve of customer lifetime in months",
                    "Kaplan-Meier estimate of customer lifetime in months: group, month, at_risk, churned, "
                    "survival. --by splits by an account column or attribute.", where=True)
    p.add_argument("--by", metavar="COL", help="account column or attribute to split by (e.g. segment)")


def mrr_command(args):
    account_filter = account_filter_from(args)
    return mrr_table(workspace_from(args), account_filter=account_filter, as_of=args.as_of)


def cohorts_command(args):
    account_filter = account_filter_from(args)
    if args.activity_unbounded and args.basis != "activity":
        raise UserError("--activity-unbounded applies to --basis activity only.")
    return cohort_long(workspace_from(args), args.basis, args.grain, unbounded=args.activity_unbounded,
                       account_filter=account_filter, as_of=args.as_of)


def survival_command(args):
    account_filter = account_filter_from(args)
    return survival_table(workspace_from(args), by=args.by, account_filter=account_filter, as_of=args.as_of)
