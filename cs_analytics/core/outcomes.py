"""Churned within (T, T+H]: the one churn outcome (metrics.md, Outcomes).

Where contracts exist they decide (source "contracts"): population at a snapshot date T: the
customers in T's month (month-end MRR > 0); an account churned within (T, T+H] when its month-end
MRR is 0 at any month-end in (T, T+H] (sql/outcomes/churned_within.sql, read from account_month).
A churn list (the `outcomes` table) then only adds the reason.

Without contracts, a churn list decides (source "churn_list"; sql/outcomes/churn_list_within.sql):
an account's churn date is its churned_at, or the day after its last data date when it is listed
as churned without a date. Population at T: accounts with data (usage, NPS, assessments) dated <= T
that have not churned by T; churned within (T, T+H] when the churn date lies in (T, T+H].

One-snapshot data (no month-end T with T + H <= as_of, e.g. an export of one day per account and
a churn list): the report becomes one snapshot at as_of labelled by the list ("churned", no
horizon; `label_only`).

Why month-end checks and not daily ones with contracts: MRR is a month-end snapshot everywhere
else (metrics.md, Revenue; the churn movement of the MRR bridge), so a one-day gap between two
contracts inside a month is not a churn there and must not be one here. The backtest, the track
record, renewals and onboarding call this function, so they cannot disagree about an account.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import pandas as pd

from cs_analytics.core.config import reason_label
from cs_analytics.core.snapshots import month_end_snapshots

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

OUTCOME_COLUMNS = ("as_of", "account_id", "churned", "churn_month", "reason")
CONTRACTS, CHURN_LIST = "contracts", "churn_list"
FIRST_DATA_DATE_SQL = ("SELECT min(d) FROM (SELECT min(event_date) AS d FROM usage "
                       "UNION ALL SELECT min(responded_at) FROM nps UNION ALL SELECT min(assessed_at) FROM assessments)")


@dataclass(frozen=True)
class OutcomePlan:
    """Where churn truth comes from and on which snapshot dates it can be read.

    source: "contracts", "churn_list" or None (neither: no outcome can be known);
    dates: the snapshot dates T, oldest first; label_only: one snapshot at as_of labelled by the
    churn list, without a horizon."""

    source: str | None
    dates: tuple[dt.date, ...]
    label_only: bool = False

    @property
    def description(self) -> str:
        """One sentence for the page and the CLI: what the outcome is here."""
        if self.source is None:
            return "No churn truth: load contracts or a churn list (the outcomes table)."
        if self.label_only:
            return ("One snapshot: the churn list is the label (churned or not, no horizon), "
                    "scores as of the as-of date.")
        if self.source == CHURN_LIST:
            return "Churn dates from the churn list (no contracts loaded)."
        return "Churn read from contracts (month-end MRR goes to 0)."


def outcome_source(ws: "Workspace") -> str | None:
    """"contracts" when contracts are loaded, else "churn_list" when a churn list is, else None."""
    if ws.row_count("contracts"):
        return CONTRACTS
    if ws.row_count("outcomes"):
        return CHURN_LIST
    return None


def outcome_plan(ws: "Workspace", horizon_days: int, as_of: dt.date | None) -> OutcomePlan:
    """The snapshot dates of the backtest: month-ends T with T + horizon_days <= as_of from the
    first contract's month (contracts) or the first data date's (churn list); a churn list with no
    such T gives one snapshot at as_of labelled by the list."""
    source = outcome_source(ws)
    if source is None or as_of is None:
        return OutcomePlan(source, ())
    first = ws.scalar("SELECT min(start_date) FROM contracts") if source == CONTRACTS \
        else ws.scalar(FIRST_DATA_DATE_SQL)
    dates = month_end_snapshots(first, as_of, horizon_days)
    if not dates and source == CHURN_LIST and first is not None:
        return OutcomePlan(source, (as_of,), label_only=True)
    return OutcomePlan(source, tuple(dates))


def churn_outcomes(ws: "Workspace", snapshot_dates: Sequence[dt.date], horizon_days: int,
                   label_only: bool = False) -> pd.DataFrame:
    """(as_of, account_id, churned, churn_month, reason) for the population of each snapshot date
    T: churned within (T, T + horizon_days] (module docstring); `label_only` (churn list only):
    churned = listed as churned. reason: the churn list's reason for churned rows."""
    dates = [pd.Timestamp(d).date() for d in snapshot_dates]
    if outcome_source(ws) == CHURN_LIST:
        frame = ws.query_named("outcomes/churn_list_within", {
            "snapshot_dates": dates, "horizon_days": int(horizon_days), "label_only": bool(label_only)})
    else:
        frame = ws.query_named("outcomes/churned_within",
                               {"snapshot_dates": dates, "horizon_days": int(horizon_days)})
        frame = _with_reasons(ws, frame)
    for column in ("as_of", "churn_month"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["churned"] = frame["churned"].astype(bool)
    return frame[list(OUTCOME_COLUMNS)]


def churn_list_reasons(ws: "Workspace") -> pd.DataFrame:
    """account_id, reason: the churn list's reason of every account it lists as churned with one."""
    if not ws.row_count("outcomes"):  # no list: skip the view (it scans usage for data dates)
        return pd.DataFrame({"account_id": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})
    return ws.query("SELECT account_id, reason FROM churn_list WHERE churned AND reason IS NOT NULL")


def _with_reasons(ws: "Workspace", frame: pd.DataFrame) -> pd.DataFrame:
    """Contracts decide the date; the churn list adds the reason of a churned row."""
    reasons = churn_list_reasons(ws)
    out = frame.merge(reasons, on="account_id", how="left")
    out.loc[~out["churned"].astype(bool), "reason"] = None
    return out


NO_REASON = "(no reason given)"


def reason_breakdown(churned_rows: pd.DataFrame) -> pd.DataFrame:
    """reason, accounts, mrr: the churned accounts per reason (a reason code as its label,
    config.reason_label; an account counted once, with its reason and the MRR of its latest churned row; blank reasons as NO_REASON), most accounts first."""
    columns = ["reason", "accounts", "mrr"]
    if churned_rows.empty:
        return pd.DataFrame(columns=columns)
    ordered = churned_rows.sort_values("as_of") if "as_of" in churned_rows else churned_rows
    rows = ordered.groupby("account_id").tail(1).copy()
    rows["reason"] = rows["reason"].map(reason_label).fillna(NO_REASON).replace("", NO_REASON)
    mrr = rows["mrr"] if "mrr" in rows else pd.Series(float("nan"), index=rows.index)
    rows = rows.assign(mrr=pd.to_numeric(mrr, errors="coerce"))
    out = rows.groupby("reason").agg(accounts=("account_id", "size"), mrr=("mrr", lambda s: s.sum(min_count=1)))
    return out.reset_index().sort_values(["accounts", "reason"], ascending=[False, True]).reset_index(drop=True)[columns]
