"""Pre-renewal activity spikes (metrics.md): usage that jumps just before a contract ends and
falls back just after. A signal for a person to read, never an accusation or a score input.

For a contract ending at E (every distinct end_date of an account with E <= as_of), with "usage"
the sum of usage.value over all metrics and windows of whole days:

- usage_before   = usage on days E-59 .. E            (the 60 days before E, E included)
- usage_baseline = usage on days E-239 .. E-60        (the 180 days before that)
- baseline_60d   = usage_baseline / 3                 (the average 60-day usage)
- ratio_before   = usage_before / baseline_60d
- days_after     = min(60, as_of - E)                 (days E+1 .. E+days_after observed)
- ratio_after    = (usage on days E+1 .. E+days_after) * 60 / days_after / baseline_60d
                   i.e. a partial window is scaled linearly to 60 days; null when days_after = 0
- flagged        = ratio_before >= 2 and ratio_after < 1.2 and the baseline window is covered
                   by the account's history (its first usage on or before E-239)

A zero baseline gives null ratios (no multiple of nothing) and is never flagged.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.core.filters import NO_FILTER, AccountFilter, keep_filtered
from cs_analytics.core.workspace import resolve_as_of

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

WINDOW_DAYS = 60
BASELINE_DAYS = 180
SPIKE_RATIO = 2.0
FALLBACK_RATIO = 1.2
SPIKE_COLUMNS = ["account_id", "contract_end", "ratio_before", "ratio_after", "flagged"]
DETAIL_COLUMNS = ["usage_before", "usage_baseline", "usage_after", "days_after", "baseline_complete"]



def spike_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ratio_before, ratio_after and flagged to usage sums (usage_before, usage_baseline,
    usage_after, days_after, baseline_complete). Pure; see the module docstring."""
    out = frame.copy()
    baseline_60d = out["usage_baseline"].astype(float) / (BASELINE_DAYS / WINDOW_DAYS)
    baseline_60d = baseline_60d.where(baseline_60d > 0)
    days = out["days_after"].astype(float)
    after_60d = (out["usage_after"].astype(float) * WINDOW_DAYS / days).where(days > 0)
    out["ratio_before"] = out["usage_before"].astype(float) / baseline_60d
    out["ratio_after"] = after_60d / baseline_60d
    out["flagged"] = (
        (out["ratio_before"] >= SPIKE_RATIO)
        & (out["ratio_after"] < FALLBACK_RATIO)
        & out["baseline_complete"].astype(bool)
    ).fillna(False).astype(bool)
    return out


def activity_spikes(
    ws: "Workspace",
    as_of: dt.date | str | None = None,
    account_filter: AccountFilter = NO_FILTER,
) -> pd.DataFrame:
    """Every contract end E <= as_of with its pre-renewal ratios and the spike flag.

    Columns SPIKE_COLUMNS, then DETAIL_COLUMNS. Sorted by account_id, contract_end.
    """
    as_of = resolve_as_of(ws, as_of)
    if as_of is None:
        return pd.DataFrame(columns=SPIKE_COLUMNS + DETAIL_COLUMNS)
    sums = ws.query_named("reality/spike_usage_sums", [as_of, as_of, as_of])
    frame = keep_filtered(ws, sums, account_filter).copy()
    frame["contract_end"] = pd.to_datetime(frame["contract_end"]).dt.date
    frame = spike_ratios(frame)
    return frame[SPIKE_COLUMNS + DETAIL_COLUMNS].reset_index(drop=True)


def usage_around(
    ws: "Workspace", account_id: str, contract_end: dt.date | str, days: int = 180
) -> pd.DataFrame:
    """Daily usage of one account from contract_end - days to contract_end + days (bounded by the
    data's as-of), zero-filled: date, days_from_end, usage."""
    if isinstance(contract_end, str):
        contract_end = dt.date.fromisoformat(contract_end)
    as_of = resolve_as_of(ws, None) or contract_end
    start = contract_end - dt.timedelta(days=days)
    stop = min(contract_end + dt.timedelta(days=days), max(as_of, contract_end))
    frame = ws.query_named("reality/usage_around", [start, stop, contract_end, account_id])
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame
