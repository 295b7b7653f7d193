"""Effective health: an active CSM flag overrides the metric band until its review-by date.

The override is always labelled with both values: "CSM override: red (metric: green 78)".
"""
from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import pandas as pd

from cs_analytics.reality.flags import current_flags, effective_flags

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


def overrides_from(scores: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """scores with effective_band, is_override and override_label from the active flags.

    An active flag replaces the band by the flag's sentiment (several in force: the most
    severe, red beating yellow, never the last writer's); the label keeps both values:
    "CSM override: red (metric: green 78)". Without an active flag effective_band = band.
    """
    out = scores.copy()
    active = effective_flags(flags) if len(flags) else flags
    by_account = dict(zip(active.get("account_id", []), active.get("sentiment", [])))
    flag_sent = out["account_id"].map(by_account)
    out["is_override"] = flag_sent.notna().to_numpy()
    out["effective_band"] = flag_sent.where(flag_sent.notna(), out["band"])
    out["override_label"] = [
        override_label(s, b, sc) if o else None
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


def override_label(flag_sentiment: str, band, score) -> str:
    """"CSM override: <flag sentiment> (metric: <band> <score>)"; the score is left out when absent."""
    metric = f"{band}" if not is_present(score) else f"{band} {float(score):.0f}"
    return f"CSM override: {flag_sentiment} (metric: {metric})"


def is_present(value) -> bool:
    """False for None, pandas NA and NaN; True otherwise."""
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return True
