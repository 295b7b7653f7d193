"""CLI commands of the renewals group (see docs/spec/cli.md): renewals, call."""
from __future__ import annotations

import sys

import pandas as pd

from cs_analytics.cli.common import UserError, account_filter_from, add_command, iso_date, workspace_from
from cs_analytics.core import config
from cs_analytics.core.ids import normalise_id
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.renewals.calls import record_call
from cs_analytics.renewals.records import renewals as all_renewals
from cs_analytics.renewals.report import renewals_report

UPCOMING_CLI_COLUMNS = ["account_id", "due_date", "expiring_mrr", "band", "likelihood", "csm_call",
                        "mrr_at_risk", "disagrees"]
MAX_WITHIN_DAYS = 3650
HISTORY_CLI_COLUMNS = ["quarter", "first_year", "due", "renewed", "gross_rate", "net_rate"]


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    p = add_command(subparsers, common, "renewals", cmd_renewals, "upcoming renewals, likelihood and CSM call",
                    "Renewals due within --within-days of the as-of (renewal_date, else end_date), "
                    "largest MRR at risk first; --history: gross and net renewal rates per quarter of "
                    "due date, first-year renewals apart.", where=True)
    p.add_argument("--within-days", type=int, default=90, dest="within_days", metavar="N",
                   help="renewals due within N days of the as-of (default 90)")
    p.add_argument("--history", action="store_true", help="renewal rates per quarter instead")
    p.add_argument("--disagreements", action="store_true",
                   help="only the renewals where the model and the CSM's call disagree")
    p = add_command(subparsers, common, "call", cmd_call, "record a CSM's renewal call (appends)",
                    "Record a CSM's call on an account's next renewal after the as-of (or --due-date): "
                    "good, monitor or at_risk, with an optional note.")
    p.add_argument("account_id", metavar="ACCOUNT_ID")
    p.add_argument("call", metavar="good|at_risk|monitor")
    p.add_argument("--user", required=True, help="who makes the call")
    p.add_argument("--note", help="free text")
    p.add_argument("--due-date", type=iso_date, dest="due_date", metavar="DATE",
                   help="the renewal's due date (default: the account's next one after the as-of)")


def cmd_renewals(args) -> pd.DataFrame:
    if not 1 <= args.within_days <= MAX_WITHIN_DAYS:
        raise UserError(f"--within-days takes a number of days from 1 to {MAX_WITHIN_DAYS}, got {args.within_days}.")
    ws = workspace_from(args, need_data=True)
    report = renewals_report(ws, args.as_of, account_filter_from(args), args.within_days)
    if args.history:
        return report.history[HISTORY_CLI_COLUMNS]
    if report.model_problem:  # the list still prints; the likelihood column stays empty
        print(f"note: {report.model_problem}", file=sys.stderr)
    frame = report.disagreements if args.disagreements else report.within(args.within_days)
    frame = frame.rename(columns={"call": "csm_call"})
    return frame[UPCOMING_CLI_COLUMNS].assign(due_date=lambda f: pd.to_datetime(f["due_date"]))


def cmd_call(args) -> pd.DataFrame:
    if args.call not in config.RENEWAL_CALLS:
        raise UserError(f"A call is one of {', '.join(config.RENEWAL_CALLS)}, got {args.call!r}.")
    ws = workspace_from(args, need_data=True)
    account_id = normalise_id(args.account_id) or ""
    due = args.due_date or next_due_date(ws, account_id, args.as_of)
    try:
        call_id = record_call(ws, account_id, due, args.call, user=args.user, note=args.note, source="cli")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return pd.DataFrame([{"call_id": call_id, "account_id": account_id, "due_date": pd.Timestamp(due),
                          "call": args.call, "user_name": args.user.strip(), "note": args.note}])


def next_due_date(ws, account_id: str, as_of):
    """The account's first due date after the as-of; UserError when it has none."""
    day = resolve_as_of(ws, as_of)
    frame = all_renewals(ws, day)
    due = frame.loc[(frame["account_id"] == account_id) & (frame["due_date"] > day), "due_date"]
    if due.empty:
        raise UserError(f"Account {account_id} has no renewal due after {day}; give --due-date.")
    return min(due)
