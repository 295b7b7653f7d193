"""CSM sentiment at a date (metrics.md, "Metric health versus CSM-reported reality").

CSM sentiment at T: the latest CRM assessment or in-app flag dated on or before T, if not older
than `max_age_days` (default 120); a withdrawal clears the flags before it (the latest earlier
assessment counts again). An active flag (review-by not passed) is never stale. The statement is
`sql/reality/sentiment.sql`.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Sequence

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.reality.flags import flag_window
from cs_analytics.core.dates import to_date

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

SENTIMENT_COLUMNS = [
    "as_of", "account_id", "csm_sentiment", "assessed_at", "source", "assessed_by", "reason",
    "note", "stale", "flagged", "flag_id", "review_by", "flag_expired", "flag_sentiment",
    "last_sentiment",
]


def sentiment_snapshots(
    ws: "Workspace",
    snapshot_dates: Sequence[dt.date],
    max_age_days: int = config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
    *,
    cutoffs: Sequence[dt.datetime] | None = None,
    review_days: Sequence[dt.date] | None = None,
) -> pd.DataFrame:
    """CSM sentiment per (as_of, account) for each snapshot date, long form (SENTIMENT_COLUMNS).

    Signals created before each snapshot's cutoff count (default: the end of the snapshot day);
    flags are judged active or expired at the snapshot's review day (default: the snapshot day).
    Accounts with no signal at all before the cutoff have no row.
    """
    dates = [to_date(d) for d in snapshot_dates]
    if cutoffs is None:
        cutoffs = [flag_window(ws, d)[0] for d in dates]
    if review_days is None:
        review_days = dates
    frame = ws.query_named("reality/sentiment",
                           [dates, list(cutoffs), list(review_days), int(max_age_days)])
    for col in ("as_of", "assessed_at", "review_by"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame[SENTIMENT_COLUMNS]


def csm_sentiment_at(
    ws: "Workspace",
    as_of: dt.date | str | None,
    max_age_days: int = config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
    *,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """CSM sentiment per account at `as_of` (None: the data's as-of, with every flag up to now).

    csm_sentiment is null when the latest signal is older than max_age_days (stale = True).
    """
    as_of_date, cutoff, review_day = current_window(ws, as_of, now)
    if as_of_date is None:
        return pd.DataFrame(columns=SENTIMENT_COLUMNS)
    return sentiment_snapshots(
        ws, [as_of_date], max_age_days, cutoffs=[cutoff], review_days=[review_day]
    )


def current_window(ws: "Workspace", as_of, now) -> tuple[dt.date | None, dt.datetime, dt.date]:
    """(as-of date, signal cutoff, flag review day). Without an explicit as-of the data's as-of is
    used for scores and staleness, while every flag up to now counts and expiry is judged today:
    the data can lag the calendar, a flag made a minute ago must show."""
    if as_of is not None:
        day = to_date(as_of)
        cutoff, review_day = flag_window(ws, day)
        return day, cutoff, review_day
    day = resolve_as_of(ws, None)
    cutoff, review_day = flag_window(ws, None, now)
    if day is not None:
        day_cutoff, _ = flag_window(ws, day)
        cutoff = max(cutoff, day_cutoff)
        review_day = max(review_day, day)
    return day, cutoff, review_day
