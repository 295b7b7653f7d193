"""core/snapshots.py: the snapshot dates of the backtest, the track record and the score history."""
from __future__ import annotations

import datetime as dt

from cs_analytics.core.snapshots import month_end_snapshots, recent_month_ends, with_outcome

D = dt.date


def test_month_end_snapshots_need_the_whole_horizon_before_as_of():
    assert month_end_snapshots(D(2024, 1, 10), D(2024, 5, 5), 90) == [D(2024, 1, 31)]  # Feb 29 + 90 > May 5
    assert month_end_snapshots(D(2024, 1, 10), D(2024, 5, 29), 90) == [D(2024, 1, 31), D(2024, 2, 29)]
    assert month_end_snapshots(D(2024, 1, 10), D(2024, 12, 31), 30, latest=2) == [D(2024, 10, 31), D(2024, 11, 30)]
    assert month_end_snapshots(None, D(2024, 5, 5), 90) == []


def test_with_outcome_keeps_dates_whose_horizon_has_passed():
    dates = [D(2024, 2, 29), D(2024, 1, 31), D(2024, 1, 31)]
    assert with_outcome(dates, D(2024, 5, 5), 90) == [D(2024, 1, 31)]
    assert with_outcome(dates, None, 90) == []


def test_recent_month_ends_end_at_as_of():
    assert recent_month_ends(None, D(2024, 5, 15), 2) == [D(2024, 3, 31), D(2024, 4, 30), D(2024, 5, 15)]
    assert recent_month_ends(None, D(2024, 5, 31), 2) == [D(2024, 4, 30), D(2024, 5, 31)]
    assert recent_month_ends(D(2024, 4, 2), D(2024, 5, 15), 24) == [D(2024, 4, 30), D(2024, 5, 15)]
