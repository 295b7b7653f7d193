"""The reduction on DuckDB, out of core: a memory limit, a spill directory, streaming reads.

Runs the SQL of `cs_analytics/sql/reduce/` as written, over SOURCE's columns renamed to the usage
table's canonical names and read as text.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from cs_analytics.reduce.output import ReduceSummary, Stopwatch, count_outputs, local_paths, prepare_out, Progress
from cs_analytics.reduce.source import ReduceError, ReduceSource, canonical_sources, resolve_source
from cs_analytics.reduce.sql_text import duckdb_sql

DEFAULT_MEMORY_LIMIT = "4GB"


def quote_identifier(name: str) -> str:
    """A DuckDB identifier for a header (a header is never spliced in unquoted)."""
    return '"' + name.replace('"', '""') + '"'


def reduce_with_duckdb(source_text: str, out: str, mapping: object = None, source_format: str | None = None,
                       memory_limit: str = DEFAULT_MEMORY_LIMIT, progress: Progress | None = None) -> ReduceSummary:
    """Reduce SOURCE to OUT/facts.parquet and OUT/rejected.parquet on DuckDB; the summary."""
    watch = Stopwatch(progress)
    source = resolve_source(source_text, "duckdb", source_format)
    out_dir = prepare_out(out)
    if out_dir is None:
        raise ReduceError("DuckDB writes OUT to a local directory; use --engine spark to write to a URI.")
    facts_path, rejected_path = local_paths(out_dir)
    summary = ReduceSummary(engine="duckdb", source=source_text, out=out)
    with tempfile.TemporaryDirectory(prefix="cs_reduce_") as spill:
        con = _connection(memory_limit, spill, source)
        try:
            _run_steps(con, source, mapping, summary, watch, facts_path, rejected_path)
        except duckdb.Error as exc:
            raise ReduceError(f"DuckDB could not reduce {source.text}: {str(exc).splitlines()[0]}") from None
        finally:
            con.close()
    count_outputs(summary, facts_path, rejected_path)
    summary.seconds = watch.seconds
    return summary


def _run_steps(con, source: ReduceSource, mapping: object, summary: ReduceSummary, watch: Stopwatch,
               facts_path: Path, rejected_path: Path) -> None:
    """The SQL steps (sql_text.STEPS) on `con`, writing the facts and the rejected rows."""
    watch.say(f"reading {source.text} ({source.fmt})")
    _register_source(con, source, mapping)
    watch.say("typing and reducing")
    # typed once into a temp table (it spills under the memory limit): the facts and the rejected
    # rows both read it, so no row is read or typed twice
    con.execute(f"CREATE TEMP TABLE usage_typed AS {duckdb_sql('type_events')}")
    summary.rows_in = con.execute("SELECT count(*) FROM usage_typed").fetchone()[0]
    watch.say(f"{summary.rows_in:,} rows typed")
    con.execute(f"CREATE TEMP VIEW usage_events AS {duckdb_sql('accepted_events')}")
    con.sql(duckdb_sql("usage_facts")).write_parquet(str(facts_path))
    watch.say("facts written; writing the rejected rows")
    con.sql(duckdb_sql("rejected_events")).write_parquet(str(rejected_path))


def _connection(memory_limit: str, spill: str, source: ReduceSource) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": spill,
                                     "preserve_insertion_order": False})
    except duckdb.Error as exc:
        raise ReduceError(f"DuckDB refused the settings ({str(exc).splitlines()[0]}); "
                          "give --memory-limit like 4GB or 512MB.") from None
    con.execute("SET TimeZone = 'UTC'")
    if source.is_uri:
        try:
            con.execute("INSTALL httpfs")
            con.execute("LOAD httpfs")
        except duckdb.Error as exc:
            raise ReduceError(f"DuckDB cannot load httpfs to read {source.text} ({str(exc).splitlines()[0]}); "
                              "download the files or use --engine spark.") from None
    return con


def _register_source(con: duckdb.DuckDBPyConnection, source: ReduceSource, mapping: object) -> None:
    """Views `raw_source` (the file as read) and `usage_source` (canonical columns as text)."""
    try:
        if source.fmt == "parquet":
            relation = con.read_parquet(source.location, hive_partitioning=True)
        else:
            relation = con.read_csv(source.location, header=True, all_varchar=True, delimiter=source.delimiter)
        relation.create_view("raw_source")
    except duckdb.Error as exc:
        raise ReduceError(f"{source.text} cannot be read as {source.fmt} ({str(exc).splitlines()[0]}).") from None
    feeds = canonical_sources(relation.columns, mapping, source.text)
    columns = ", ".join(
        f"CAST({quote_identifier(header)} AS VARCHAR) AS {column}" if header else f"CAST(NULL AS VARCHAR) AS {column}"
        for column, header in feeds.items())
    con.execute(f"CREATE TEMP VIEW usage_source AS SELECT {columns} FROM raw_source")
