"""The reduction on DuckDB: the facts against a pandas reference, every edge case of the typing,
the rejected rows, SOURCE forms and the facts ingested against the raw events ingested."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.ingest.load import ingest_file
from cs_analytics.reduce.duckdb_engine import reduce_with_duckdb
from cs_analytics.reduce.source import ReduceError
from reduce_events import REJECTED_TEXT, reference_facts, sorted_rows, text_events, typed_events

FACT_COLUMNS = ["account_id", "event_date", "metric", "user_id", "value"]


def read(path) -> pd.DataFrame:
    """A Parquet output with exact values: DECIMAL as Decimal, DATE as date (no float, no Timestamp)."""
    con = duckdb.connect()
    try:
        relation = con.read_parquet(str(path))
        return pd.DataFrame(relation.fetchall(), columns=relation.columns, dtype=object)
    finally:
        con.close()


@pytest.fixture(scope="module")
def typed_parquet(tmp_path_factory):
    path = tmp_path_factory.mktemp("typed") / "events.parquet"
    typed_events().to_parquet(path)
    return path


@pytest.mark.parametrize("value_column", ["count", "minutes"])
def test_facts_equal_a_pandas_reference(typed_parquet, tmp_path, value_column):
    events = typed_events()
    summary = reduce_with_duckdb(str(typed_parquet), str(tmp_path / "out"), mapping={"count": "", "minutes": "", value_column: "value"})
    facts = read(tmp_path / "out" / "facts.parquet")
    expected = reference_facts(events, value_column)
    assert sorted_rows(facts, FACT_COLUMNS) == sorted_rows(expected, FACT_COLUMNS)
    assert (summary.rows_in, summary.facts_out, summary.rejected) == (len(events), len(expected), 0)
    assert len(expected) < len(events)  # several events per fact: the test reduces something


def test_every_edge_case_of_the_typing(tmp_path):
    source = tmp_path / "text.parquet"
    text_events().to_parquet(source)
    summary = reduce_with_duckdb(str(source), str(tmp_path / "out"))
    facts = sorted_rows(read(tmp_path / "out" / "facts.parquet"), FACT_COLUMNS)
    d = dt.date
    assert facts == sorted_rows(pd.DataFrame([
        ("A1", d(2024, 1, 1), "activity", "u2", Decimal("12345678901234568890")),  # 1e3 + huge
        ("A1", d(2024, 1, 1), "login", None, Decimal("1.25")),     # 1 (blank) + 0.25 (blank user)
        ("A1", d(2024, 1, 1), "login", "u1", Decimal("1")),        # 01:00+02:00 is the day before
        ("A1", d(2024, 1, 2), "login", "u1", Decimal("5")),        # 23:30-05:00 and 00:10Z
        ("A2", d(2024, 2, 29), "export", "u3", Decimal("5.623456789")),  # trimmed id, 3 rows
    ], columns=FACT_COLUMNS), FACT_COLUMNS)
    assert summary.rejected == len(REJECTED_TEXT)
    assert summary.rejected_by_reason == {
        "unreadable event_date": 6, "value is not a number (or has more than 29 integer digits)": 5,
        "missing account_id": 2, "negative value": 1}
    rejected = read(tmp_path / "out" / "rejected.parquet")
    as_read = sorted_rows(pd.DataFrame(REJECTED_TEXT, columns=["account_id", "event_date", "metric", "value", "user_id"]),
                          ["account_id", "event_date", "metric", "value", "user_id"])
    assert sorted_rows(rejected, ["account_id", "event_date", "metric", "value", "user_id"]) == as_read


def test_directory_glob_and_csv_sources(tmp_path):
    frame = text_events()
    (tmp_path / "lake").mkdir()
    frame.iloc[:12].to_parquet(tmp_path / "lake" / "part-0.parquet")
    frame.iloc[12:].to_parquet(tmp_path / "lake" / "part-1.parquet")
    frame.to_csv(tmp_path / "events.csv", index=False)
    whole = reduce_with_duckdb(str(tmp_path / "lake"), str(tmp_path / "o1"))
    globbed = reduce_with_duckdb(str(tmp_path / "lake" / "*.parquet"), str(tmp_path / "o2"))
    csv = reduce_with_duckdb(str(tmp_path / "events.csv"), str(tmp_path / "o3"))
    counts = {(s.rows_in, s.facts_out, s.rejected) for s in (whole, globbed, csv)}
    assert counts == {(len(frame), 5, len(REJECTED_TEXT))}
    assert sorted_rows(read(tmp_path / "o3" / "facts.parquet"), FACT_COLUMNS) == \
        sorted_rows(read(tmp_path / "o1" / "facts.parquet"), FACT_COLUMNS)


@pytest.mark.parametrize("source, message", [
    ("missing.parquet", "was not found"),
    ("nothing-*.parquet", "matches no file"),
    ("s3a://bucket/events/", "Spark only"),
])
def test_unreadable_sources_are_refused_in_one_sentence(tmp_path, monkeypatch, source, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ReduceError, match=message):
        reduce_with_duckdb(source, str(tmp_path / "out"))


def test_a_source_without_an_account_column_is_refused(tmp_path):
    pd.DataFrame({"when": ["2024-01-01"], "n": [1]}).to_parquet(tmp_path / "x.parquet")
    with pytest.raises(ReduceError, match="required usage column account_id"):
        reduce_with_duckdb(str(tmp_path / "x.parquet"), str(tmp_path / "out"))


def test_a_corrupt_parquet_is_refused(tmp_path):
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(ReduceError, match="cannot be read as parquet"):
        reduce_with_duckdb(str(tmp_path / "bad.parquet"), str(tmp_path / "out"))


def test_facts_ingested_give_the_account_months_of_the_raw_events(tmp_path):
    events = typed_events(n_accounts=60, days=45).rename(columns={"count": "value"}).drop(columns="minutes")
    events["timestamp"] = events["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    raw = tmp_path / "raw.csv"
    events.to_csv(raw, index=False)
    summary = reduce_with_duckdb(str(raw), str(tmp_path / "out"))
    months = []
    for name, source in (("raw", raw), ("facts", tmp_path / "out" / "facts.parquet")):
        ws = open_workspace(tmp_path / f"{name}.duckdb")
        result = ingest_file(ws, "usage", str(source))
        assert result.rows_quarantined == 0
        months.append(ws.query("SELECT account_id, month, usage_value, active_days, active_users, distinct_metrics "
                               "FROM account_month ORDER BY account_id, month"))
        close_workspace(tmp_path / f"{name}.duckdb")
    assert summary.facts_out < len(events)
    assert len(months[0]) > 60
    pd.testing.assert_frame_equal(months[0], months[1])
