"""`python -m cs_analytics reduce --engine duckdb`, its errors, and the one shared SQL definition."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cs_analytics.cli.main import main
from cs_analytics.core import config
from cs_analytics.reduce import spark_engine
from cs_analytics.reduce.source import ReduceError
from cs_analytics.reduce.sql_text import STEPS, duckdb_sql, spark_sql
from reduce_events import REJECTED_TEXT, text_events

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reduce_with_duckdb_then_ingest(tmp_path, capsys):
    text_events().to_csv(tmp_path / "events.csv", index=False)
    out = tmp_path / "out"
    assert main(["reduce", str(tmp_path / "events.csv"), str(out), "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert "engine,source,out,rows_in,facts_out,rejected" in captured.out
    assert f",{len(text_events())},5,{len(REJECTED_TEXT)}," in captured.out
    assert "[" in captured.err and "typing and reducing" in captured.err
    workspace = str(tmp_path / "ws.duckdb")
    assert main(["ingest", "usage", str(out / "facts.parquet"), "--workspace", workspace, "--format", "csv"]) == 0
    assert "usage,facts.parquet,5,0" in capsys.readouterr().out


def test_cli_errors_are_one_sentence_and_exit_1(tmp_path, capsys):
    assert main(["reduce", str(tmp_path / "none.parquet"), str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.startswith("error: ") and not (tmp_path / "out").exists()
    (tmp_path / "file").write_text("x")
    text_events().to_parquet(tmp_path / "e.parquet")
    assert main(["reduce", str(tmp_path / "e.parquet"), str(tmp_path / "file")]) == 1
    assert "OUT must be a directory" in capsys.readouterr().err


def test_spark_without_java_or_pyspark_says_what_to_install(monkeypatch):
    monkeypatch.setattr(spark_engine, "java_available", lambda: False)
    with pytest.raises(ReduceError, match="openjdk-17-jre-headless"):
        spark_engine.spark_session()
    monkeypatch.setattr(spark_engine, "pyspark_available", lambda: False)
    with pytest.raises(ReduceError, match="requirements-spark.txt"):
        spark_engine.spark_session()


def test_spark_sql_is_the_duckdb_text_transpiled_not_a_second_copy():
    assert sorted(p.stem for p in (config.SQL_DIR / "reduce").glob("*.sql")) == sorted(STEPS)
    typed = spark_sql("type_events")
    assert "RLIKE" in typed and "REGEXP_MATCHES" in duckdb_sql("type_events")
    assert "TIMESTAMPTZ" not in typed and "DECIMAL(38, 9)" in typed
    assert all(spark_sql(step) for step in STEPS)


def test_the_app_and_other_commands_never_import_pyspark():
    code = ("import sys, cs_analytics.cli.main as m; m.build_parser(); "
            "import cs_analytics.reduce.duckdb_engine; assert 'pyspark' not in sys.modules; "
            "assert 'sqlglot' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
