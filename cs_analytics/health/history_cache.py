"""Every account's scores at the history's month-ends, kept per (workspace file, data build,
scorecard, dates) so that opening one account after another does not score the portfolio again.

One account's score history (health.scoring.score_history: the Account page's chart, the
timeline's band changes) is a slice of the whole portfolio's scores, because a percentile measure
scores an account against every customer on that date. Scoring 20,000 accounts at 25 month-ends
costs seconds to tens of seconds; the slice costs milliseconds. The scores read only the input
tables and the scorecard, so they are kept until the next data write (`core.derived.data_stamp`)
and per scorecard (its JSON, version included): a scorecard save, a flag or a call never serves
an old score. The frame kept is exactly `score_frame`'s (tests compare them).
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Sequence

import pandas as pd

from cs_analytics.core.derived import data_stamp

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace
    from cs_analytics.health.scorecard import Scorecard

MAX_ENTRIES = 3  # about 70 MB each at 20k accounts x 25 dates: the default and two segment scorecards
_ENTRIES: "OrderedDict[tuple, pd.DataFrame]" = OrderedDict()
_LOCK = threading.Lock()


def clear() -> None:
    with _LOCK:
        _ENTRIES.clear()


def portfolio_scores(ws: "Workspace", dates: Sequence[dt.date], scorecard: "Scorecard") -> pd.DataFrame:
    """`score_frame(ws, dates, scorecard)[0]`, computed once per data build and scorecard. The
    frame is shared: callers take slices and never change it in place."""
    from cs_analytics.health.scoring import score_frame

    stamp = data_stamp(ws)
    if stamp is None:
        return score_frame(ws, dates, scorecard)[0]
    key = (str(ws.path), stamp, scorecard.to_json(), tuple(sorted(set(dates))))
    with _LOCK:
        found = _ENTRIES.get(key)
        if found is not None:
            _ENTRIES.move_to_end(key)
            return found
    frame = score_frame(ws, dates, scorecard)[0]
    with _LOCK:
        _ENTRIES[key] = frame
        while len(_ENTRIES) > MAX_ENTRIES:
            _ENTRIES.popitem(last=False)
    return frame
