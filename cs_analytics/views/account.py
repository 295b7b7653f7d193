"""The Account page's numbers: one account's identity, health score and its explanation, the CSM
override and flag, score history, CSM signals, contracts, month-end MRR and usage.

Only that one account is scored (health.explain_account); the CSM override comes from the
account's current flag (reality.overrides), as on every other page.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cs_analytics.core.accounts import account_choices
from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.core.ids import normalise_id
from cs_analytics.health.scorecard import scorecard_history
from cs_analytics.health.versions import scorecard_for_account
from cs_analytics.health.scoring import Explanation, explain_account, score_history
from cs_analytics.reality.flags import account_flags, effective_flags, flag_history
from cs_analytics.reality.overrides import apply_overrides
from cs_analytics.views.reality import reason_text

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

HEADER_FIELDS = {"account_id": "Account ID", "segment": "Segment", "csm_owner": "CSM owner",
                 "plan": "Plan", "industry": "Industry", "region": "Region"}
SIGNAL_COLUMNS = ["signal_at", "action", "sentiment", "user_name", "reason", "note", "review_by",
                  "source", "flag_id", "withdraws_flag_id", "override_reason"]
HISTORY_MONTHS = 24
ACCOUNT_MATCH_LIMIT = 50  # accounts offered in the chooser at once (sending 20,000 options costs seconds)


@dataclass(frozen=True)
class AccountChoices:
    """The accounts the page offers and the one a link asked for.

    ids: the wanted account first (when a link names one), then up to `limit` of the filtered
    accounts that match the search text (all of them without a search), customers first;
    matched: how many filtered accounts match the search (of `total` filtered accounts), offered:
    how many of them are in ids.
    unknown: the id a link asked for when no account has it (None otherwise). An account a link
    names that the filters leave out is offered first all the same."""

    ids: tuple[str, ...]
    names: dict[str, str]
    wanted: str | None
    unknown: str | None
    matched: int = 0
    offered: int = 0
    total: int = 0

    @property
    def index(self) -> int:
        """Position of the wanted account in ids (0 without one)."""
        return self.ids.index(self.wanted) if self.wanted in self.ids else 0

    @property
    def truncated(self) -> bool:
        """Whether more accounts match than are offered."""
        return self.matched > self.offered


@dataclass(frozen=True)
class Override:
    """The CSM override of one account's metric band, and the flag behind it (if any)."""

    effective_band: str | None
    label: str | None
    flag: dict | None  # the overriding flag (most severe active): sentiment, user_name, created_at, reason, note, review_by, status


@dataclass(frozen=True)
class AccountView:
    """Everything the Account page shows for one account at as_of.

    header: the HEADER_FIELDS the account has (human label -> value); explanation: None when the
    account has no score at as_of (`unscored` says why); history: the score at each of the last
    HISTORY_MONTHS month-ends with the active scorecard; signals: CSM assessments and flags,
    newest first (SIGNAL_COLUMNS)."""

    account_id: str
    name: str
    as_of: dt.date
    header: dict[str, str]
    explanation: Explanation | None
    unscored: str | None
    override: Override
    green_min: float
    yellow_min: float
    history: pd.DataFrame
    scorecard_versions: pd.DataFrame
    signals: pd.DataFrame
    contracts: pd.DataFrame
    month_end_mrr: pd.DataFrame
    usage: pd.DataFrame


def account_exists(ws: "Workspace", account_id: str) -> bool:
    """True when the accounts table has `account_id`."""
    return not ws.query_named("account/account", [account_id]).empty


def account_name(ws: "Workspace", account_id: str) -> str:
    """The account's name (its id when it has none)."""
    info = ws.query_named("account/account", [account_id]).iloc[0]
    return info["account_name"] if pd.notna(info["account_name"]) and info["account_name"] else account_id


