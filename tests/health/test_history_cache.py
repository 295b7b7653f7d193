"""The portfolio-scores cache (health/history_cache.py) behind one account's score history: the
history equals the slice of a direct score_frame, the portfolio is scored once for many accounts,
and a data write or a scorecard change is never served an old score."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.health import history_cache, raw_cache, scoring
from cs_analytics.health.scorecard import active_scorecard
from cs_analytics.ingest.load import ingest_dataframe


@pytest.fixture
def small(small_demo_master_path, tmp_path):
    path = tmp_path / "small.duckdb"
    shutil.copyfile(small_demo_master_path, path)
    history_cache.clear()
    raw_cache.clear()
    ws = open_workspace(path)
    yield ws
    close_workspace(path)
    history_cache.clear()
    raw_cache.clear()


def reference_history(ws, account_id: str, scorecard) -> pd.DataFrame:
    """One account's rows of the portfolio scored directly (no cache), by date."""
    frame, _ = scoring.score_frame(ws, scoring.month_end_dates(ws, None, 24), scorecard)
    return frame[frame["account_id"] == account_id].sort_values("as_of").reset_index(drop=True)


def counting_score_frame(monkeypatch) -> list:
    calls, real = [], scoring.score_frame
    monkeypatch.setattr(scoring, "score_frame", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_histories_equal_the_direct_scores_and_the_portfolio_is_scored_once(small, monkeypatch):
    scorecard = active_scorecard(small)
    accounts = small.query("SELECT account_id FROM accounts ORDER BY account_id LIMIT 3")["account_id"].tolist()
    expected = {a: reference_history(small, a, scorecard) for a in accounts}
    calls = counting_score_frame(monkeypatch)
    for account in accounts:
        got = scoring.score_history(small, account, None, 24, scorecard)
        pd.testing.assert_frame_equal(got, expected[account])
    assert calls == [1]  # three accounts, one scoring of the portfolio
    assert sum(len(f) for f in expected.values()) > 10


def test_a_data_write_or_another_scorecard_is_never_served_an_old_score(small, monkeypatch):
    scorecard = active_scorecard(small)
    day = scoring.month_end_dates(small, None, 24)[-2]
    account = small.scalar("SELECT min(account_id) FROM usage WHERE event_date <= ?", [day])
    before = scoring.score_history(small, account, None, 24, scorecard)
    heavier = active_scorecard(small)
    heavier.green_min = scorecard.green_min - 30  # another scorecard: other bands
    other = scoring.score_history(small, account, None, 24, heavier)
    pd.testing.assert_frame_equal(other, reference_history(small, account, heavier))
    assert not other["band"].equals(before["band"])
    extra = pd.DataFrame({"account_id": [account] * 400, "event_date": [day] * 400,
                          "metric": ["login"] * 400, "value": [50.0] * 400,
                          "user_id": [f"new-user-{i}" for i in range(400)]})
    ingest_dataframe(small, "usage", extra, file_name="more.csv", mode="append", user="t")
    after = scoring.score_history(small, account, None, 24, scorecard)
    pd.testing.assert_frame_equal(after, reference_history(small, account, scorecard))
    assert not after.equals(before)  # the write changed the account's scores, and the history shows it
