"""CLI commands of the reality group (see docs/spec/cli.md): reality, flag, unflag, spikes."""
from __future__ import annotations

import getpass
import os

import pandas as pd

from cs_analytics.cli.common import (
    UserError, account_filter_from, add_command, iso_date, workspace_from,
)
from cs_analytics.core import config
from cs_analytics.reality.flags import account_flags, current_flags, flag_account, withdraw_flag
from cs_analytics.reality.quadrants import quadrants
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.reality.spikes import (
    RECENT_SPIKE_DAYS, RISING_RULE, SPIKE_COLUMNS, actionable_spikes, activity_spikes, rising_renewals,
    spike_account_columns,
)
from cs_analytics.views.reality import book_note, book_of, in_book, reality_track_records

REALITY_COLUMNS = ["account_id", "score", "band", "csm_sentiment", "assessed_at", "quadrant", "flagged"]
FLAG_ROW_COLUMNS = ["flag_id", "account_id", "action", "user_name", "created_at", "reason",
                    "reason_label", "note", "review_by", "withdraws_flag_id", "override_reason"]
FLAGS_COLUMNS = ["account_id", "flag_id", "user_name", "created_at", "sentiment", "reason",
                 "reason_label", "note", "review_by", "status", "csm_owner"]
USER_ENV_VAR = "CS_ANALYTICS_USER"


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    p = add_command(subparsers, common, "reality", cmd_reality, "metric health versus CSM reality, per account",
                    "The quadrant of every scored account as of --as-of: metric band versus the "
                    "latest CSM sentiment (assessment or in-app flag).", where=True)
    p.add_argument("--max-age-days", type=int, default=config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
                   dest="max_age_days",
                   help=f"an assessment older than this is stale (default {config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS})")
    p.add_argument("--owner", metavar="NAME",
                   help="only this CSM's book (owner names matched ignoring case and spaces)")
    p.add_argument("--track-record", action="store_true", dest="track_record",
                   help="the human signal's track record (json) instead of the quadrants")
    p.add_argument("--by-csm", action="store_true", dest="by_csm",
                   help="with --track-record: one row per CSM (their calls' churn, base, lift, counts)")
    p = add_command(subparsers, common, "flag", cmd_flag,
                    "flag an account as at risk (appends to the flag history)",
                    "Record a CSM's veto: the account is at risk whatever the score says. Reason codes: "
                    + ", ".join(config.FLAG_REASON_CODES) + ".")
    p.add_argument("account_id", metavar="ACCOUNT_ID")
    p.add_argument("--reason", required=True, metavar="CODE", help="one of: " + ", ".join(config.FLAG_REASON_CODES))
    p.add_argument("--note", help="free text")
    p.add_argument("--user", help=f"who flags (default ${USER_ENV_VAR}, else the login name)")
    p.add_argument("--review-by", dest="review_by", metavar="DATE",
                   help=f"YYYY-MM-DD (default today + {config.DEFAULT_FLAG_REVIEW_DAYS} days)")
    p.add_argument("--sentiment", default="red", metavar="red|yellow", help="the CSM's call (default red)")
    p.add_argument("--seen-version", dest="seen_version", type=int, metavar="N",
                   help="the account's flag-history version you decided on (the largest flag_id of "
                        "`flags --account`); exit 1 with who acted since, unless --confirm")
    p.add_argument("--confirm", action="store_true", help="save even when someone else acted since --seen-version")
    p = add_command(subparsers, common, "unflag", cmd_unflag,
                    "withdraw an account's flag (appends to the flag history)",
                    "Withdraw exactly one flag in force on the account (your own by default); the "
                    "withdrawal is a new history row. Someone else's flag needs --override-reason.")
    p.add_argument("account_id", metavar="ACCOUNT_ID")
    p.add_argument("--user", required=True, help="who withdraws")
    p.add_argument("--note", help="free text")
    p.add_argument("--flag-id", dest="flag_id", type=int, metavar="N",
                   help="which flag (default: yours, else the account's only flag)")
    p.add_argument("--override-reason", dest="override_reason", metavar="TEXT",
                   help="why you withdraw someone else's flag (required for it; recorded)")
    p = add_command(subparsers, common, "flags", cmd_flags, "the flags in force",
                    "Every flag in force (one per user and account), active or expired, most severe "
                    "first per account.")
    p.add_argument("--account", metavar="ACCOUNT_ID", help="only this account's flags")
    p = add_command(subparsers, common, "spikes", cmd_spikes, "pre-renewal activity spikes",
                    "Contract ends whose usage in the 60 days before was >= 2x the account's usual "
                    "60-day usage, falling back below 1.2x after, with name, MRR, owner and band, newest "
                    "first, ends within the last 365 days (--any-date: all). A signal to read, never an "
                    "accusation. --upcoming: renewals in the next 90 days whose usage is already rising. "
                    "--all: every contract end with its ratios.", where=True)
    p.add_argument("--all", action="store_true", dest="show_all",
                   help="every contract end with its ratios (account_id, contract_end, ratios, flagged)")
    p.add_argument("--any-date", action="store_true", dest="any_date",
                   help="spikes at any contract end, not only within the last 365 days")
    p.add_argument("--upcoming", action="store_true",
                   help=f"renewals in the next 90 days whose usage is already rising ({RISING_RULE})")


