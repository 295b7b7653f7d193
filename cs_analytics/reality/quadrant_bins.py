"""Score bins of the Reality quadrant at scale: one marker per (quadrant, CSM sentiment, score bin)
instead of one per account, so a 20k-account book draws a few hundred markers, not 20k.

A bin holds the accounts of one quadrant with one latest CSM sentiment ('none' when unassessed)
whose metric score s lies in [lo, lo + width), lo = width * floor(s / width); a score of exactly 100
falls in the last bin below 100. Accounts without a score are in no bin (as the point chart draws
none). A selection of bins on the chart selects every account in them (`accounts_in_bins`).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from cs_analytics.core import config

BIN_COLUMNS = ["bin_id", "quadrant", "csm_sentiment", "score_from", "score_to", "accounts", "mrr"]


def bin_ids(frame: pd.DataFrame, width: float = config.QUADRANT_SCORE_BIN_WIDTH) -> pd.Series:
    """The bin id ('quadrant|sentiment|lo') of every row of a quadrants frame (NA without a score)."""
    score = frame["score"].astype(float)
    lo = np.floor(score.clip(upper=100 - width / 2) / width) * width
    sentiment = frame["csm_sentiment"].fillna("none").astype(str)
    ids = frame["quadrant"].astype(str) + "|" + sentiment + "|" + lo.map(lambda v: f"{v:g}")
    return ids.where(score.notna())


def quadrant_bins(frame: pd.DataFrame, width: float = config.QUADRANT_SCORE_BIN_WIDTH) -> pd.DataFrame:
    """One row per non-empty bin (BIN_COLUMNS): its accounts and their MRR (missing MRR as 0)."""
    if frame.empty:
        return pd.DataFrame(columns=BIN_COLUMNS)
    keyed = frame.assign(bin_id=bin_ids(frame, width), mrr_value=frame["mrr"].astype(float).fillna(0),
                         sentiment=frame["csm_sentiment"].fillna("none").astype(str))
    grouped = keyed.dropna(subset=["bin_id"]).groupby("bin_id", sort=True).agg(
        quadrant=("quadrant", "first"), csm_sentiment=("sentiment", "first"),
        score=("score", "min"), accounts=("account_id", "size"), mrr=("mrr_value", "sum")).reset_index()
    grouped["score_from"] = grouped["bin_id"].str.rsplit("|", n=1).str[-1].astype(float)
    grouped["score_to"] = grouped["score_from"] + width
    return grouped[BIN_COLUMNS]


def accounts_in_bins(frame: pd.DataFrame, chosen: Iterable[str],
                     width: float = config.QUADRANT_SCORE_BIN_WIDTH) -> list[str]:
    """The account ids of `frame` whose bin is one of `chosen`."""
    return frame.loc[bin_ids(frame, width).isin(set(chosen)), "account_id"].tolist()
