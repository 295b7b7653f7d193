"""Usage stored as daily facts (ingest/facts.py) changes no number: the same events stored raw
(as before the reduction) and reduced at ingest give the same derived tables and health scores."""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace, load_sql, open_workspace
from cs_analytics.core.derived import rebuild
from cs_analytics.health.scoring import score_snapshots
from cs_analytics.ingest.load import ingest_dataframe
from factories import insert_canonical

DERIVED = {
    "account_month": ["account_id", "month"],
    "usage_day": ["account_key", "metric", "event_date", "user_key"],
    "usage_month": ["account_key", "metric", "month"],
    "usage_account": ["account_key"],
    "usage_metric_first": ["metric"],
}


def _events(usage: pd.DataFrame) -> pd.DataFrame:
    """Several events per daily fact: each row split in two halves (exact in binary), plus a
    zero-valued event for every third row, so the file has about 2.3 events per fact."""
    half = usage.assign(value=usage["value"] / 2)
    zeros = usage.iloc[::3].assign(value=0.0)
    return pd.concat([half, half, zeros], ignore_index=True)


@pytest.fixture(scope="module")
def raw_and_reduced(small_demo_master_path, tmp_path_factory):
    """Two copies of the 200-account demo holding the same events: stored raw, and ingested."""
    root = tmp_path_factory.mktemp("facts")
    raw_path, reduced_path = root / "raw.duckdb", root / "reduced.duckdb"
    shutil.copyfile(small_demo_master_path, raw_path)
    shutil.copyfile(small_demo_master_path, reduced_path)
    raw_ws, reduced_ws = open_workspace(raw_path), open_workspace(reduced_path)
    columns = "account_id, event_date, metric, value, user_id"
    events = _events(raw_ws.query(f"SELECT {columns} FROM usage ORDER BY ALL"))
    with raw_ws.transaction() as cur:
        cur.execute("DELETE FROM usage")
        insert_canonical(cur, "usage", events)
        rebuild(cur)
    result = ingest_dataframe(reduced_ws, "usage", events, file_name="events.csv")
    yield raw_ws, reduced_ws, events, result
    close_workspace(raw_path)
    close_workspace(reduced_path)


def test_the_usage_table_holds_one_row_per_account_metric_day_and_user(raw_and_reduced):
    raw_ws, reduced_ws, events, result = raw_and_reduced
    keys = ["account_id", "event_date", "metric", "user_id"]
    want = (events.groupby(keys, dropna=False, as_index=False)["value"].sum()
            .sort_values(keys).reset_index(drop=True))
    have = reduced_ws.query(f"SELECT {', '.join(keys)}, value FROM usage ORDER BY ALL")
    have["event_date"] = pd.to_datetime(have["event_date"])
    want["event_date"] = pd.to_datetime(want["event_date"])
    pd.testing.assert_frame_equal(have.sort_values(keys).reset_index(drop=True), want, check_dtype=False)
    assert result.rows_read == result.rows_accepted == len(events)  # counts stay counts of rows
    assert result.rows_stored == len(want) < len(events)


@pytest.mark.parametrize("table", list(DERIVED))
def test_derived_tables_are_unchanged_by_the_reduction(raw_and_reduced, table):
    raw_ws, reduced_ws, _, _ = raw_and_reduced
    order = ", ".join(DERIVED[table])
    columns = [c for c in raw_ws.query(f"SELECT * FROM {table} LIMIT 0").columns]
    select = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
    have, want = reduced_ws.query(select), raw_ws.query(select)
    assert len(want) > 0
    pd.testing.assert_frame_equal(have, want, check_dtype=False, rtol=1e-9)


def test_health_scores_are_unchanged_by_the_reduction(raw_and_reduced):
    raw_ws, reduced_ws, _, _ = raw_and_reduced
    days = [dt.date(2025, 6, 30), dt.date(2025, 12, 31)]
    want = score_snapshots(raw_ws, days).sort_values(["as_of", "account_id"]).reset_index(drop=True)
    have = score_snapshots(reduced_ws, days).sort_values(["as_of", "account_id"]).reset_index(drop=True)
    assert want["score"].notna().any()
    pd.testing.assert_frame_equal(have, want, check_dtype=False, rtol=1e-9)


def test_the_reduction_is_the_shared_definition():
    """The ingest runs the file the Spark engine transpiles, not a copy of it."""
    from cs_analytics.ingest.facts import usage_insert_statement

    assert load_sql("reduce/usage_facts") in usage_insert_statement()
