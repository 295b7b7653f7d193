"""Spark (local[2]) and DuckDB reduce the same events to identical facts and rejected rows.

Values are DECIMAL(38, 9) on both engines, so sums compare exactly (no float tolerance): facts
compare row for row after sorting, with NULL users as NULL. One Spark session per test process.
"""
from __future__ import annotations

import pandas as pd
import pytest

from cs_analytics.cli.main import main
from cs_analytics.reduce.duckdb_engine import reduce_with_duckdb
from cs_analytics.reduce.spark_engine import reduce_with_spark
from reduce_events import REJECTED_TEXT, reference_facts, sorted_rows, text_events, typed_events
from test_reduce_duckdb import FACT_COLUMNS, read

REJECTED_COLUMNS = ["account_id", "event_date", "metric", "value", "user_id", "reject_reason"]


def both_engines(spark, source: str, tmp_path, mapping=None):
    duck = reduce_with_duckdb(source, str(tmp_path / "duckdb"), mapping=mapping)
    spk = reduce_with_spark(source, str(tmp_path / "spark"), mapping=mapping, spark=spark)
    return duck, spk


def assert_identical(tmp_path) -> None:
    for name, columns in (("facts", FACT_COLUMNS), ("rejected", REJECTED_COLUMNS)):
        duck = read(tmp_path / "duckdb" / f"{name}.parquet")
        spk = read(tmp_path / "spark" / f"{name}.parquet")
        assert list(spk.columns) == list(duck.columns)
        assert sorted_rows(spk, columns) == sorted_rows(duck, columns), name


@pytest.mark.slow
def test_typed_events_reduce_identically_and_match_pandas(spark, tmp_path):
    events = typed_events(n_accounts=150, days=10)
    # microseconds, as Spark and most lakes write them (Spark refuses nanoseconds, see spark_engine)
    events.to_parquet(tmp_path / "events.parquet", coerce_timestamps="us")
    mapping = {"count": "", "minutes": "value"}  # fractional values: exact as DECIMAL
    duck, spk = both_engines(spark, str(tmp_path / "events.parquet"), tmp_path, mapping)
    assert_identical(tmp_path)
    expected = reference_facts(events, "minutes")
    assert sorted_rows(read(tmp_path / "spark" / "facts.parquet"), FACT_COLUMNS) == sorted_rows(expected, FACT_COLUMNS)
    assert (spk.rows_in, spk.facts_out, spk.rejected) == (duck.rows_in, duck.facts_out, duck.rejected) \
        == (len(events), len(expected), 0)


def test_edge_cases_and_rejected_rows_are_the_same_on_both_engines(spark, tmp_path):
    text_events().to_parquet(tmp_path / "text.parquet")
    duck, spk = both_engines(spark, str(tmp_path / "text.parquet"), tmp_path)
    assert_identical(tmp_path)
    assert spk.rejected_by_reason == duck.rejected_by_reason
    assert spk.rejected == len(REJECTED_TEXT) and spk.facts_out == 5


def test_a_csv_directory_on_both_engines(spark, tmp_path):
    lake = tmp_path / "lake"
    lake.mkdir()
    frame = text_events()
    frame.iloc[:12].to_csv(lake / "part-0.csv", index=False)
    frame.iloc[12:].to_csv(lake / "part-1.csv", index=False)
    duck, spk = both_engines(spark, str(lake), tmp_path)
    assert_identical(tmp_path)
    assert spk.rows_in == len(frame)


def test_cli_reduce_with_spark(spark, tmp_path, capsys):
    text_events().to_parquet(tmp_path / "text.parquet")
    code = main(["reduce", "--engine", "spark", str(tmp_path / "text.parquet"), str(tmp_path / "out"), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert '"facts_out": 5' in captured.out and f'"rejected": {len(REJECTED_TEXT)}' in captured.out
    assert "typing and reducing" in captured.err  # progress on stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["facts.parquet", "rejected.parquet"]
    assert not read(tmp_path / "out" / "facts.parquet").empty and isinstance(pd.__version__, str)


def test_spark_submit_entry_script_reuses_the_session_it_is_given(spark, tmp_path, capsys):
    """scripts/spark_reduce.py as spark-submit runs it (the master comes from the session)."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "spark_reduce.py"
    spec = importlib.util.spec_from_file_location("spark_reduce", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text_events().to_csv(tmp_path / "events.csv", index=False)
    assert module.main([str(tmp_path / "events.csv"), str(tmp_path / "out")]) == 0
    assert '"facts_out": 5' in capsys.readouterr().out
    assert module.main([str(tmp_path / "missing.csv"), str(tmp_path / "out2")]) == 1
    assert "was not found" in capsys.readouterr().err
