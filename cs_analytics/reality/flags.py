"""In-app CSM flags: an append-only history of who vetoed the metric, when, why and until when.

A flag says "this account is at risk, whatever the score says" (sentiment red by default, or
yellow), with a reason code from `config.FLAG_REASON_CODES`, a free note and a review-by date
(default 60 days after flagging). No row is ever updated or deleted, and no upload touches the
`flags` table.

Flags in force: several users can flag one account; each user has at most one flag in force
per account (flagging again replaces their own, trimmed and case-insensitive names). A flag is
in force until it is withdrawn; it is **active** until its review-by date (inclusive) and
**expired** afterwards (still listed, for review, never silently dropped). A withdrawal is a new
row (`action = 'withdraw'`) naming exactly one flag (`withdraws_flag_id`); withdrawing someone
else's flag needs an override reason, recorded on the row. The effective override of an account
is its most severe active flag (red beats yellow), never the last writer's.

Conflicts: a form carries the account's flag-history version (`flag_version`, the largest
flag_id) it was rendered with; saving after another user's flag action raises `FlagConflict`
unless confirmed. The check and the append run in one `ws.transaction()` (one writer at a time
in a process, the workspace lease across processes), so concurrent actions lose nothing.

Times: `created_at` is the local wall-clock time of the action. Queries without an as-of date
see every flag up to now; with an as-of date only flags created on or before that day, and
expiry is judged at that day.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.db import load_sql
from cs_analytics.core.ids import normalise_id
from cs_analytics.reality.flag_text import change_sentence

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

FLAG_SENTIMENTS = ("red", "yellow")
FLAG_COLUMNS = [
    "account_id", "flag_id", "user_name", "created_at", "reason", "note", "review_by", "status",
    "sentiment", "account_name", "csm_owner",
]


class FlagConflict(ValueError):
    """Another user flagged or withdrew on this account since the form was rendered.

    `changes`: those actions (flag_id, action, user_name, created_at, sentiment, reason); the
    message has one sentence per action ("Dana Lee flagged this account 2 minutes ago: red,
    Champion left."). Saving again with confirm=True appends anyway (both stay in the history).
    """

    def __init__(self, changes: pd.DataFrame, now: dt.datetime):
        self.changes = changes
        self.version = int(changes["flag_id"].max())
        super().__init__(" ".join(change_sentence(row, now) for row in changes.to_dict("records")))


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now()


def _clean_user(user: str | None) -> str:
    name = (user or "").strip()
    if not name:
        raise ValueError("A flag needs the name of the person making it (user).")
    return name


def same_user(a: str | None, b: str | None) -> bool:
    """Whether two user names are the same person's (trimmed, case-insensitive)."""
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def _review_date(review_by, now: dt.datetime) -> dt.date:
    if review_by is None:
        return now.date() + dt.timedelta(days=config.DEFAULT_FLAG_REVIEW_DAYS)
    if isinstance(review_by, str):
        review_by = dt.date.fromisoformat(review_by)
    elif isinstance(review_by, dt.datetime):
        review_by = review_by.date()
    if review_by < now.date():
        raise ValueError(f"The review-by date {review_by} is in the past; choose today or later.")
    return review_by


def _before_append() -> None:
    """Called between the check and the append (a seam: the race tests widen the window here)."""


def flag_account(
    ws: "Workspace",
    account_id: str,
    *,
    reason: str,
    user: str,
    note: str | None = None,
    review_by: dt.date | str | None = None,
    sentiment: str = "red",
    now: dt.datetime | None = None,
    seen_version: int | None = None,
    confirm: bool = False,
) -> int:
    """Append a flag by `user` on `account_id` (replacing the user's own flag in force, if any)
    and return its flag_id (committed when this returns).

    With `seen_version` (the account's `flag_version` when the form was shown) and not `confirm`:
    raises FlagConflict, appending nothing, when another user acted on the account since.
    """
    account_id = normalise_id(account_id) or ""
    if reason not in config.FLAG_REASON_CODES:
        raise ValueError(
            f"Unknown reason code {reason!r}; use one of: {', '.join(config.FLAG_REASON_CODES)}."
        )
    if sentiment not in FLAG_SENTIMENTS:
        raise ValueError(f"A flag's sentiment is red or yellow, not {sentiment!r}.")
    user_name = _clean_user(user)
    now = _now(now)
    review_date = _review_date(review_by, now)
    note = (note or "").strip() or None
    with ws.transaction() as cur:
        _require_account(cur, account_id)
        if seen_version is not None and not confirm:
            changes = cur.execute(load_sql("reality/flag_actions_since"),
                                  [account_id, int(seen_version), user_name]).df()
            if len(changes):
                raise FlagConflict(changes, now)
        _before_append()
        return _append(cur, [account_id, "flag", sentiment, reason, note, review_date, user_name, now,
                             None, None])


def withdraw_flag(
    ws: "Workspace",
    account_id: str,
    *,
    user: str,
    note: str | None = None,
    now: dt.datetime | None = None,
    flag_id: int | None = None,
    override_reason: str | None = None,
) -> int:
    """Withdraw exactly one flag in force on `account_id`; returns the withdrawal's flag_id.

    Which flag: `flag_id` when given; else the user's own; else the account's only flag. Someone
    else's flag needs `override_reason` (recorded). Raises ValueError with one sentence when
    there is no such flag in force, when several could be meant, or the override reason is
    missing. The check and the append happen in one transaction under the write lock.
    """
    account_id = normalise_id(account_id) or ""
    user_name = _clean_user(user)
    now = _now(now)
    note = (note or "").strip() or None
    override_reason = (override_reason or "").strip() or None
    with ws.transaction() as cur:
        _require_account(cur, account_id)
        target = _withdrawal_target(_in_force(cur, account_id, now), account_id, user_name, flag_id)
        own = same_user(target["user_name"], user_name)
        if not own and not override_reason:
            raise ValueError(
                f"Flag {target['flag_id']} on {account_id} was made by {target['user_name']}; "
                "withdrawing someone else's flag needs an override reason (--override-reason)."
            )
        _before_append()
        return _append(cur, [account_id, "withdraw", None, target["reason"], note, None, user_name, now,
                             int(target["flag_id"]), None if own else override_reason])


def _in_force(cur, account_id: str, now: dt.datetime) -> pd.DataFrame:
    """The account's flags in force at `now`, read on the transaction's cursor."""
    cutoff, review_day = flag_window(None, None, now)
    frame = cur.execute(load_sql("reality/current_flags"), [cutoff, review_day]).df()
    return frame[frame["account_id"] == account_id]


def _withdrawal_target(flags: pd.DataFrame, account_id: str, user: str, flag_id: int | None) -> dict:
    if flags.empty:
        raise ValueError(f"Account {account_id} has no flag to withdraw.")
    if flag_id is not None:
        chosen = flags[flags["flag_id"] == int(flag_id)]
        if chosen.empty:
            raise ValueError(f"Flag {flag_id} is not in force on account {account_id}; nothing withdrawn.")
        return chosen.iloc[0].to_dict()
    own = flags[[same_user(u, user) for u in flags["user_name"]]]
    if len(own):
        return own.iloc[0].to_dict()
    if len(flags) > 1:
        names = ", ".join(f"{u} (flag {i})" for u, i in zip(flags["user_name"], flags["flag_id"]))
        raise ValueError(f"Account {account_id} has {len(flags)} flags in force ({names}); "
                         "say which one to withdraw (--flag-id).")
    return flags.iloc[0].to_dict()


def _append(cur, values: list) -> int:
    """Insert one flag action (sql/reality/append_flag_action.sql) and return its flag_id."""
    return int(cur.execute(load_sql("reality/append_flag_action"), values).fetchone()[0])


def _require_account(cur, account_id: str) -> None:
    found = cur.execute(load_sql("reality/account_count"), [account_id]).fetchone()
    if not found or not found[0]:
        raise ValueError(f"Unknown account {account_id!r}; check the account id.")


def flag_window(
    ws: "Workspace | None", as_of: dt.date | str | None, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.date]:
    """(cutoff, review_day): flags created before `cutoff` are visible; expiry is judged at review_day.

    Without an as-of date: every flag up to now, judged today. With one: flags created on or before
    that day, judged at that day.
    """
    if as_of is None:
        now = _now(now)
        return now + dt.timedelta(microseconds=1), now.date()
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()), as_of


