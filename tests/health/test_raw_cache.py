"""The raw-value cache (health/raw_cache.py) returns exactly compute_raw_values' frame, computes only
the (measure, date) pairs it does not hold, and forgets everything at a data write."""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.health import raw_cache
from cs_analytics.health.definitions import compute_raw_values
from cs_analytics.health.scorecard import active_scorecard
from cs_analytics.ingest.load import ingest_dataframe

DATES_A = [dt.date(2026, 6, 30), dt.date(2026, 7, 31), dt.date(2026, 8, 31)]
DATES_B = [dt.date(2026, 8, 31), dt.date(2026, 9, 30)]


@pytest.fixture
def small(small_demo_master_path, tmp_path):
    path = tmp_path / "small.duckdb"
    shutil.copyfile(small_demo_master_path, path)
    raw_cache.clear()
    ws = open_workspace(path)
    yield ws
    close_workspace(path)
    raw_cache.clear()


def definitions(ws):
    return [s.resolved_definition for s in active_scorecard(ws).measures]


def test_cached_values_equal_the_direct_computation_and_only_misses_are_computed(small, monkeypatch):
    defs = definitions(small)
    calls = []
    real = raw_cache.compute_raw_values
    monkeypatch.setattr(raw_cache, "compute_raw_values",
                        lambda ws, d, dates, **kw: calls.append(sorted(dates)) or real(ws, d, dates, **kw))
    first = raw_cache.cached_raw_values(small, defs, DATES_A)
    second = raw_cache.cached_raw_values(small, defs, DATES_B)  # 08-31 kept, 09-30 new
    assert calls == [DATES_A, [dt.date(2026, 9, 30)]]
    pd.testing.assert_frame_equal(first, compute_raw_values(small, defs, DATES_A))
    pd.testing.assert_frame_equal(second, compute_raw_values(small, defs, DATES_B))
    assert len(first) > 100 and first[[d.name for d in defs]].notna().any().all()
    # a subset of the measures, all kept: no computation, same values as computed alone
    pd.testing.assert_frame_equal(raw_cache.cached_raw_values(small, defs[:2], DATES_A),
                                  compute_raw_values(small, defs[:2], DATES_A))
    assert len(calls) == 2


def test_a_data_write_is_never_served_from_the_cache(small):
    defs = definitions(small)
    day = DATES_A[-1]
    before = raw_cache.cached_raw_values(small, defs, [day])
    account = small.scalar("SELECT min(account_id) FROM usage WHERE event_date <= ?", [day])
    extra = pd.DataFrame({"account_id": [account] * 40, "event_date": [day] * 40,
                          "metric": ["login"] * 40, "value": [1.0] * 40,
                          "user_id": [f"new-user-{i}" for i in range(40)]})
    ingest_dataframe(small, "usage", extra, file_name="more.csv", mode="append", user="t")
    after = raw_cache.cached_raw_values(small, defs, [day])
    fresh = compute_raw_values(small, defs, [day])
    pd.testing.assert_frame_equal(after, fresh)
    assert not after.equals(before)  # the write changed a raw value, and the cache shows it
