"""The usage tables the health measures read (migration 050) follow every write of usage: an
ingest (replace and append) and a clear rebuild them; a write that leaves usage alone (another
table, the as-of setting) keeps them. Checked against the raw usage with pandas."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.settings import set_setting
from cs_analytics.health.definitions import MeasureDefinition, compute_raw_values
from cs_analytics.ingest.clear import clear_table
from cs_analytics.ingest.load import ingest_dataframe

T = dt.date(2026, 3, 31)


def _usage(days: range, users: list[str], value: float = 2.0) -> pd.DataFrame:
    return pd.DataFrame([{"account_id": "A1", "event_date": (T - dt.timedelta(days=k)).isoformat(),
                          "metric": "login", "value": value, "user_id": u} for k in days for u in users])


def _pandas_day_rows(ws) -> pd.DataFrame:
    raw = ws.query("SELECT account_id, metric, event_date, user_id, value FROM usage")
    return raw.groupby(["account_id", "metric", "event_date", "user_id"], dropna=False, as_index=False)["value"].sum()


def _derived_day_rows(ws) -> pd.DataFrame:
    """usage_day with its user keys read back as text (key k is the k-th distinct user_id of usage)
    and its account keys named by usage_account."""
    return ws.query("""
        WITH user_keys AS (SELECT user_id, row_number() OVER (ORDER BY user_id) AS user_key
                           FROM (SELECT DISTINCT user_id FROM usage WHERE user_id IS NOT NULL))
        SELECT a.account_id, d.metric, d.event_date, k.user_id, d.value
        FROM usage_day d JOIN usage_account a USING (account_key)
        LEFT JOIN user_keys k ON k.user_key = d.user_key""")


def _same(ws) -> None:
    keys = ["account_id", "metric", "event_date", "user_id"]
    want = _pandas_day_rows(ws).sort_values(keys).reset_index(drop=True)
    have = _derived_day_rows(ws).sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(have, want, check_dtype=False)


def test_usage_tables_follow_every_usage_write(tmp_path):
    path = tmp_path / "ws.duckdb"
    ws = open_workspace(path)
    try:
        users = MeasureDefinition("users_7", "usage", aggregation="distinct_users", window_days=7)
        ingest_dataframe(ws, "usage", _usage(range(0, 3), ["u1", "u2"]), file_name="a.csv")
        _same(ws)
        assert compute_raw_values(ws, [users], [T])["users_7"].tolist() == [2.0]
        ingest_dataframe(ws, "usage", _usage(range(1, 2), ["u3"]), file_name="b.csv", mode="append")
        _same(ws)
        assert compute_raw_values(ws, [users], [T])["users_7"].tolist() == [3.0]
        stamp = ws.scalar("SELECT count(*) FROM usage_day")
        ingest_dataframe(ws, "nps", pd.DataFrame({"account_id": ["A1"], "responded_at": [T.isoformat()],
                                                  "score": [9]}), file_name="n.csv")
        set_setting(ws, "as_of", T.isoformat())
        assert ws.scalar("SELECT count(*) FROM usage_day") == stamp  # kept, and still right
        _same(ws)
        clear_table(ws, "usage")
        assert ws.scalar("SELECT count(*) FROM usage_day") == 0
        assert ws.scalar("SELECT count(*) FROM usage_month") == 0
        assert ws.scalar("SELECT count(*) FROM usage_metric_first") == 0
        assert ws.scalar("SELECT count(*) FROM usage_account") == 0
    finally:
        close_workspace(path)
