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

What a CSM can act on (`actionable_spikes`): the flagged spikes with the account's name, MRR,
owner and metric band, newest contract end first, by default only ends within the last
RECENT_SPIKE_DAYS days. Looking forward (`rising_renewals`): accounts with a contract end in the
next RENEWAL_WINDOW_DAYS days whose usage in the last 60 days (as_of-59 .. as_of) is already
>= RISING_RATIO x their average 60-day usage over the 180 days before those (as_of-239 ..
as_of-60), with the baseline window covered by their history.
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
RECENT_SPIKE_DAYS = 365
RENEWAL_WINDOW_DAYS = 90
RISING_RATIO = 1.5
ACCOUNT_COLUMNS = ["account_name", "mrr", "csm_owner", "band"]
ACTIONABLE_COLUMNS = ["account_id", "account_name", "contract_end", "mrr", "csm_owner", "band",
                      "ratio_before", "ratio_after"]
RISING_COLUMNS = ["account_id", "account_name", "renewal_date", "days_to_renewal", "mrr", "csm_owner",
                  "band", "usage_last_60d", "usual_60d", "ratio"]
RISING_RULE = (f"Renewals in the next {RENEWAL_WINDOW_DAYS} days whose usage in the last 60 days is "
               f"already at least {RISING_RATIO:g}x their average 60-day usage over the 180 days "
               "before (accounts with a shorter history are left out).")



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


def actionable_spikes(
    spikes: pd.DataFrame,
    accounts: pd.DataFrame,
    as_of: dt.date,
    recent_days: int | None = RECENT_SPIKE_DAYS,
) -> pd.DataFrame:
    """The flagged spikes of `spikes` (activity_spikes) with account_name, mrr, csm_owner and band
    from `accounts` (one row per account_id), newest contract end first (then larger MRR); only
    ends within the last `recent_days` days before as_of (None: every one). ACTIONABLE_COLUMNS."""
    flagged = spikes[spikes["flagged"].astype(bool)].copy()
    flagged["contract_end"] = pd.to_datetime(flagged["contract_end"]).dt.date
    if recent_days is not None:
        flagged = flagged[flagged["contract_end"] > as_of - dt.timedelta(days=int(recent_days))]
    out = flagged.merge(_account_columns(accounts), on="account_id", how="left")
    out = out.sort_values(["contract_end", "mrr", "account_id"], ascending=[False, False, True],
                          na_position="last")
    return out[ACTIONABLE_COLUMNS].reset_index(drop=True)


def rising_renewals(
    ws: "Workspace",
    accounts: pd.DataFrame,
    as_of: dt.date | str | None = None,
    account_filter: AccountFilter = NO_FILTER,
    within_days: int = RENEWAL_WINDOW_DAYS,
) -> pd.DataFrame:
    """Renewals within `within_days` after as_of whose usage is already rising (RISING_RULE),
    soonest renewal first, with the account columns of `accounts`. RISING_COLUMNS: usual_60d is
    the baseline's 60-day average, ratio = usage_last_60d / usual_60d."""
    as_of = resolve_as_of(ws, as_of)
    if as_of is None:
        return pd.DataFrame(columns=RISING_COLUMNS)
    until = as_of + dt.timedelta(days=int(within_days))
    sums = ws.query_named("reality/rising_renewals", {"as_of": as_of, "until": until})
    frame = keep_filtered(ws, sums, account_filter).copy()
    frame["renewal_date"] = pd.to_datetime(frame["renewal_date"]).dt.date
    usual = frame["usage_baseline_180d"].astype(float) / (BASELINE_DAYS / WINDOW_DAYS)
    frame["usual_60d"] = usual
    frame["ratio"] = frame["usage_last_60d"].astype(float) / usual.where(usual > 0)
    rising = frame[(frame["ratio"] >= RISING_RATIO) & frame["baseline_complete"].astype(bool)]
    out = rising.merge(_account_columns(accounts), on="account_id", how="left")
    out = out.sort_values(["renewal_date", "mrr", "account_id"], ascending=[True, False, True])
    return out[RISING_COLUMNS].reset_index(drop=True)


def spike_account_columns(ws: "Workspace", scored: pd.DataFrame) -> pd.DataFrame:
    """Every account's name, owner and latest-month MRR (a churned account's is 0), with the metric
    band from `scored` (a frame with account_id and band; blank for accounts not scored): what
    the spike lists show beside each account, including accounts that have since left."""
    accounts = ws.query_named("reality/account_columns")[["account_id", "account_name", "csm_owner", "mrr"]]
    bands = scored[["account_id", "band"]].drop_duplicates("account_id") if len(scored) else \
        pd.DataFrame(columns=["account_id", "band"])
    out = accounts.merge(bands, on="account_id", how="left")
    out["mrr"] = out["mrr"].fillna(0.0)
    return out


def _account_columns(accounts: pd.DataFrame) -> pd.DataFrame:
    """account_id plus ACCOUNT_COLUMNS (missing ones blank), one row per account."""
    out = accounts.drop_duplicates("account_id").copy()
    for column in ACCOUNT_COLUMNS:
        if column not in out.columns:
            out[column] = None
    return out[["account_id", *ACCOUNT_COLUMNS]]
