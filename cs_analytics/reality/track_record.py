"""The track record of the human signal (metrics.md, "Metric health versus CSM-reported reality").

Over past month-end snapshots T with T + H <= as_of: the churn rate within (T, T+H] of
green-but-failing accounts versus metric-green accounts with no red CSM signal, and of
red-but-fine accounts versus other metric-red accounts.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Sequence

import pandas as pd

from cs_analytics.core import config
from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.core.outcomes import churn_outcomes
from cs_analytics.core.owners import owner_key
from cs_analytics.core.snapshots import month_end_snapshots, with_outcome
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.scoring import score_snapshots
from cs_analytics.reality.quadrants import GREEN_BUT_FAILING, RED_BUT_FINE, quadrant_column
from cs_analytics.reality.sentiment import sentiment_snapshots
from cs_analytics.core.dates import to_date

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

GROUPS = ("green_but_failing", "green_no_red", "red_but_fine", "red_not_green")
CSM_RECORD_COLUMNS = ["csm", "calls", "accounts", "churned", "churn_rate", "base_calls", "base_churned",
                      "base_rate", "lift"]


@dataclass
class GroupRecord:
    """Churn within the horizon of one group of account-snapshots."""

    label: str
    accounts: int = 0
    churned: int = 0

    @property
    def rate(self) -> float | None:
        """churned / accounts (None without accounts)."""
        return self.churned / self.accounts if self.accounts else None

    def counts(self) -> str:
        """"<churned> of <accounts>"."""
        return f"{self.churned:,} of {self.accounts:,}"


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
        return _comparison("Accounts CSMs called green-but-failing", a, self.lift,
                           "metric-green account without a red signal",
                           "metric-green accounts with no red signal", b)

    def red_sentence(self) -> str:
        """The red-but-fine comparison in words, with counts."""
        a, b = self.red_but_fine, self.red_not_green
        if a.accounts == 0:
            return "No metric-red account was called green by its CSM in the past snapshots."
        return _comparison("Accounts CSMs called fine while the metric said red", a, self.red_but_fine_ratio,
                           "other metric-red account", "other metric-red accounts", b)

    def as_frame(self) -> pd.DataFrame:
        """One row per group: group, accounts, churned, churn_rate."""
        rows = [{"group": g.label, "accounts": g.accounts, "churned": g.churned, "churn_rate": g.rate}
                for g in (getattr(self, name) for name in GROUPS)]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """The record as plain data, with lift, red_but_fine_ratio and each group's churn_rate."""
        data = asdict(self)
        data["lift"] = self.lift
        data["red_but_fine_ratio"] = self.red_but_fine_ratio
        for key in GROUPS:
            data[key]["churn_rate"] = getattr(self, key).rate
        return data


def _judged(scores_long, sentiment_long, outcomes) -> pd.DataFrame:
    """One row per scored account-snapshot with its outcome, CSM sentiment, author and quadrant."""
    frame = _with_day(scores_long[["as_of", "account_id", "band"]])
    frame = frame.merge(_with_day(outcomes[["as_of", "account_id", "churned"]]), on=["as_of", "account_id"])
    sent = _with_day(sentiment_long[["as_of", "account_id", "csm_sentiment", "flagged", "assessed_by"]])
    frame = frame.merge(sent, on=["as_of", "account_id"], how="left")
    frame["flagged"] = frame["flagged"].astype("boolean").fillna(False).astype(bool)
    frame["churned"] = frame["churned"].astype(bool)
    frame["quadrant"] = quadrant_column(frame)
    return frame


def csm_track_record_from(
    scores_long: pd.DataFrame, sentiment_long: pd.DataFrame, outcomes: pd.DataFrame
) -> pd.DataFrame:
    """Per CSM, their calls' track record (CSM_RECORD_COLUMNS), most calls first. Pure.

    A CSM's call: a metric-green account-snapshot in green-but-failing (CSM red, or yellow with
    an active flag) whose CSM sentiment is that CSM's signal (the latest assessment or flag; names
    matched trimmed and case-insensitively, shown as first written). calls / accounts: the
    account-snapshots and distinct accounts; churned / churn_rate: within the horizon. The base is
    the same for everyone: metric-green account-snapshots with no red signal (base_calls,
    base_churned, base_rate); lift = churn_rate / base_rate (None when the base never churned).
    """
    frame = _judged(scores_long, sentiment_long, outcomes)
    base = frame[(frame["band"] == "green") & ~((frame["csm_sentiment"] == "red") | frame["flagged"])]
    base_rate = base["churned"].mean() if len(base) else None
    calls = frame[(frame["quadrant"] == GREEN_BUT_FAILING) & frame["assessed_by"].map(owner_key).ne("")]
    calls = calls.assign(csm_key=calls["assessed_by"].map(owner_key))
    rows = []
    for key, group in calls.groupby("csm_key", sort=True):
        rate = group["churned"].mean()
        spelling = group["assessed_by"].str.strip().value_counts().index[0]  # the most written
        rows.append({"key": key, "csm": spelling, "calls": len(group),
                     "accounts": group["account_id"].nunique(), "churned": int(group["churned"].sum()),
                     "churn_rate": rate, "base_calls": len(base), "base_churned": int(base["churned"].sum()),
                     "base_rate": base_rate, "lift": _ratio(rate, base_rate)})
    out = pd.DataFrame(rows, columns=["key", *CSM_RECORD_COLUMNS])
    out = out.sort_values(["calls", "key"], ascending=[False, True])
    return out[CSM_RECORD_COLUMNS].reset_index(drop=True)


