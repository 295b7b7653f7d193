"""Health scores as of a date T: scoring, the exact explanation of one account, and trends.

Definitions (docs/spec/metrics.md, Health score):
- Population at T: accounts that are customers on day T (sum of mrr over contracts active on T is
  > 0; for a month-end T this is "customer in T's month"). Percentiles rank within it.
- Each measure's raw value comes from its SQL file (cs_analytics/sql/measures/) using only data
  dated <= T; normalisation maps it to s_i in 0-100 (see scorecard.py).
- Missing measure (no raw value, or not available in the workspace): left out of the account's
  score and the remaining weights re-normalised to 100: w_i' = w_i * 100 / sum of w over present.
- points_i = w_i' * s_i / 100; score = sum of points_i (0-100). Band by the scorecard cut-offs.
- CSM sentiment is never read here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
import pandas as pd

from cs_analytics.health.definitions import unavailable_reasons
from cs_analytics.health.history_cache import portfolio_scores
from cs_analytics.health.raw_cache import cached_raw_values
from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.core.snapshots import recent_month_ends
from cs_analytics.health.bands import band_for
from cs_analytics.health.scorecard import (
    Scorecard,
    active_scorecard,
    normalise_percentile,
    normalise_thresholds,
)
from cs_analytics.core.dates import add_months, month_end
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.core.ids import normalise_id

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

ID_COLUMNS = ["account_id", "account_name", "segment", "csm_owner", "mrr", "score", "band", "scorecard_version"]
TREND_FLAT_POINTS = 2.0  # |change| below this shows as a flat arrow


# -- dates ----------------------------------------------------------------------------------

def previous_month_date(as_of: dt.date) -> dt.date:
    """The same day one month earlier (clamped to that month's end); a month-end maps to the
    previous month-end. Used for 'change since last month'."""
    prev_month = add_months(as_of.replace(day=1), -1)
    if as_of == month_end(as_of):
        return month_end(prev_month)
    return min(prev_month.replace(day=1) + dt.timedelta(days=as_of.day - 1), month_end(prev_month))


# -- scoring --------------------------------------------------------------------------------

def population(ws: "Workspace", dates: Sequence[dt.date]) -> pd.DataFrame:
    """as_of, account_id, account_name, segment, csm_owner, mrr for customers on each date."""
    frame = ws.query_named("health/population", {"as_of_dates": list(dates)})
    codes, days = pd.factorize(frame["as_of"])  # a date object per distinct day, not per row
    frame["as_of"] = np.array([pd.Timestamp(d).date() for d in days], dtype=object)[codes] if len(frame) else []
    return frame


def score_frame(ws: "Workspace", dates: Sequence[dt.date], scorecard: Scorecard) -> tuple[pd.DataFrame, dict]:
    """Scores of the whole population on every date, in one pass per measure.

    Returns (frame, unavailable) where frame has as_of, the ID_COLUMNS and per scorecard measure
    `<m>_raw`, `<m>_score`, `<m>_weight` (effective, re-normalised), `<m>_points`, plus
    `missing_measures`; `unavailable` maps measures without data in the workspace to the reason.
    Disabled measures get raw and score (for the backtest) but no weight or points."""
    dates = sorted(set(dates))
    frame = population(ws, dates)
    if not dates:
        return frame, {}
    latest = max(dates)
    unavailable = unavailable_reasons(ws, [s.resolved_definition for s in scorecard.measures], latest)
    computed = [s.resolved_definition for s in scorecard.measures if s.name not in unavailable]
    if computed and not frame.empty:
        raw = cached_raw_values(ws, computed, dates)
        raw = raw.rename(columns={d.name: f"{d.name}_raw" for d in computed})
        frame = frame.merge(raw, on=["as_of", "account_id"], how="left")
    for setting in scorecard.measures:
        if f"{setting.name}_raw" not in frame:
            frame[f"{setting.name}_raw"] = np.nan
    date_codes = pd.Series(pd.factorize(frame["as_of"])[0], index=frame.index)  # group once, not per measure
    for setting in scorecard.measures:
        raw = frame[f"{setting.name}_raw"].astype(float)
        if setting.normalisation == "percentile":
            frame[f"{setting.name}_score"] = normalise_percentile(raw, setting.direction, date_codes).to_numpy()
        else:
            frame[f"{setting.name}_score"] = normalise_thresholds(raw.to_numpy(), setting.thresholds)
    enabled = scorecard.enabled_names
    base = scorecard.normalised_weights()
    if frame.empty:
        scores = np.empty((0, len(enabled)))
    else:
        scores = frame[[f"{n}_score" for n in enabled]].to_numpy(dtype=float)
    present = ~np.isnan(scores)
    weights = np.where(present, np.array([base[n] for n in enabled], dtype=float), 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    weights = np.divide(weights * 100.0, totals, out=np.zeros_like(weights), where=totals > 0)
    points = np.where(present, weights * np.nan_to_num(scores) / 100.0, np.nan)
    any_present = present.any(axis=1)
    frame["score"] = np.where(any_present, np.nansum(np.nan_to_num(points), axis=1), np.nan)
    frame["band"] = band_for(frame["score"].to_numpy(), scorecard.green_min, scorecard.yellow_min) if len(frame) else []
    frame["scorecard_version"] = int(scorecard.version)
    for j, name in enumerate(enabled):
        frame[f"{name}_weight"] = np.where(present[:, j], weights[:, j], np.nan)
        frame[f"{name}_points"] = points[:, j]
    for setting in scorecard.measures:
        if setting.name not in enabled:
            frame[f"{setting.name}_weight"] = np.nan
            frame[f"{setting.name}_points"] = np.nan
    frame["missing_measures"] = missing_measures_text(present, enabled)
    return frame, unavailable


def missing_measures_text(present: np.ndarray, names: Sequence[str]) -> list[str]:
    """Per row, the names whose score is absent, joined by ", " ("" when none): written once per
    distinct pattern of absences (a handful), not once per row (1M rows at 100M usage rows)."""
    if not len(present):
        return []
    absent_bits = (~present).astype(np.int64) @ (np.int64(1) << np.arange(len(names), dtype=np.int64))
    patterns, codes = np.unique(absent_bits, return_inverse=True)
    texts = np.array([", ".join(n for j, n in enumerate(names) if bits >> j & 1) for bits in patterns.tolist()],
                     dtype=object)
    return texts[codes].tolist()


def _public_columns(scorecards: Sequence[Scorecard]) -> list[str]:
    cols = list(ID_COLUMNS)
    names = dict.fromkeys(name for sc in scorecards for name in sc.measure_names)
    for name in names:
        cols += [f"{name}_raw", f"{name}_score", f"{name}_points"]
    return cols + ["missing_measures"]


def assigned_score_frame(ws: "Workspace", dates: Sequence[dt.date]) -> tuple[pd.DataFrame, list[Scorecard]]:
    """score_frame with the scorecards in force: each segment that has its own active scorecard is
    scored by it, every other account by the active default (health/versions.py). Percentiles
    rank within the whole population of each date, as for one scorecard."""
    from cs_analytics.health.versions import segment_scorecards

    default = active_scorecard(ws)
    frame, _ = score_frame(ws, dates, default)
    cards = [default]
    for segment, sc in segment_scorecards(ws).items():
        seg_frame, _ = score_frame(ws, dates, sc)
        keep = frame["segment"].ne(segment) | frame["segment"].isna()
        frame = pd.concat([frame[keep], seg_frame[seg_frame["segment"] == segment]], ignore_index=True)
        cards.append(sc)
    return frame, cards


def score_snapshots(ws: "Workspace", snapshot_dates: Iterable, scorecard: Scorecard | None = None,
                    account_filter: AccountFilter = NO_FILTER) -> pd.DataFrame:
    """Scores on every date in `snapshot_dates`, long form: `as_of` then score_accounts' columns.

    Without a scorecard, the scorecards in force score (segment ones, else the default). All of a
    scorecard's measures are computed for all dates at once. Percentiles rank within the whole
    population of each date (the filter only selects which rows are returned)."""
    dates = sorted({pd.Timestamp(d).date() for d in snapshot_dates})
    if scorecard is None:
        frame, cards = assigned_score_frame(ws, dates)
    else:
        (frame, _), cards = score_frame(ws, dates, scorecard), [scorecard]
    frame = keep_filtered(ws, frame, account_filter)
    return frame[["as_of", *_public_columns(cards)]].sort_values(["as_of", "account_id"]).reset_index(drop=True)


def score_accounts(ws: "Workspace", as_of=None, scorecard: Scorecard | None = None,
                   account_filter: AccountFilter = NO_FILTER) -> pd.DataFrame:
    """Scores of the accounts that are customers on `as_of` (default: the as-of in force), by
    `scorecard` (default: the scorecards in force)."""
    day = resolve_as_of(ws, as_of)
    if day is None:
        return pd.DataFrame(columns=_public_columns([scorecard or active_scorecard(ws)]))
    frame = score_snapshots(ws, [day], scorecard, account_filter)
    return frame.drop(columns="as_of")


def score_with_trend(ws: "Workspace", as_of=None, scorecard: Scorecard | None = None,
                     account_filter: AccountFilter = NO_FILTER) -> pd.DataFrame:
    """score_accounts plus previous_score (same scorecard, one month earlier), score_change and
    trend ('up' / 'down' / 'flat' when |change| < 2 points, 'new' when not scored a month ago)."""
    day = resolve_as_of(ws, as_of)
    if day is None:
        cols = _public_columns([scorecard or active_scorecard(ws)])
        return pd.DataFrame(columns=[*cols, "previous_score", "score_change", "trend"])
    prev = previous_month_date(day)
    both = score_snapshots(ws, [prev, day], scorecard, account_filter)
    now = both[both["as_of"] == day].drop(columns="as_of")
    before = both[both["as_of"] == prev][["account_id", "score"]].rename(columns={"score": "previous_score"})
    out = now.merge(before, on="account_id", how="left")
    out["score_change"] = out["score"] - out["previous_score"]
    out["trend"] = np.select(
        [out["previous_score"].isna() | out["score"].isna(),
         out["score_change"] >= TREND_FLAT_POINTS, out["score_change"] <= -TREND_FLAT_POINTS],
        ["new", "up", "down"], default="flat",
    )
    return out.reset_index(drop=True)


TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→", "new": "·"}


def band_changes(ws: "Workspace", candidate: Scorecard, reference: Scorecard | None = None, as_of=None,
                 account_filter: AccountFilter = NO_FILTER) -> pd.DataFrame:
    """Accounts whose band differs between `reference` (default: active) and `candidate` at as_of:
    account_id, account_name, score_before, band_before, score_after, band_after."""
    reference = reference or active_scorecard(ws)
    day = resolve_as_of(ws, as_of)
    cols = ["account_id", "account_name", "score_before", "band_before", "score_after", "band_after"]
    if day is None:
        return pd.DataFrame(columns=cols)
    a = score_accounts(ws, day, reference, account_filter)[["account_id", "account_name", "score", "band"]]
    b = score_accounts(ws, day, candidate, account_filter)[["account_id", "score", "band"]]
    both = a.merge(b, on="account_id", suffixes=("_before", "_after"))
    changed = both[both["band_before"].fillna("-") != both["band_after"].fillna("-")]
    return changed[cols].reset_index(drop=True)


# -- explanation ----------------------------------------------------------------------------

@dataclass
class Explanation:
    """Why one account scores what it scores at as_of (points add up to the score exactly)."""

    account_id: str
    account_name: str | None
    as_of: dt.date
    score: float
    band: str | None
    scorecard_version: int
    scorecard_label: str
    table: pd.DataFrame  # measure, label, raw, score, weight, points, vs_portfolio, status
    missing: dict[str, str]  # measure -> why it is missing
    previous_as_of: dt.date
    previous_score: float | None
    change: pd.DataFrame  # measure, label, points_before, points_now, change
    notes: list[str] = field(default_factory=list)

    @property
    def score_change(self) -> float | None:
        return None if self.previous_score is None else self.score - self.previous_score

    def cli_table(self) -> pd.DataFrame:
        """The explanation as exported (CLI `explain`, the Account page's download)."""
        return self.table[["measure", "raw", "score", "weight", "points", "vs_portfolio", "definition", "unit"]]

    def export_table(self) -> pd.DataFrame:
        return self.cli_table()

    def text(self) -> str:
        lines = [
            f"{self.account_id} ({self.account_name or 'no name'}) as of {self.as_of:%Y-%m-%d}: "
            f"score {self.score:.1f} ({self.band}), {self.scorecard_label}."
        ]
        for row in self.table.itertuples():
            if row.status == "counted":
                lines.append(
                    f"  {row.measure}: raw {row.raw:.4g} -> score {row.score:.1f} x weight "
                    f"{row.weight:.1f}% = {row.points:.2f} points ({row.vs_portfolio:+.1f} vs portfolio)"
                )
        for name, why in self.missing.items():
            lines.append(f"  {name}: missing ({why}); its weight is shared among the others")
        if self.previous_score is not None:
            lines.append(
                f"Change since {self.previous_as_of:%Y-%m-%d}: {self.score_change:+.1f} points"
            )
        return "\n".join(lines)


def explain_account(ws: "Workspace", account_id: str, as_of=None, scorecard: Scorecard | None = None) -> Explanation:
    """The exact explanation of one account's score at as_of and its change since last month.

    vs_portfolio = the account's normalised measure score minus the mean of that measure's score
    over the population at as_of (accounts with the measure). The change since the previous
    month is attributed to measures as points_now - points_before (a missing measure counts 0
    points), so the changes add up to the score change exactly."""
    from cs_analytics.health.versions import scorecard_for_account

    account_id = normalise_id(account_id) or ""
    scorecard = scorecard or scorecard_for_account(ws, account_id)
    return explain_accounts(ws, [account_id], as_of, scorecard)[account_id]


def explain_accounts(ws: "Workspace", account_ids: Sequence[str], as_of=None,
                     scorecard: Scorecard | None = None) -> dict[str, Explanation]:
    """explain_account for several accounts from one scoring pass ({account_id: Explanation})."""
    scorecard = scorecard or active_scorecard(ws)
    day = resolve_as_of(ws, as_of)
    if day is None:
        raise ValueError("The workspace has no data to score.")
    prev = previous_month_date(day)
    frame, unavailable = score_frame(ws, [prev, day], scorecard)
    now_all = frame[frame["as_of"] == day].set_index("account_id", drop=False)
    before_all = frame[frame["as_of"] == prev].set_index("account_id", drop=False)
    portfolio = {name: now_all[f"{name}_score"].mean() for name in scorecard.enabled_names}
    out = {}
    for account_id in account_ids:
        if account_id not in now_all.index:
            known = ws.scalar("SELECT count(*) FROM accounts WHERE account_id = ?", [account_id])
            if not known:
                raise ValueError(f"There is no account {account_id!r} in the workspace.")
            raise ValueError(
                f"Account {account_id} is not a customer on {day:%Y-%m-%d}, so it has no health score then."
            )
        before = before_all.loc[account_id] if account_id in before_all.index else None
        out[account_id] = _explanation(now_all.loc[account_id], before, day, prev, scorecard, unavailable, portfolio)
    return out


def _explanation(row: pd.Series, before: pd.Series | None, day: dt.date, prev: dt.date, scorecard: Scorecard,
                 unavailable: dict, portfolio: dict) -> Explanation:
    records, missing, change_rows = [], {}, []
    for name in scorecard.enabled_names:
        setting = scorecard.setting(name)
        counted = not np.isnan(row[f"{name}_score"])
        if not counted:
            missing[name] = (
                f"not available in this workspace: {unavailable[name]}" if name in unavailable
                else "no value for this account at this date"
            )
        records.append({
            "measure": name,
            "label": setting.label,
            "definition": setting.resolved_definition.describe(),
            "unit": setting.resolved_definition.unit(),
            "raw": row[f"{name}_raw"],
            "score": row[f"{name}_score"],
            "weight": row[f"{name}_weight"],
            "points": row[f"{name}_points"],
            "vs_portfolio": row[f"{name}_score"] - portfolio[name] if counted else np.nan,
            "status": "counted" if counted else "missing",
        })
        now_pts = 0.0 if np.isnan(row[f"{name}_points"]) else float(row[f"{name}_points"])
        if before is None:
            before_pts = np.nan
        else:
            before_pts = 0.0 if np.isnan(before[f"{name}_points"]) else float(before[f"{name}_points"])
        change_rows.append({"measure": name, "label": setting.label, "points_before": before_pts,
                            "points_now": now_pts, "change": now_pts - before_pts})
    notes = []
    if before is None:
        notes.append(f"Not a customer on {prev:%Y-%m-%d}: no change since last month to attribute.")
    previous_score = None if before is None or pd.isna(before["score"]) else float(before["score"])
    return Explanation(
        account_id=row["account_id"],
        account_name=row["account_name"],
        as_of=day,
        score=float(row["score"]) if not pd.isna(row["score"]) else float("nan"),
        band=row["band"],
        scorecard_version=int(scorecard.version),
        scorecard_label=scorecard.label,
        table=pd.DataFrame(records),
        missing=missing,
        previous_as_of=prev,
        previous_score=previous_score,
        change=pd.DataFrame(change_rows),
        notes=notes,
    )


# -- history ----------------------------------------------------------------------------------

def month_end_dates(ws: "Workspace", as_of=None, months: int = 24) -> list[dt.date]:
    """The last `months` month-ends on or before as_of, plus as_of itself (core.snapshots),
    none before the first contract's start."""
    first = ws.scalar("SELECT min(start_date) FROM contracts")
    return recent_month_ends(first, resolve_as_of(ws, as_of), months)


def score_history(ws: "Workspace", account_id: str, as_of=None, months: int = 24,
                  scorecard: Scorecard | None = None) -> pd.DataFrame:
    """One account's score at each of the last `months` month-ends and as_of, with the scorecard
    given (default active): as_of, score, band, scorecard_version, per-measure columns."""
    scorecard = scorecard or active_scorecard(ws)
    dates = month_end_dates(ws, as_of, months)
    if not dates:
        return pd.DataFrame()
    frame = portfolio_scores(ws, dates, scorecard)  # the portfolio's, kept per data build and scorecard
    return frame[frame["account_id"] == account_id].sort_values("as_of").reset_index(drop=True)
