"""A CSM's renewal call: good / monitor / at_risk with a note, recorded like a flag.

The `renewal_calls` table is append-only (who, when, which renewal); the call in force for a
renewal (account, due date) is its newest row. Model and call are shown side by side, never
averaged. Disagreement (for leadership): the call is good while the model's likelihood is below
config.DISAGREE_GOOD_BELOW (0.6), or at_risk while it is at least config.DISAGREE_AT_RISK_FROM
(0.85). Track record: a call read as a probability of renewal (config.RENEWAL_CALL_PROBABILITY:
good 0.9, monitor 0.6, at_risk 0.2) and scored with the Brier score on past renewals.
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

CALL_COLUMNS = ["account_id", "due_date", "call_id", "call", "note", "user_name", "created_at"]


def record_call(ws: "Workspace", account_id: str, due_date: dt.date, call: str, *, user: str,
                note: str | None = None, now: dt.datetime | None = None, source: str = "app") -> int:
    """Append a call on the renewal (account_id, due_date) and return its call_id (source: app or cli)."""
    account_id = normalise_id(account_id) or ""
    if call not in config.RENEWAL_CALLS:
        raise ValueError(f"A renewal call is one of {', '.join(config.RENEWAL_CALLS)}, not {call!r}.")
    user_name = (user or "").strip()
    if not user_name:
        raise ValueError("A renewal call needs the name of the person making it (user).")
    note = (note or "").strip() or None
    now = now or dt.datetime.now()
    with ws.transaction() as cur:
        found = cur.execute(load_sql("reality/account_count"), [account_id]).fetchone()
        if not found or not found[0]:
            raise ValueError(f"Unknown account {account_id!r}; check the account id.")
        due = cur.execute(load_sql("renewals/due_exists"), [account_id, due_date]).fetchone()
        if not due or not due[0]:
            raise ValueError(f"Account {account_id} has no renewal due on {due_date}; "
                             "a call is about one of its renewals.")
        values = [account_id, due_date, call, note, user_name, now, source]
        return int(cur.execute(load_sql("renewals/append_call"), values).fetchone()[0])


def calls_in_force(ws: "Workspace", as_of: dt.date | None = None) -> pd.DataFrame:
    """The newest call per renewal made on or before as_of (None: every call up to now)."""
    cutoff = (dt.datetime.now() + dt.timedelta(seconds=1) if as_of is None
              else dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    frame = ws.query_named("renewals/latest_calls", {"cutoff": cutoff})
    frame["due_date"] = pd.to_datetime(frame["due_date"]).dt.date
    return frame[CALL_COLUMNS]


def call_history(ws: "Workspace") -> pd.DataFrame:
    """Every call ever recorded, oldest first (call_id, account_id, due_date, call, note,
    user_name, created_at)."""
    frame = ws.query_named("renewals/call_history")
    frame["due_date"] = pd.to_datetime(frame["due_date"]).dt.date
    return frame


def disagrees(likelihood: float | None, call: str | None) -> bool:
    """True when the model and the call disagree (see the module docstring)."""
    if call is None or likelihood is None or pd.isna(likelihood) or pd.isna(call):
        return False
    if call == "good":
        return likelihood < config.DISAGREE_GOOD_BELOW
    if call == "at_risk":
        return likelihood >= config.DISAGREE_AT_RISK_FROM
    return False


def call_probability(call: str) -> float:
    """A call read as a probability of renewal (config.RENEWAL_CALL_PROBABILITY)."""
    return config.RENEWAL_CALL_PROBABILITY[call]


def disagreement_rule() -> str:
    """The disagreement rule in one sentence, with its thresholds."""
    return (f"Model and call disagree when the call is good but the likelihood is below "
            f"{config.DISAGREE_GOOD_BELOW:.0%}, or the call is at risk but the likelihood is at least "
            f"{config.DISAGREE_AT_RISK_FROM:.0%}.")
