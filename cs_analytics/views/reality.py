"""The Reality page's numbers: quadrants, the account lists, current flags, the track record and
pre-renewal spikes, optionally restricted to one CSM's book ("My book").

Every figure comes from `cs_analytics.reality` (the CLI uses the same functions), so the page
only lays out `RealityView`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.reality.flags import current_flags
from cs_analytics.reality.quadrants import (
    GREEN_BUT_FAILING,
    RED_BUT_FINE,
    UNASSESSED,
    quadrant_counts,
    quadrants,
)
from cs_analytics.reality.spikes import activity_spikes, usage_around
from cs_analytics.reality.track_record import TrackRecord, track_record

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

LIST_COLUMNS = ["account_id", "account_name", "band", "score", "csm_sentiment", "override_label",
                "reason", "assessed_at", "mrr", "renewal_date"]
FLAG_LIST_COLUMNS = ["account_id", "account_name", "status", "sentiment", "review_by", "user_name",
                     "reason", "note", "created_at"]
SPIKE_LIST_COLUMNS = ["account_id", "contract_end", "ratio_before", "ratio_after"]


@dataclass(frozen=True)
class RealityView:
    """What the Reality page shows at one as-of, for one filter and, with `owner`, one CSM's book.

    accounts: the quadrants frame (reality.quadrants) of the accounts shown; the lists are its rows
    in one quadrant, largest MRR first, with LIST_COLUMNS (stale: the old assessment's sentiment,
    dated, rather than a blank); flags: every flag in force (one per CSM and account, up to now);
    spikes: flagged pre-renewal activity spikes; flagged_accounts: every account with a current
    flag, in or out of the book (the ones a flag can be withdrawn from). The track record is
    `reality_track_record` (it does not depend on the book).
    """

    as_of: dt.date | str | None
    max_age_days: int
    owner: str | None
    accounts: pd.DataFrame
    counts: dict[str, int]
    green_but_failing: pd.DataFrame
    red_but_fine: pd.DataFrame
    unassessed: pd.DataFrame
    stale: pd.DataFrame
    flags: pd.DataFrame
    spikes: pd.DataFrame
    flagged_accounts: tuple[str, ...]

    @property
    def expired_flags(self) -> int:
        """Flags shown whose review-by date has passed."""
        return int((self.flags["status"] == "expired").sum()) if len(self.flags) else 0

    def selected(self, account_ids: Iterable[str]) -> pd.DataFrame:
        """The list rows (LIST_COLUMNS) of the chosen accounts, largest MRR first."""
        return account_list(self.accounts[self.accounts["account_id"].isin(set(account_ids))])

    def flag_choices(self) -> dict[str, str]:
        """{account_id: account name or ''} of the accounts shown, by id, for the flag form."""
        frame = self.accounts.sort_values("account_id")
        return dict(zip(frame["account_id"], frame["account_name"].fillna("")))


def in_book(frame: pd.DataFrame, book: Iterable[str] | None) -> pd.DataFrame:
    """The rows of `frame` whose account_id is in `book` (None: every row). My book's one filter."""
    if book is None:
        return frame
    return frame[frame["account_id"].isin(set(book))]


def book_of(accounts: pd.DataFrame, owner: str | None) -> list[str] | None:
    """The account ids whose CSM owner is `owner` (None: no restriction)."""
    if not owner:
        return None
    return accounts.loc[accounts["csm_owner"] == owner, "account_id"].tolist()


def account_list(frame: pd.DataFrame, stale: bool = False) -> pd.DataFrame:
    """Rows as listed on the page: LIST_COLUMNS, largest MRR first, MRR in whole units, reason codes
    as words; with `stale`, csm_sentiment is the latest (stale) signal's sentiment."""
    out = frame.sort_values(["mrr", "account_id"], ascending=[False, True]).copy()
    if stale:
        out["csm_sentiment"] = out["last_sentiment"]
    out["reason"] = reason_text(out["reason"])
    out["mrr"] = out["mrr"].round(0)
    return out[LIST_COLUMNS].reset_index(drop=True)


def reason_text(codes: pd.Series) -> pd.Series:
    """Reason codes as their labels ("champion_left" -> "Champion left", config.reason_label);
    missing stays missing."""
    return codes.map(config.reason_label).astype(object)


def reality_view(
    ws: "Workspace",
    account_filter: AccountFilter = NO_FILTER,
    as_of: dt.date | str | None = None,
    max_age_days: int = config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
    owner: str | None = None,
) -> RealityView:
    """Everything the Reality page shows. as_of None: the data's as-of, with every flag up to now."""
    everyone = quadrants(ws, as_of, account_filter=account_filter, max_age_days=max_age_days)
    book = book_of(everyone, owner)
    accounts = in_book(everyone, book)
    in_quadrant = lambda q: accounts[accounts["quadrant"] == q]  # noqa: E731
    spikes = activity_spikes(ws, as_of, account_filter=account_filter)
    spikes["contract_end"] = pd.to_datetime(spikes["contract_end"]).dt.date
    flags = current_flags(ws)
    return RealityView(
        as_of=as_of, max_age_days=int(max_age_days), owner=owner or None,
        accounts=accounts, counts=quadrant_counts(accounts),
        green_but_failing=account_list(in_quadrant(GREEN_BUT_FAILING)),
        red_but_fine=account_list(in_quadrant(RED_BUT_FINE)),
        unassessed=account_list(in_quadrant(UNASSESSED)[lambda f: ~f["stale"]]),
        stale=account_list(accounts[accounts["stale"]], stale=True),
        flags=in_book(flags, book)[FLAG_LIST_COLUMNS].assign(reason=lambda f: reason_text(f["reason"]))
        .reset_index(drop=True),
        spikes=in_book(spikes[spikes["flagged"]], book)[SPIKE_LIST_COLUMNS].reset_index(drop=True),
        flagged_accounts=tuple(dict.fromkeys(flags["account_id"])),
    )


def reality_track_record(ws: "Workspace", account_filter: AccountFilter, as_of,
                         max_age_days: int = config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS) -> TrackRecord:
    """The human signal's track record for the filtered accounts (reality.track_record)."""
    return track_record(ws, as_of=as_of, account_filter=account_filter, max_age_days=max_age_days)


def spike_usage(ws: "Workspace", account_filter: AccountFilter, as_of, account_id: str,
                contract_end: dt.date) -> pd.DataFrame:
    """Daily usage of one account around one contract end (reality.spikes.usage_around)."""
    return usage_around(ws, account_id, contract_end)
