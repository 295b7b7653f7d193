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
from cs_analytics.core.owners import match_owner, owner_key, owner_names, suggestion_sentence
from cs_analytics.reality.flags import current_flags
from cs_analytics.reality.quadrant_bins import accounts_in_bins, quadrant_bins
from cs_analytics.reality.quadrants import (
    GREEN_BUT_FAILING,
    RED_BUT_FINE,
    UNASSESSED,
    quadrant_counts,
    quadrants,
)
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.reality.spikes import (
    actionable_spikes, activity_spikes, rising_renewals, spike_account_columns, usage_around,
)
from cs_analytics.reality.track_record import (
    CSM_RECORD_COLUMNS,
    TrackRecord,
    csm_track_record_from,
    track_record,
    track_record_from,
    track_record_inputs,
)

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

LIST_COLUMNS = ["account_id", "account_name", "band", "score", "csm_sentiment", "override_label",
                "reason", "assessed_at", "mrr", "renewal_date"]
FLAG_LIST_COLUMNS = ["account_id", "account_name", "status", "sentiment", "review_by", "user_name",
                     "reason", "note", "created_at"]


@dataclass(frozen=True)
class RealityView:
    """What the Reality page shows at one as-of, for one filter and, with `owner`, one CSM's book.

    accounts: the quadrants frame (reality.quadrants) of the accounts shown; the lists are its rows
    in one quadrant, largest MRR first, with LIST_COLUMNS (stale: the old assessment's sentiment,
    dated, rather than a blank); flags: every flag in force (one per CSM and account, up to now);
    spikes: flagged pre-renewal activity spikes with contract ends in the last year, newest first,
    with name, MRR, owner and band (spikes_all: every one; reality.spikes.actionable_spikes);
    rising: renewals in the next 90 days whose usage is already rising (rising_renewals);
    flagged_accounts: every account with a current
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
    spikes_all: pd.DataFrame
    rising: pd.DataFrame
    flagged_accounts: tuple[str, ...]
    book_note: str | None = None

    @property
    def expired_flags(self) -> int:
        """Flags shown whose review-by date has passed."""
        return int((self.flags["status"] == "expired").sum()) if len(self.flags) else 0

    def export_frame(self) -> pd.DataFrame:
        """Every account shown, as downloaded: the quadrants frame with reason codes as their
        labels (config.FLAG_REASON_LABELS, as on the page and in the CLI)."""
        return self.accounts.assign(reason=reason_text(self.accounts["reason"]))

    @property
    def binned(self) -> bool:
        """True when the quadrant chart draws score bins (over config.QUADRANT_POINTS_MAX accounts)."""
        return len(self.accounts) > config.QUADRANT_POINTS_MAX

    def quadrant_bins(self) -> pd.DataFrame:
        """The score bins of the accounts shown (reality.quadrant_bins)."""
        return quadrant_bins(self.accounts)

    def selected(self, keys: Iterable[str]) -> pd.DataFrame:
        """The list rows (LIST_COLUMNS) of the chosen accounts, largest MRR first: `keys` are
        account ids, or bin ids when the chart is `binned` (every account in those bins)."""
        ids = accounts_in_bins(self.accounts, keys) if self.binned else keys
        return account_list(self.accounts[self.accounts["account_id"].isin(set(ids))])

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
    """The account ids whose CSM owner is `owner`, trimmed and case-insensitive (None: no
    restriction)."""
    if not owner:
        return None
    key = owner_key(owner)
    return accounts.loc[accounts["csm_owner"].map(owner_key) == key, "account_id"].tolist()


def book_filter(ws: "Workspace", account_filter: AccountFilter, owner: str | None) -> AccountFilter:
    """`account_filter` narrowed to the accounts `owner` owns (every spelling of the name, trimmed
    and case-insensitive); unchanged without an owner."""
    if not owner:
        return account_filter
    spellings = match_owner(owner, owner_names(ws)).owners or (owner,)
    where = dict(account_filter.where)
    if "csm_owner" in where:
        spellings = tuple(s for s in spellings if s in where["csm_owner"]) or ("\0no owner",)
    return AccountFilter({**where, "csm_owner": spellings})


def book_note(ws: "Workspace", owner: str | None, book: list[str] | None) -> str | None:
    """When My book finds no account: why, with the closest owners (plain text); else None."""
    if not owner or book:
        return None
    match = match_owner(owner, owner_names(ws))
    if match.owner:
        return f"{match.owner} owns no account that matches the filters."
    return suggestion_sentence(match) + " My book matches owner names ignoring case and spaces."


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
    spikes = in_book(activity_spikes(ws, as_of, account_filter=account_filter), book)
    day = resolve_as_of(ws, as_of)
    columns = spike_account_columns(ws, everyone)
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
        spikes=actionable_spikes(spikes, columns, day) if day else spikes.head(0),
        spikes_all=actionable_spikes(spikes, columns, day, None) if day else spikes.head(0),
        rising=in_book(rising_renewals(ws, columns, day, account_filter), book).reset_index(drop=True),
        flagged_accounts=tuple(dict.fromkeys(flags["account_id"])),
        book_note=book_note(ws, owner, book),
    )


def reality_track_record(ws: "Workspace", account_filter: AccountFilter, as_of,
                         max_age_days: int = config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
                         owner: str | None = None) -> TrackRecord:
    """The human signal's track record for the filtered accounts (reality.track_record), in
    `owner`'s book when given (My book)."""
    return track_record(ws, as_of=as_of, account_filter=book_filter(ws, account_filter, owner),
                        max_age_days=max_age_days)


@dataclass(frozen=True)
class TrackRecordView:
    """The track record (pooled) and the per-CSM record (CSM_RECORD_COLUMNS) of the same
    snapshots and accounts; `owner` when restricted to a CSM's book."""

    record: TrackRecord
    by_csm: pd.DataFrame
    owner: str | None


def reality_track_records(ws: "Workspace", account_filter: AccountFilter, as_of,
                          max_age_days: int = config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
                          owner: str | None = None) -> TrackRecordView:
    """The track record and the per-CSM record, computed from one set of snapshots (in `owner`'s
    book when given)."""
    horizon = config.DEFAULT_HORIZON_DAYS
    inputs = track_record_inputs(ws, horizon, as_of, book_filter(ws, account_filter, owner), max_age_days)
    if inputs is None:
        return TrackRecordView(TrackRecord(horizon_days=horizon),
                               pd.DataFrame(columns=CSM_RECORD_COLUMNS), owner or None)
    return TrackRecordView(track_record_from(*inputs, horizon), csm_track_record_from(*inputs), owner or None)


def spike_usage(ws: "Workspace", account_filter: AccountFilter, as_of, account_id: str,
                contract_end: dt.date) -> pd.DataFrame:
    """Daily usage of one account around one contract end (reality.spikes.usage_around)."""
    return usage_around(ws, account_id, contract_end)
