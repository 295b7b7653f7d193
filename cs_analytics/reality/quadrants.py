"""Quadrants: metric health versus CSM-reported reality, per account (metrics.md).

The quadrant at T comes from the metric band and the CSM sentiment at T (`quadrant_of` has the
full table). The core functions take a scores DataFrame (account_id, score, band, ...) so they can
be tested with hand-made frames; `quadrants` gets scores from `cs_analytics.health.scoring`.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.health.scoring import score_accounts
from cs_analytics.reality.flags import current_flags
from cs_analytics.reality.overrides import is_present, overrides_from
from cs_analytics.reality.sentiment import SENTIMENT_COLUMNS, current_window, sentiment_snapshots

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

AGREE_HEALTHY = "agree_healthy"
AGREE_AT_RISK = "agree_at_risk"
GREEN_BUT_FAILING = "green_but_failing"
RED_BUT_FINE = "red_but_fine"
UNASSESSED = "unassessed"
QUADRANTS = (GREEN_BUT_FAILING, RED_BUT_FINE, AGREE_AT_RISK, AGREE_HEALTHY, UNASSESSED)
QUADRANT_LABELS = {
    GREEN_BUT_FAILING: "Green but failing",
    RED_BUT_FINE: "Red but fine",
    AGREE_AT_RISK: "Agree: at risk",
    AGREE_HEALTHY: "Agree: healthy",
    UNASSESSED: "Unassessed",
}
QUADRANT_COLUMNS = [
    "account_id", "account_name", "csm_owner", "segment", "mrr", "renewal_date", "score", "band",
    "csm_sentiment", "assessed_at", "reason", "quadrant", "flagged", "stale",
]
DETAIL_COLUMNS = ["last_sentiment", "assessed_by", "source", "note", "review_by", "flag_expired",
                  "effective_band", "is_override", "override_label"]


def quadrant_of(band: str | None, sentiment: str | None, flagged: bool = False) -> str:
    """The quadrant of one account from its metric band, CSM sentiment and active flag.

    | metric \\ CSM | green         | yellow          | yellow + flag     | red               |
    |--------------|---------------|-----------------|-------------------|-------------------|
    | green        | agree_healthy | agree_healthy*  | green_but_failing | green_but_failing |
    | yellow       | agree_healthy*| agree_at_risk   | agree_at_risk     | agree_at_risk     |
    | red          | red_but_fine  | agree_at_risk   | agree_at_risk     | agree_at_risk     |

    No recent CSM sentiment (or no band) -> unassessed. (*) A one-step gap with a green on either
    side is not a disagreement: the CSM has not vetoed (no flag, not red) and the metric does not
    say red, so the pair reads as healthy, and the lists show the yellow.
    """
    if not is_present(sentiment) or not is_present(band):
        return UNASSESSED
    if band == "green":
        if sentiment == "red" or (sentiment == "yellow" and bool(flagged)):
            return GREEN_BUT_FAILING
        return AGREE_HEALTHY
    if band == "red":
        return RED_BUT_FINE if sentiment == "green" else AGREE_AT_RISK
    return AGREE_HEALTHY if sentiment == "green" else AGREE_AT_RISK


def quadrant_column(frame: pd.DataFrame) -> list[str]:
    """quadrant_of for every row of a frame with band, csm_sentiment and flagged columns."""
    return [quadrant_of(b, s, f) for b, s, f in
            zip(frame["band"], frame["csm_sentiment"], frame["flagged"])]


def classify(scores: pd.DataFrame, sentiment: pd.DataFrame) -> pd.DataFrame:
    """scores (account_id, score, band, ...) joined with sentiment (csm_sentiment_at's frame),
    with the quadrant per account. Accounts without a sentiment row are unassessed."""
    keep = [c for c in SENTIMENT_COLUMNS if c != "as_of"]
    sent = sentiment[keep] if len(sentiment) else pd.DataFrame(columns=keep)
    out = scores.merge(sent, on="account_id", how="left")
    out["flagged"] = out["flagged"].astype("boolean").fillna(False).astype(bool)
    out["stale"] = out["stale"].astype("boolean").fillna(False).astype(bool)
    out["quadrant"] = quadrant_column(out)
    return out


def quadrants(
    ws: "Workspace",
    as_of: dt.date | str | None = None,
    account_filter: AccountFilter = NO_FILTER,
    max_age_days: int = config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
    scores: pd.DataFrame | None = None,
    *,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """Quadrant per scored account at as_of, with renewal date, flag and override columns.

    Columns QUADRANT_COLUMNS first, then DETAIL_COLUMNS: last_sentiment (the latest signal's
    sentiment even when stale), assessed_by, source, note, review_by, flag_expired,
    effective_band, is_override, override_label. `scores` defaults to health.score_accounts.
    """
    as_of_date, cutoff, review_day = current_window(ws, as_of, now)
    if as_of_date is None:
        return pd.DataFrame(columns=QUADRANT_COLUMNS)
    if scores is None:
        scores = score_accounts(ws, as_of_date, account_filter=account_filter)
    scores = keep_filtered(ws, scores, account_filter)
    sentiment = sentiment_snapshots(
        ws, [as_of_date], max_age_days, cutoffs=[cutoff], review_days=[review_day]
    )
    out = classify(with_account_columns(ws, scores), sentiment)
    out = out.merge(renewal_dates(ws, as_of_date), on="account_id", how="left")
    out = overrides_from(out, current_flags(ws, as_of, now=now))
    return out[QUADRANT_COLUMNS + DETAIL_COLUMNS].sort_values("account_id").reset_index(drop=True)


def renewal_dates(ws: "Workspace", as_of: dt.date) -> pd.DataFrame:
    """Per account, the next contract end_date after as_of (account_id, renewal_date)."""
    frame = ws.query_named("reality/renewal_dates", [as_of])
    frame["renewal_date"] = pd.to_datetime(frame["renewal_date"]).dt.date
    return frame


def with_account_columns(ws: "Workspace", scores: pd.DataFrame) -> pd.DataFrame:
    """scores with account_name, csm_owner, segment and mrr (the latest month's) filled from the
    workspace when absent."""
    missing = [c for c in ("account_name", "csm_owner", "segment", "mrr") if c not in scores.columns]
    if not missing:
        return scores.copy()
    accounts = ws.query_named("reality/account_columns")[["account_id", *missing]]
    return scores.merge(accounts, on="account_id", how="left")


def quadrant_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Accounts per quadrant, every quadrant present (0 when empty)."""
    counts = frame["quadrant"].value_counts() if len(frame) else pd.Series(dtype=int)
    return {q: int(counts.get(q, 0)) for q in QUADRANTS}
