"""How flag actions read in sentences: "Dana Lee flagged this account 2 minutes ago: red,
Champion left." (the conflict warning, the CLI and the pages say it the same way)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.formatting import count_noun


def time_ago(then: dt.datetime, now: dt.datetime) -> str:
    """"just now", "5 minutes ago", "3 hours ago", "2 days ago" (future times read "just now")."""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            return f"{count_noun(int(seconds // size), unit)} ago"
    return "just now"


def flag_summary(sentiment: str | None, reason: str | None) -> str:
    """"red, Champion left": the call and the reason's label."""
    parts = [p for p in (sentiment, config.reason_label(reason)) if p]
    return ", ".join(parts)


def change_sentence(row: dict, now: dt.datetime) -> str:
    """One flag action by someone else, as the conflict warning says it."""
    created = pd.Timestamp(row["created_at"]).to_pydatetime()
    when = time_ago(created, now)
    if row["action"] == "withdraw":
        return (f"{row['user_name']} withdrew flag {int(row['withdraws_flag_id'])} on this account "
                f"{when}.") if pd.notna(row.get("withdraws_flag_id")) else \
            f"{row['user_name']} withdrew a flag on this account {when}."
    return f"{row['user_name']} flagged this account {when}: {flag_summary(row['sentiment'], row['reason'])}."
