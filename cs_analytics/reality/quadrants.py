"""Metric health versus CSM-reported reality (metrics.md, "Metric health versus CSM-reported reality").

- CSM sentiment at T: the latest CRM assessment or in-app flag dated on or before T, if not older
  than `max_age_days` (default 120); a withdrawal clears the flags before it (the latest earlier
  assessment counts again). An active flag (review-by not passed) is never stale.
- Quadrant at T, from the metric band and the CSM sentiment (see `quadrant_of` for the full table).
- Effective health: an active flag overrides the metric band until its review-by date; the
  override is labelled with both values ("CSM override: red (metric: green 78)").
- Track record: over past month-end snapshots T with T + H <= as_of, the churn rate within
  (T, T+H] of green-but-failing accounts versus metric-green accounts with no red CSM signal, and
  of red-but-fine accounts versus other metric-red accounts.

The core functions take a scores DataFrame (account_id, score, band, ...) so they can be tested
with hand-made frames; the wrappers get scores from `cs_analytics.health.scoring`.
"""
from __future__ import annotations

import datetime as dt
import inspect
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.reality.flags import current_flags, flag_window
from cs_analytics.core.outcomes import churn_outcomes
from cs_analytics.core.snapshots import month_end_snapshots, with_outcome
from cs_analytics.core.workspace import resolve_as_of

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
SENTIMENT_COLUMNS = [
    "as_of", "account_id", "csm_sentiment", "assessed_at", "source", "assessed_by", "reason",
    "note", "stale", "flagged", "flag_id", "review_by", "flag_expired", "flag_sentiment",
    "last_sentiment",
]


# -- CSM sentiment ------------------------------------------------------------------------------

SENTIMENT_SQL = """
WITH snap AS (
    SELECT unnest(?::DATE[]) AS as_of, unnest(?::TIMESTAMP[]) AS cutoff,
           unnest(?::DATE[]) AS review_day
),
visible AS (
    SELECT s.as_of, s.review_day, h.*
    FROM snap s JOIN csm_signal_history h ON h.signal_at < s.cutoff
),
withdrawn AS (
    SELECT as_of, account_id, max(signal_at) AS withdrawn_at
    FROM visible WHERE action = 'withdraw' GROUP BY ALL
),
valid AS (
    SELECT v.*
    FROM visible v LEFT JOIN withdrawn w USING (as_of, account_id)
    WHERE v.action = 'assessment'
       OR (v.action = 'flag' AND (w.withdrawn_at IS NULL OR v.signal_at > w.withdrawn_at))
),
latest AS (
    SELECT * FROM valid
    QUALIFY row_number() OVER (
        PARTITION BY as_of, account_id
        ORDER BY signal_at DESC, (source = 'app') DESC, flag_id DESC NULLS LAST) = 1
),
last_flag AS (
    SELECT as_of, account_id, flag_id, sentiment AS flag_sentiment, review_by,
           review_by >= review_day AS flag_active
    FROM valid WHERE action = 'flag'
    QUALIFY row_number() OVER (PARTITION BY as_of, account_id ORDER BY signal_at DESC, flag_id DESC) = 1
),
judged AS (
    SELECT l.*, f.flag_id AS last_flag_id, f.flag_sentiment, f.review_by AS flag_review_by,
           coalesce(f.flag_active, FALSE) AS flagged,
           CAST(l.signal_at AS DATE) < l.as_of - CAST(? AS INTEGER)
               AND NOT (l.action = 'flag' AND l.review_by >= l.review_day) AS is_stale
    FROM latest l LEFT JOIN last_flag f USING (as_of, account_id)
)
SELECT as_of, account_id,
       CASE WHEN NOT is_stale THEN sentiment END AS csm_sentiment,
       CAST(signal_at AS DATE) AS assessed_at,
       source, user_name AS assessed_by, reason, note,
       is_stale AS stale, flagged,
       last_flag_id AS flag_id, flag_review_by AS review_by,
       (last_flag_id IS NOT NULL AND NOT flagged) AS flag_expired,
       flag_sentiment,
       sentiment AS last_sentiment
FROM judged
ORDER BY as_of, account_id
"""


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
    dates = [_as_date(d) for d in snapshot_dates]
    if cutoffs is None:
        cutoffs = [flag_window(ws, d)[0] for d in dates]
    if review_days is None:
        review_days = dates
    frame = ws.query(SENTIMENT_SQL, [dates, list(cutoffs), list(review_days), int(max_age_days)])
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
    as_of_date, cutoff, review_day = _current_window(ws, as_of, now)
    if as_of_date is None:
        return pd.DataFrame(columns=SENTIMENT_COLUMNS)
    return sentiment_snapshots(
        ws, [as_of_date], max_age_days, cutoffs=[cutoff], review_days=[review_day]
    )


