"""The flag form's result: one account's flags in force (who, when, call, reason, review date),
its flag-history version, and its flag actions, as the Reality and Account pages show them.

The version is what the form carries to notice, on save, that someone else flagged or withdrew
meanwhile (reality.flags.FlagConflict).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.filters import AccountFilter
from cs_analytics.core.ids import normalise_id
from cs_analytics.reality.flag_text import flag_summary
from cs_analytics.reality.flags import account_flags, flag_history, flag_version, same_user

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

PANEL_FLAG_COLUMNS = ["flag_id", "user_name", "created_at", "sentiment", "reason", "reason_label",
                      "note", "review_by", "status"]
ACTION_COLUMNS = ["signal_at", "action", "user_name", "sentiment", "reason", "note", "review_by",
                  "flag_id", "withdraws_flag_id", "override_reason"]


@dataclass(frozen=True)
class FlagPanel:
    """One account's flags in force now (PANEL_FLAG_COLUMNS, most severe first), its flag-history
    version (largest flag_id, 0 before any) and its in-app flag actions, newest first
    (ACTION_COLUMNS; reason as its label)."""

    account_id: str
    version: int
    flags: pd.DataFrame
    actions: pd.DataFrame

    def sentences(self) -> list[str]:
        """One plain-text line per flag in force: "red by Dana Lee on 2026-11-26 14:02: Champion
        left; review by 2027-01-25 (active). Note: “...”" (the page escapes it)."""
        lines = []
        for row in self.flags.to_dict("records"):
            state = "active" if row["status"] == "active" else "review date passed: due for review"
            note = f" Note: “{row['note']}”" if isinstance(row["note"], str) and row["note"] else ""
            lines.append(
                f"{flag_summary(row['sentiment'], None)} by {row['user_name']} on "
                f"{pd.Timestamp(row['created_at']):%Y-%m-%d %H:%M}: {row['reason_label']}; review by "
                f"{row['review_by']:%Y-%m-%d} ({state}).{note}")
        return lines

    def withdraw_choices(self) -> dict[int, str]:
        """{flag_id: "Dana Lee's red flag (Champion left), flag 3"} of the flags in force."""
        return {int(r["flag_id"]): f"{r['user_name']}'s {r['sentiment']} flag ({r['reason_label']}), "
                f"flag {int(r['flag_id'])}" for r in self.flags.to_dict("records")}

    def own_flag(self, user: str | None) -> int | None:
        """The flag_id of `user`'s own flag in force, None when they have none."""
        for row in self.flags.to_dict("records"):
            if same_user(row["user_name"], user):
                return int(row["flag_id"])
        return None

    def is_own(self, flag_id: int, user: str | None) -> bool:
        """Whether flag `flag_id` (in force) was made by `user` (trimmed, case-insensitive)."""
        rows = self.flags[self.flags["flag_id"] == flag_id]
        return bool(len(rows)) and same_user(rows.iloc[0]["user_name"], user)


def flag_panel(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date | None,
               account_id: str) -> FlagPanel:
    """The account's flags in force now (flags are always read up to now, whatever the as-of), its
    version and its flag actions. The filter and as-of only key the cache."""
    account_id = normalise_id(account_id) or ""
    flags = account_flags(ws, account_id)
    flags = flags.assign(reason_label=flags["reason"].map(config.reason_label))[PANEL_FLAG_COLUMNS]
    history = flag_history(ws, account_id)
    actions = history[history["source"] == "app"].sort_values("signal_at", ascending=False)
    actions = actions.assign(reason=actions["reason"].map(config.reason_label))[ACTION_COLUMNS]
    return FlagPanel(account_id, flag_version(ws, account_id), flags.reset_index(drop=True),
                     actions.reset_index(drop=True))


def offered_choices(choices: dict[str, str], search: str, keep: str | None = None,
                    limit: int | None = None) -> tuple[list[str], int]:
    """The account ids the flag form offers, and how many of `choices` ({id: name}) match
    `search` (views.account.search_accounts: id or name, case-blind): `keep` (the account already
    chosen) first when it is one of `choices`, then the first `limit` matches (default
    views.account.ACCOUNT_MATCH_LIMIT) in `choices`' order."""
    from cs_analytics.views.account import ACCOUNT_MATCH_LIMIT, search_accounts

    frame = pd.DataFrame({"account_id": list(choices), "name": [v or "" for v in choices.values()]})
    found = search_accounts(frame, search)
    ids = found["account_id"].head(ACCOUNT_MATCH_LIMIT if limit is None else limit).tolist()
    if keep in choices and keep not in ids:
        ids = [keep, *ids]
    return ids, len(found)
