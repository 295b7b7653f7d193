"""Health bands (metrics.md, Health score): green >= green_min, yellow >= yellow_min, red below.

The one place for the band names, their order (green first), their colours, the band of a score
and the count of accounts per band.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from cs_analytics.core import config

BANDS = ("green", "yellow", "red")
BAND_COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828"}
NO_BAND_COLOUR = "#999"


def band_for(score: float | np.ndarray, green_min: float = config.BAND_GREEN_MIN,
             yellow_min: float = config.BAND_YELLOW_MIN):
    """'green' when score >= green_min, 'yellow' when >= yellow_min, else 'red'; None for NaN.

    The score is rounded to 9 decimals first so that a sum of points meant to be exactly 70 is
    not pushed below the cut-off by floating-point error."""
    scores = np.round(np.asarray(score, dtype=float), 9)
    bands = np.where(scores >= green_min, "green", np.where(scores >= yellow_min, "yellow", "red")).astype(object)
    bands[np.isnan(scores)] = None
    return bands if bands.ndim else bands.item()


def band_colour(band: str | None) -> str:
    """The band's colour; grey for no band."""
    return BAND_COLOURS.get(band, NO_BAND_COLOUR)


def band_counts(frame: pd.DataFrame, column: str = "band") -> dict[str, int]:
    """Rows of `frame` per band in `column`, every band present (0 when none), green first."""
    if frame.empty or column not in frame:
        return {band: 0 for band in BANDS}
    counts = frame[column].value_counts()
    return {band: int(counts.get(band, 0)) for band in BANDS}