def track_record_from(
    scores_long: pd.DataFrame,
    sentiment_long: pd.DataFrame,
    outcomes: pd.DataFrame,
    horizon_days: int = config.DEFAULT_HORIZON_DAYS,
) -> TrackRecord:
    """The track record from long-form scores (as_of, account_id, band), sentiment
    (sentiment_snapshots) and outcomes (as_of, account_id, churned). Pure."""
    frame = _judged(scores_long, sentiment_long, outcomes)
    red_signal = (frame["csm_sentiment"] == "red") | frame["flagged"]
    groups = {
        "green_but_failing": frame["quadrant"] == GREEN_BUT_FAILING,
        "green_no_red": (frame["band"] == "green") & ~red_signal,
        "red_but_fine": frame["quadrant"] == RED_BUT_FINE,
        "red_not_green": (frame["band"] == "red") & (frame["csm_sentiment"] != "green"),
    }
    record = TrackRecord(horizon_days=int(horizon_days),
                         snapshots=sorted(set(_with_day(scores_long[["as_of"]])["as_of"])))
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
    first = ws.query_named("reality/first_signal_date")["first_signal"].iloc[0]
    first = None if pd.isna(first) else to_date(first)
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
    inputs = track_record_inputs(ws, horizon_days, as_of, account_filter, max_age_days,
                                 scores_long=scores_long, snapshot_dates=snapshot_dates,
                                 max_snapshots=max_snapshots)
    if inputs is None:
        return TrackRecord(horizon_days=int(horizon_days))
    return track_record_from(*inputs, horizon_days)


def csm_track_record(
    ws: "Workspace",
    horizon_days: int = config.DEFAULT_HORIZON_DAYS,
    as_of: dt.date | str | None = None,
    account_filter: AccountFilter = NO_FILTER,
    max_age_days: int = config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
    **kwargs,
) -> pd.DataFrame:
    """Per CSM, their green-but-failing calls' churn within horizon_days versus the metric-green
    base, over the same snapshots and accounts as `track_record` (csm_track_record_from)."""
    inputs = track_record_inputs(ws, horizon_days, as_of, account_filter, max_age_days, **kwargs)
    if inputs is None:
        return pd.DataFrame(columns=CSM_RECORD_COLUMNS)
    return csm_track_record_from(*inputs)


def track_record_inputs(ws, horizon_days, as_of, account_filter, max_age_days, *, scores_long=None,
                        snapshot_dates=None, max_snapshots=36):
    """(scores_long, sentiment, outcomes) over the snapshot dates, or None without a snapshot."""
    as_of_date = resolve_as_of(ws, as_of)
    if snapshot_dates is None:
        snapshot_dates = _default_snapshots(ws, horizon_days, as_of_date, scores_long, max_snapshots)
    snapshot_dates = [to_date(d) for d in snapshot_dates]
    if not snapshot_dates:
        return None
    if scores_long is None:
        scores_long = score_snapshots(ws, snapshot_dates, account_filter=account_filter)
    scores_long = keep_filtered(ws, scores_long, account_filter)
    scores_long = scores_long[pd.to_datetime(scores_long["as_of"]).dt.date.isin(snapshot_dates)]
    sentiment = sentiment_snapshots(ws, snapshot_dates, max_age_days)
    outcomes = churn_outcomes(ws, snapshot_dates, horizon_days)
    return scores_long, sentiment, outcomes


def _default_snapshots(ws, horizon_days, as_of_date, scores_long, max_snapshots) -> list[dt.date]:
    """The snapshot dates of scores_long old enough to have an outcome, else snapshot_dates_for."""
    if scores_long is None:
        return snapshot_dates_for(ws, horizon_days, as_of_date, max_snapshots)
    return with_outcome(pd.to_datetime(scores_long["as_of"]).dt.date, as_of_date, horizon_days)


def _with_day(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of frame with as_of as plain dates."""
    out = frame.copy()
    out["as_of"] = pd.to_datetime(out["as_of"]).dt.date
    return out


def _comparison(subject: str, group: GroupRecord, ratio: float | None, other: str, others: str,
                reference: GroupRecord) -> str:
    """"<subject> churned <ratio>x as often as <others> (<counts>)", or, when no account of the
    reference group churned, the group's own churn rate."""
    counts = f"({group.counts()} vs {reference.counts()})"
    if ratio is None:
        return f"{subject} churned {_pct(group.rate)} of the time; no {other} churned {counts}."
    return f"{subject} churned {ratio:.1f}x as often as {others} {counts}."


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"