def cmd_reality(args):
    ws = workspace_from(args, need_data=True)
    account_filter = account_filter_from(args)
    if args.by_csm and not args.track_record:
        raise UserError("--by-csm goes with --track-record (reality --track-record --by-csm).")
    if args.track_record:
        records = reality_track_records(ws, account_filter, args.as_of, args.max_age_days, args.owner)
        return records.by_csm if args.by_csm else records.record.to_dict()
    frame = quadrants(ws, as_of=args.as_of, account_filter=account_filter, max_age_days=args.max_age_days)
    if args.owner:
        frame = in_book(frame, book_of(frame, args.owner))
        if frame.empty:
            raise UserError(book_note(ws, args.owner, []) or f"{args.owner} owns no account.")
    return frame[REALITY_COLUMNS].sort_values("account_id").reset_index(drop=True)


def _flag_row(ws, flag_id: int) -> pd.DataFrame:
    """The appended history row; created_at keeps its time (ISO, seconds)."""
    from cs_analytics.reality.flags import flag_row

    frame = flag_row(ws, flag_id)
    frame["reason_label"] = frame["reason"].map(config.reason_label)
    frame = frame[FLAG_ROW_COLUMNS]
    frame["created_at"] = frame["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return frame


def cmd_flag(args) -> pd.DataFrame:
    review_by = None
    if args.review_by:
        try:
            review_by = iso_date(args.review_by)
        except Exception:
            raise UserError(f"--review-by takes a date as YYYY-MM-DD, got {args.review_by!r}.") from None
    ws = workspace_from(args)
    user = args.user or os.environ.get(USER_ENV_VAR) or getpass.getuser()
    flag_id = flag_account(ws, args.account_id, reason=args.reason, user=user, note=args.note,
                           review_by=review_by, sentiment=args.sentiment,
                           seen_version=args.seen_version, confirm=args.confirm)
    return _flag_row(ws, flag_id)


def cmd_unflag(args) -> pd.DataFrame:
    ws = workspace_from(args)
    flag_id = withdraw_flag(ws, args.account_id, user=args.user, note=args.note,
                            flag_id=args.flag_id, override_reason=args.override_reason)
    return _flag_row(ws, flag_id)


def cmd_flags(args) -> pd.DataFrame:
    ws = workspace_from(args)
    frame = account_flags(ws, args.account) if args.account else current_flags(ws)
    frame = frame.assign(reason_label=frame["reason"].map(config.reason_label))[FLAGS_COLUMNS]
    frame["created_at"] = pd.to_datetime(frame["created_at"]).dt.strftime("%Y-%m-%dT%H:%M:%S")
    return frame.reset_index(drop=True)


def cmd_spikes(args) -> pd.DataFrame:
    ws = workspace_from(args, need_data=True)
    account_filter = account_filter_from(args)
    frame = activity_spikes(ws, as_of=args.as_of, account_filter=account_filter)
    if args.show_all:
        return frame[SPIKE_COLUMNS].sort_values(["account_id", "contract_end"]).reset_index(drop=True)
    as_of = resolve_as_of(ws, args.as_of)
    accounts = spike_account_columns(ws, quadrants(ws, as_of=args.as_of, account_filter=account_filter))
    if args.upcoming:
        return rising_renewals(ws, accounts, as_of, account_filter)
    return actionable_spikes(frame, accounts, as_of, None if args.any_date else RECENT_SPIKE_DAYS)