def _current_window(ws, as_of, now) -> tuple[dt.date | None, dt.datetime, dt.date]:
    """(as-of date, signal cutoff, flag review day). Without an explicit as-of the data's as-of is
    used for scores and staleness, while every flag up to now counts and expiry is judged today:
    the data can lag the calendar, a flag made a minute ago must show."""
    if as_of is not None:
        day = _as_date(as_of)
        cutoff, review_day = flag_window(ws, day)
        return day, cutoff, review_day
    day = resolve_as_of(ws, None)
    cutoff, review_day = flag_window(ws, None, now)
    if day is not None:
        day_cutoff, _ = flag_window(ws, day)
        cutoff = max(cutoff, day_cutoff)
        review_day = max(review_day, day)
    return day, cutoff, review_day


# -- quadrants ----------------------------------------------------------------------------------

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
    if not _present(sentiment) or not _present(band):
        return UNASSESSED
    if band == "green":
        if sentiment == "red" or (sentiment == "yellow" and bool(flagged)):
            return GREEN_BUT_FAILING
        return AGREE_HEALTHY
    if band == "red":
        return RED_BUT_FINE if sentiment == "green" else AGREE_AT_RISK
    return AGREE_HEALTHY if sentiment == "green" else AGREE_AT_RISK


def classify(scores: pd.DataFrame, sentiment: pd.DataFrame) -> pd.DataFrame:
    """scores (account_id, score, band, ...) joined with sentiment (csm_sentiment_at's frame),
    with the quadrant per account. Accounts without a sentiment row are unassessed."""
    keep = [c for c in SENTIMENT_COLUMNS if c != "as_of"]
    sent = sentiment[keep] if len(sentiment) else pd.DataFrame(columns=keep)
    out = scores.merge(sent, on="account_id", how="left")
    out["flagged"] = out["flagged"].astype("boolean").fillna(False).astype(bool)
    out["stale"] = out["stale"].astype("boolean").fillna(False).astype(bool)
    out["quadrant"] = [
        quadrant_of(b, s, f) for b, s, f in zip(out["band"], out["csm_sentiment"], out["flagged"])
    ]
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

    Columns QUADRANT_COLUMNS first, then: last_sentiment (the latest signal's sentiment even when
    stale), assessed_by, source, note, review_by, flag_expired,
    effective_band, is_override, override_label. `scores` defaults to health.score_accounts.
    """
    as_of_date, cutoff, review_day = _current_window(ws, as_of, now)
    if as_of_date is None:
        return pd.DataFrame(columns=QUADRANT_COLUMNS)
    if scores is None:
        scores = score_accounts_at(ws, as_of_date, account_filter)
    scores = keep_filtered(ws, scores, account_filter)
    sentiment = sentiment_snapshots(
        ws, [as_of_date], max_age_days, cutoffs=[cutoff], review_days=[review_day]
    )
    out = classify(_with_account_columns(ws, scores), sentiment)
    out = out.merge(renewal_dates(ws, as_of_date), on="account_id", how="left")
    flags = current_flags(ws, as_of, now=now)
    out = overrides_from(out, flags)
    extra = ["last_sentiment", "assessed_by", "source", "note", "review_by", "flag_expired",
             "effective_band", "is_override", "override_label"]
    return out[QUADRANT_COLUMNS + extra].sort_values("account_id").reset_index(drop=True)


def renewal_dates(ws: "Workspace", as_of: dt.date) -> pd.DataFrame:
    """Per account, the next contract end_date after as_of (account_id, renewal_date)."""
    frame = ws.query(
        "SELECT account_id, min(end_date) AS renewal_date FROM contracts "
        "WHERE end_date > ? GROUP BY account_id",
        [as_of],
    )
    frame["renewal_date"] = pd.to_datetime(frame["renewal_date"]).dt.date
    return frame


# -- effective health (overrides) ---------------------------------------------------------------

def overrides_from(scores: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """scores with effective_band, is_override and override_label from the active flags.

    An active flag replaces the band by the flag's sentiment; the label keeps both values:
    "CSM override: red (metric: green 78)". Without an active flag effective_band = band.
    """
    out = scores.copy()
    active = flags[flags["status"] == "active"] if len(flags) else flags
    by_account = dict(zip(active.get("account_id", []), active.get("sentiment", [])))
    flag_sent = out["account_id"].map(by_account)
    out["is_override"] = flag_sent.notna().to_numpy()
    out["effective_band"] = flag_sent.where(flag_sent.notna(), out["band"])
    out["override_label"] = [
        _override_label(s, b, sc) if o else None
        for s, b, sc, o in zip(flag_sent, out["band"], out["score"], out["is_override"])
    ]
    return out


def apply_overrides(
    ws: "Workspace",
    scores_df: pd.DataFrame,
    as_of: dt.date | str | None = None,
    *,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """scores_df plus effective_band, is_override, override_label, from the flags active at as_of
    (None: flags active now)."""
    return overrides_from(scores_df, current_flags(ws, as_of, now=now))


def _override_label(flag_sentiment: str, band, score) -> str:
    metric = f"{band}" if not _present(score) else f"{band} {float(score):.0f}"
    return f"CSM override: {flag_sentiment} (metric: {metric})"


# -- track record -------------------------------------------------------------------------------

@dataclass
class GroupRecord:
    """Churn within the horizon of one group of account-snapshots."""

    label: str
    accounts: int = 0
    churned: int = 0

    @property
    def rate(self) -> float | None:
        return self.churned / self.accounts if self.accounts else None


@dataclass
class TrackRecord:
    """The human signal's track record over past month-end snapshots (pooled account-snapshots).

    green_but_failing vs green_no_red: metric-green accounts the CSMs called red (or flagged)
    versus metric-green accounts with no red CSM signal (no red sentiment, no active flag).
    red_but_fine vs red_not_green: metric-red accounts the CSMs called green versus the other
    metric-red accounts (CSM red/yellow or unassessed).
    """

    horizon_days: int
    snapshots: list[dt.date] = field(default_factory=list)
    green_but_failing: GroupRecord = field(default_factory=lambda: GroupRecord("green_but_failing"))
    green_no_red: GroupRecord = field(default_factory=lambda: GroupRecord("green_no_red"))
    red_but_fine: GroupRecord = field(default_factory=lambda: GroupRecord("red_but_fine"))
    red_not_green: GroupRecord = field(default_factory=lambda: GroupRecord("red_not_green"))

    @property
    def lift(self) -> float | None:
        """Churn rate of green-but-failing / churn rate of metric-green with no red signal."""
        return _ratio(self.green_but_failing.rate, self.green_no_red.rate)

    @property
    def red_but_fine_ratio(self) -> float | None:
        """Churn rate of red-but-fine / churn rate of the other metric-red accounts (< 1: the
        CSMs' "it's fine" carried information)."""
        return _ratio(self.red_but_fine.rate, self.red_not_green.rate)

    def sentence(self) -> str:
        """The green-but-failing comparison in words, with counts."""
        a, b = self.green_but_failing, self.green_no_red
        if not self.snapshots:
            return "No past snapshot is old enough to have an outcome yet, so there is no track record."
        if a.accounts == 0:
            return ("No metric-green account was called red or flagged by its CSM in the past "
                    f"snapshots, so the CSMs' veto has no track record yet ({b.accounts:,} "
                    "metric-green account-snapshots without a red signal).")
        counts = f"({a.churned:,} of {a.accounts:,} vs {b.churned:,} of {b.accounts:,})"
        if self.lift is None:
            return (f"Accounts CSMs called green-but-failing churned {_pct(a.rate)} of the time; no "
                    f"metric-green account without a red signal churned {counts}.")
        return (f"Accounts CSMs called green-but-failing churned {self.lift:.1f}x as often as "
                f"metric-green accounts with no red signal {counts}.")

    def red_sentence(self) -> str:
        """The red-but-fine comparison in words, with counts."""
        a, b = self.red_but_fine, self.red_not_green
        if a.accounts == 0:
            return "No metric-red account was called green by its CSM in the past snapshots."
        counts = f"({a.churned:,} of {a.accounts:,} vs {b.churned:,} of {b.accounts:,})"
        if self.red_but_fine_ratio is None:
            return (f"Accounts CSMs called fine while the metric said red churned {_pct(a.rate)} "
                    f"of the time; no other metric-red account churned {counts}.")
        return (f"Accounts CSMs called fine while the metric said red churned "
                f"{self.red_but_fine_ratio:.1f}x as often as other metric-red accounts {counts}.")

    def as_frame(self) -> pd.DataFrame:
        """One row per group: group, accounts, churned, churn_rate."""
        rows = [
            {"group": g.label, "accounts": g.accounts, "churned": g.churned, "churn_rate": g.rate}
            for g in (self.green_but_failing, self.green_no_red, self.red_but_fine, self.red_not_green)
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["lift"] = self.lift
        data["red_but_fine_ratio"] = self.red_but_fine_ratio
        for key in ("green_but_failing", "green_no_red", "red_but_fine", "red_not_green"):
            data[key]["churn_rate"] = getattr(self, key).rate
        return data


def track_record_from(
    scores_long: pd.DataFrame,
    sentiment_long: pd.DataFrame,
    outcomes: pd.DataFrame,
    horizon_days: int = config.DEFAULT_HORIZON_DAYS,
) -> TrackRecord:
    """The track record from long-form scores (as_of, account_id, band), sentiment
    (sentiment_snapshots) and outcomes (as_of, account_id, churned). Pure."""
    scores = scores_long[["as_of", "account_id", "band"]].copy()
    scores["as_of"] = pd.to_datetime(scores["as_of"]).dt.date
    outcomes = outcomes.copy()
    outcomes["as_of"] = pd.to_datetime(outcomes["as_of"]).dt.date
    frame = scores.merge(outcomes[["as_of", "account_id", "churned"]], on=["as_of", "account_id"])
    sent = sentiment_long[["as_of", "account_id", "csm_sentiment", "flagged"]].copy()
    sent["as_of"] = pd.to_datetime(sent["as_of"]).dt.date
    frame = frame.merge(sent, on=["as_of", "account_id"], how="left")
    frame["flagged"] = frame["flagged"].astype("boolean").fillna(False).astype(bool)
    quadrant = [quadrant_of(b, s, f) for b, s, f in
                zip(frame["band"], frame["csm_sentiment"], frame["flagged"])]
    frame["quadrant"] = quadrant
    red_signal = (frame["csm_sentiment"] == "red") | frame["flagged"]
    green = frame["band"] == "green"
    red = frame["band"] == "red"
    groups = {
        "green_but_failing": frame["quadrant"] == GREEN_BUT_FAILING,
        "green_no_red": green & ~red_signal,
        "red_but_fine": frame["quadrant"] == RED_BUT_FINE,
        "red_not_green": red & (frame["csm_sentiment"] != "green"),
    }
    record = TrackRecord(horizon_days=int(horizon_days),
                         snapshots=sorted(set(scores["as_of"])))
    for name, mask in groups.items():
        group = getattr(record, name)
        group.accounts = int(mask.sum())
        group.churned = int(frame.loc[mask, "churned"].astype(bool).sum())
    return record


def snapshot_dates_for(
    ws: "Workspace", horizon_days: int, as_of: dt.date | None = None, max_snapshots: int | None = 36
) -> list[dt.date]:
    """Month-ends T with T + horizon_days <= as_of, from the first CSM signal's month on (no
    signal before it: nothing to compare), the latest `max_snapshots` of them."""
    first = ws.scalar("SELECT CAST(min(signal_at) AS DATE) FROM csm_signal_history")
    return month_end_snapshots(first, resolve_as_of(ws, as_of), horizon_days, max_snapshots)


def track_record(
    ws: "Workspace",
    horizon_days: int = config.DEFAULT_HORIZON_DAYS,
    as_of: dt.date | str | None = None,
    account_filter: AccountFilter = NO_FILTER,
    max_age_days: int = config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
    *,
    scores_long: pd.DataFrame | None = None,
    snapshot_dates: Sequence[dt.date] | None = None,
    max_snapshots: int | None = 36,
) -> TrackRecord:
    """Churn within horizon_days after past month-end snapshots, green-but-failing vs metric-green
    with no red CSM signal (lift), and red-but-fine vs other metric-red accounts.

    Population at T: scored accounts that are customers at T. `scores_long` (as_of, account_id,
    band) defaults to health.score_snapshots over `snapshot_dates` (default snapshot_dates_for).
    """
    as_of_date = resolve_as_of(ws, as_of)
    if snapshot_dates is None:
        if scores_long is not None:
            snapshot_dates = with_outcome(pd.to_datetime(scores_long["as_of"]).dt.date, as_of_date, horizon_days)
        else:
            snapshot_dates = snapshot_dates_for(ws, horizon_days, as_of_date, max_snapshots)
    snapshot_dates = [_as_date(d) for d in snapshot_dates]
    if not snapshot_dates:
        return TrackRecord(horizon_days=int(horizon_days))
    if scores_long is None:
        scores_long = score_snapshots_at(ws, snapshot_dates, account_filter)
    scores_long = keep_filtered(ws, scores_long, account_filter)
    scores_long = scores_long[pd.to_datetime(scores_long["as_of"]).dt.date.isin(snapshot_dates)]
    sentiment = sentiment_snapshots(ws, snapshot_dates, max_age_days)
    outcomes = churn_outcomes(ws, snapshot_dates, horizon_days)
    return track_record_from(scores_long, sentiment, outcomes, horizon_days)


# -- scores from the health module ---------------------------------------------------------------

def score_accounts_at(ws: "Workspace", as_of: dt.date, account_filter: AccountFilter = NO_FILTER) -> pd.DataFrame:
    """Metric scores at as_of from cs_analytics.health.scoring (the active scorecard)."""
    from cs_analytics.health import scoring as health

    return health.score_accounts(ws, as_of, account_filter=account_filter)


def score_snapshots_at(
    ws: "Workspace", snapshot_dates: Sequence[dt.date], account_filter: AccountFilter = NO_FILTER
) -> pd.DataFrame:
    """Long-form metric scores (as_of, account_id, score, band) at each snapshot date."""
    from cs_analytics.health import scoring as health

    params = inspect.signature(health.score_snapshots).parameters
    if "account_filter" in params:
        return health.score_snapshots(ws, list(snapshot_dates), account_filter=account_filter)
    return health.score_snapshots(ws, list(snapshot_dates))


# -- helpers ---------------------------------------------------------------------------------------

def _with_account_columns(ws: "Workspace", scores: pd.DataFrame) -> pd.DataFrame:
    """scores with account_name, csm_owner, segment and mrr filled from the workspace if absent."""
    out = scores.copy()
    wanted = [c for c in ("account_name", "csm_owner", "segment") if c not in out.columns]
    if wanted:
        accounts = ws.query(f"SELECT account_id, {', '.join(wanted)} FROM accounts")
        out = out.merge(accounts, on="account_id", how="left")
    if "mrr" not in out.columns:
        mrr = ws.query(
            "SELECT account_id, mrr FROM account_month "
            "WHERE month = (SELECT max(month) FROM account_month)"
        )
        out = out.merge(mrr, on="account_id", how="left")
    return out


def _present(value) -> bool:
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return True


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return pd.Timestamp(value).date()


def quadrant_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Accounts per quadrant, every quadrant present (0 when empty)."""
    counts = frame["quadrant"].value_counts() if len(frame) else pd.Series(dtype=int)
    return {q: int(counts.get(q, 0)) for q in QUADRANTS}


def accounts_in(frame: pd.DataFrame, quadrant: str, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Rows of a quadrants frame in one quadrant (optionally only `ids`), largest MRR first."""
    out = frame[frame["quadrant"] == quadrant]
    if ids is not None:
        out = out[out["account_id"].isin(set(ids))]
    return out.sort_values(["mrr", "account_id"], ascending=[False, True])