def current_flags(
    ws: "Workspace", as_of: dt.date | str | None = None, *, now: dt.datetime | None = None
) -> pd.DataFrame:
    """Every flag in force, one row per (account, user), with status 'active' or 'expired'; per
    account the most severe (red) first, then the newest.

    Columns: account_id, flag_id, user_name, created_at, reason, note, review_by, status,
    sentiment, account_name, csm_owner. Expired = the review-by date has passed; such flags stay
    listed (for review) but no longer override the metric.
    """
    cutoff, review_day = flag_window(ws, as_of, now)
    frame = ws.query_named("reality/current_flags", [cutoff, review_day])
    frame["review_by"] = pd.to_datetime(frame["review_by"]).dt.date
    return frame[FLAG_COLUMNS]


def effective_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per account from `current_flags`: its active flag that overrides the metric, the
    most severe (red beats yellow), then the newest. Accounts with only expired flags: no row."""
    active = flags[flags["status"] == "active"]
    severity = (active["sentiment"] != "red").astype(int)
    order = active.assign(_severity=severity).sort_values(
        ["account_id", "_severity", "created_at", "flag_id"], ascending=[True, True, False, False])
    return order.drop_duplicates("account_id").drop(columns="_severity").reset_index(drop=True)


def account_flags(ws: "Workspace", account_id: str, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """One account's flags in force now (current_flags' columns), most severe first."""
    flags = current_flags(ws, now=now)
    return flags[flags["account_id"] == normalise_id(account_id)].reset_index(drop=True)


def flag_version(ws: "Workspace", account_id: str) -> int:
    """The account's flag-history version: its largest flag_id (0 before any flag action). A form
    keeps it to notice, on save, that someone else acted on the account meanwhile."""
    return int(ws.scalar(load_sql("reality/flag_version"), [normalise_id(account_id) or ""]))


def flags_due_for_review(ws: "Workspace", today: dt.date | None = None) -> pd.DataFrame:
    """Flags in force whose review-by date has passed (today defaults to the calendar date)."""
    now = None if today is None else dt.datetime.combine(today, dt.time(23, 59, 59, 999999))
    frame = current_flags(ws, now=now)
    return frame[frame["status"] == "expired"].reset_index(drop=True)


def flag_history(ws: "Workspace", account_id: str | None = None) -> pd.DataFrame:
    """What CSMs said, in order: CRM assessments (source 'upload') and in-app flags and withdrawals
    (source 'app', with the withdrawn flag's id and any override reason), from the view
    csm_signal_history; one account's, or every account's (None)."""
    return ws.query_named("reality/signal_history", [account_id, account_id])


def flag_row(ws: "Workspace", flag_id: int) -> pd.DataFrame:
    """The stored flag history row `flag_id` (flag_id, account_id, action, user_name, created_at,
    reason, note, review_by, withdraws_flag_id, override_reason)."""
    return ws.query_named("reality/flag_row", [int(flag_id)])
