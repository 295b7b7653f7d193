"""In-app CSM flags: an append-only history of who vetoed the metric, when, why and until when.

A flag says "this account is at risk, whatever the score says" (sentiment red by default, or
yellow), with a reason code from `config.FLAG_REASON_CODES`, a free note and a review-by date
(default 60 days after flagging). Withdrawing a flag is a new row (`action = 'withdraw'`); no
row is ever updated or deleted, and no upload touches the `flags` table.

The current state of an account is its latest flag action: a `flag` row is **active** until its
review-by date (inclusive) and **expired** afterwards (still listed, for review, never silently
dropped); a `withdraw` row ends it.

Times: `created_at` is the local wall-clock time of the action. Queries without an as-of date
see every flag up to now ("current" view, even when the data's as-of lags the calendar); with an
as-of date they see only flags created on or before that day, and expiry is judged at that day.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.db import load_sql
from cs_analytics.core.ids import normalise_id

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

FLAG_SENTIMENTS = ("red", "yellow")
FLAG_COLUMNS = [
    "account_id", "flag_id", "user_name", "created_at", "reason", "note", "review_by", "status",
    "sentiment", "account_name", "csm_owner",
]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now()


def _clean_user(user: str | None) -> str:
    name = (user or "").strip()
    if not name:
        raise ValueError("A flag needs the name of the person making it (user).")
    return name


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
) -> int:
    """Append a flag for `account_id` and return its flag_id (committed when this returns)."""
    account_id = normalise_id(account_id) or ""
    if reason not in config.FLAG_REASON_CODES:
        raise ValueError(
            f"Unknown reason code {reason!r}; use one of: {', '.join(config.FLAG_REASON_CODES)}."
        )
    if sentiment not in FLAG_SENTIMENTS:
        raise ValueError(f"A flag's sentiment is red or yellow, not {sentiment!r}.")
    user_name = _clean_user(user)
    now = _now(now)
    if review_by is None:
        review_by = now.date() + dt.timedelta(days=config.DEFAULT_FLAG_REVIEW_DAYS)
    elif isinstance(review_by, str):
        review_by = dt.date.fromisoformat(review_by)
    elif isinstance(review_by, dt.datetime):
        review_by = review_by.date()
    if review_by < now.date():
        raise ValueError(f"The review-by date {review_by} is in the past; choose today or later.")
    note = (note or "").strip() or None
    with ws.transaction() as cur:
        _require_account(cur, account_id)
        return _append(cur, [account_id, "flag", sentiment, reason, note, review_by, user_name, now])


def withdraw_flag(
    ws: "Workspace",
    account_id: str,
    *,
    user: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Append a withdrawal of `account_id`'s current flag; returns the new row's flag_id.

    Raises ValueError when the account's latest flag action is not a flag (nothing to withdraw).
    The check and the insert happen in one transaction under the workspace's write lock.
    """
    account_id = normalise_id(account_id) or ""
    user_name = _clean_user(user)
    now = _now(now)
    note = (note or "").strip() or None
    with ws.transaction() as cur:
        _require_account(cur, account_id)
        latest = cur.execute(load_sql("reality/latest_flag_action"), [account_id]).fetchone()
        if latest is None or latest[0] != "flag":
            raise ValueError(f"Account {account_id} has no flag to withdraw.")
        return _append(cur, [account_id, "withdraw", None, latest[1], note, None, user_name, now])


def _append(cur, values: list) -> int:
    """Insert one flag action (sql/reality/append_flag_action.sql) and return its flag_id."""
    return int(cur.execute(load_sql("reality/append_flag_action"), values).fetchone()[0])


def _require_account(cur, account_id: str) -> None:
    found = cur.execute(load_sql("reality/account_count"), [account_id]).fetchone()
    if not found or not found[0]:
        raise ValueError(f"Unknown account {account_id!r}; check the account id.")


def flag_window(
    ws: "Workspace", as_of: dt.date | str | None, now: dt.datetime | None = None
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
    """Accounts whose latest flag action is a flag, with status 'active' or 'expired'.

    Columns: account_id, flag_id, user_name, created_at, reason, note, review_by, status,
    sentiment, account_name, csm_owner. Expired = the review-by date has passed; such flags stay
    listed (for review) but no longer override the metric.
    """
    cutoff, review_day = flag_window(ws, as_of, now)
    frame = ws.query_named("reality/current_flags", [cutoff, review_day])
    frame["review_by"] = pd.to_datetime(frame["review_by"]).dt.date
    return frame[FLAG_COLUMNS]


def flags_due_for_review(ws: "Workspace", today: dt.date | None = None) -> pd.DataFrame:
    """Current flags whose review-by date has passed (today defaults to the calendar date)."""
    now = None if today is None else dt.datetime.combine(today, dt.time(23, 59, 59, 999999))
    frame = current_flags(ws, now=now)
    return frame[frame["status"] == "expired"].reset_index(drop=True)


def flag_history(ws: "Workspace", account_id: str | None = None) -> pd.DataFrame:
    """What CSMs said, in order: CRM assessments (source 'upload') and in-app flags and withdrawals
    (source 'app'), from the view csm_signal_history; one account's, or every account's (None)."""
    return ws.query_named("reality/signal_history", [account_id, account_id])


def flag_row(ws: "Workspace", flag_id: int) -> pd.DataFrame:
    """The stored flag history row `flag_id` (flag_id, account_id, action, user_name, created_at,
    reason, note, review_by)."""
    return ws.query_named("reality/flag_row", [int(flag_id)])