def search_accounts(options: pd.DataFrame, search: str) -> pd.DataFrame:
    """The rows of `options` (account_id, name) whose id or name contains `search` (as text,
    case-blind; for the id, normalised as every typed id is), the id equal to it first, then ids
    starting with it, then the rest, each group in `options`' order. Every row without a search."""
    text = (search or "").strip()
    if not text:
        return options
    typed_id = (normalise_id(text) or "").casefold()  # only invisible characters: every id holds ''
    folded_ids, lowered = options["account_id"].astype(str).str.casefold(), text.casefold()
    hit = (folded_ids.str.contains(typed_id, regex=False)
           | options["name"].astype(str).str.casefold().str.contains(lowered, regex=False))
    rank = np.where(folded_ids == typed_id, 0, np.where(folded_ids.str.startswith(typed_id), 1, 2))
    found = options.assign(_rank=rank)[hit.to_numpy()]
    return found.sort_values("_rank", kind="stable").drop(columns="_rank")


def account_options(ws: "Workspace", account_filter: AccountFilter = NO_FILTER, as_of=None,
                    wanted: str | None = None, search: str = "",
                    limit: int | None = ACCOUNT_MATCH_LIMIT) -> AccountChoices:
    """The accounts to offer (core.accounts.account_choices matching `search`, the first `limit`;
    every one with limit None) and the wanted one, normalised, first."""
    options = account_choices(ws, account_filter)
    found = search_accounts(options, search)
    shown = found if limit is None else found.head(limit)
    ids = shown["account_id"].tolist()
    names = dict(zip(shown["account_id"], shown["name"]))
    wanted = normalise_id(wanted)
    unknown = None
    if wanted:
        row = options[options["account_id"] == wanted]
        if len(row):
            names[wanted] = row["name"].iloc[0]
        elif account_exists(ws, wanted):
            names[wanted] = account_name(ws, wanted)
        else:
            unknown, wanted = wanted, None
        if wanted:
            ids = [wanted, *(a for a in ids if a != wanted)]
    return AccountChoices(tuple(ids), names, wanted, unknown, matched=len(found),
                          offered=len(shown), total=len(options))


def account_override(ws: "Workspace", account_id: str, explanation: Explanation | None) -> Override:
    """The effective band and override label of one account from its flags in force (flags up to
    now): the most severe active one overrides (red beats yellow)."""
    flags = effective_flags(account_flags(ws, account_id))
    flag = flags[flags["account_id"] == account_id]
    flag_row = flag.iloc[0].to_dict() if len(flag) else None
    if explanation is None:
        return Override(None, None, flag_row)
    one = pd.DataFrame({"account_id": [account_id], "score": [explanation.score], "band": [explanation.band]})
    row = apply_overrides(ws, one, None).iloc[0]
    return Override(row["effective_band"], row["override_label"] if row["is_override"] else None, flag_row)


def account_view(ws: "Workspace", account_filter: AccountFilter, as_of: dt.date, account_id: str) -> AccountView:
    """One account's page at as_of (the filter only chooses which accounts are offered)."""
    info = ws.query_named("account/account", [account_id]).iloc[0]
    scorecard = scorecard_for_account(ws, account_id)
    try:
        explanation, unscored = explain_account(ws, account_id, as_of, scorecard), None
    except ValueError as exc:
        explanation, unscored = None, str(exc)
    signals = flag_history(ws, account_id).sort_values("signal_at", ascending=False)
    return AccountView(
        account_id=account_id,
        name=info["account_name"] if pd.notna(info["account_name"]) and info["account_name"] else account_id,
        as_of=as_of,
        header={label: info[k] for k, label in HEADER_FIELDS.items() if k in info and pd.notna(info[k])},
        explanation=explanation, unscored=unscored,
        override=account_override(ws, account_id, explanation),
        green_min=scorecard.green_min, yellow_min=scorecard.yellow_min,
        history=score_history(ws, account_id, as_of, HISTORY_MONTHS, scorecard),
        scorecard_versions=scorecard_history(ws),
        signals=signals[SIGNAL_COLUMNS].assign(reason=lambda f: reason_text(f["reason"])).reset_index(drop=True),
        contracts=ws.query_named("account/contracts", [account_id]),
        month_end_mrr=ws.query_named("account/month_end_mrr", [account_id]),
        usage=ws.query_named("account/usage_by_month", [account_id, as_of]),
    )
