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

from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.core.workspace import resolve_as_of

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

WINDOW_DAYS = 60
BASELINE_DAYS = 180
SPIKE_RATIO = 2.0
FALLBACK_RATIO = 1.2
SPIKE_COLUMNS = ["account_id", "contract_end", "ratio_before", "ratio_after", "flagged"]
DETAIL_COLUMNS = ["usage_before", "usage_baseline", "usage_after", "days_after", "baseline_complete"]

SPIKES_SQL = """
WITH ends AS (
    SELECT DISTINCT account_id, end_date AS contract_end
    FROM contracts
    WHERE end_date IS NOT NULL AND end_date <= ? AND account_id IN ({sub_sql})
),
daily AS (
    SELECT account_id, event_date, sum(value) AS v
    FROM usage WHERE account_id IN (SELECT account_id FROM ends)
    GROUP BY ALL
),
first_use AS (SELECT account_id, min(event_date) AS first_day FROM daily GROUP BY ALL),
agg AS (
    SELECT e.account_id, e.contract_end,
           coalesce(sum(d.v) FILTER (WHERE d.event_date > e.contract_end - 60
                                       AND d.event_date <= e.contract_end), 0) AS usage_before,
           coalesce(sum(d.v) FILTER (WHERE d.event_date > e.contract_end - 240
                                       AND d.event_date <= e.contract_end - 60), 0) AS usage_baseline,
           coalesce(sum(d.v) FILTER (WHERE d.event_date > e.contract_end
                                       AND d.event_date <= least(e.contract_end + 60, CAST(? AS DATE))), 0)
               AS usage_after
    FROM ends e
    LEFT JOIN daily d
      ON d.account_id = e.account_id
     AND d.event_date > e.contract_end - 240
     AND d.event_date <= e.contract_end + 60
    GROUP BY ALL
)
SELECT a.account_id, a.contract_end, a.usage_before, a.usage_baseline, a.usage_after,
       least(60, CAST(? AS DATE) - a.contract_end) AS days_after,
       coalesce(f.first_day <= a.contract_end - 239, FALSE) AS baseline_complete
FROM agg a LEFT JOIN first_use f USING (account_id)
ORDER BY a.account_id, a.contract_end
"""


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
    sub_sql, sub_params = (account_filter or NO_FILTER).subquery()
    frame = ws.query(SPIKES_SQL.format(sub_sql=sub_sql), [as_of, *sub_params, as_of, as_of])
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
    frame = ws.query(
        """
        WITH days AS (SELECT CAST(unnest(generate_series(CAST(? AS DATE), CAST(? AS DATE),
                                                         INTERVAL 1 DAY)) AS DATE) AS date)
        SELECT d.date, d.date - CAST(? AS DATE) AS days_from_end, coalesce(sum(u.value), 0) AS usage
        FROM days d LEFT JOIN usage u ON u.account_id = ? AND u.event_date = d.date
        GROUP BY ALL ORDER BY d.date
        """,
        [start, stop, contract_end, account_id],
    )
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame
