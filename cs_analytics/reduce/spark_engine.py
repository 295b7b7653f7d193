"""The reduction on Apache Spark: the same SQL as DuckDB's, transpiled by SQLGlot (sql_text.py).

pyspark is imported here only, when Spark is asked for. Local mode (`local[2]` by default) turns
the UI off, uses few shuffle partitions and a UTC session; under spark-submit the master and the
resources come from spark-submit (`spark_job.py`).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from cs_analytics.reduce.output import (
    FACTS, REJECTED, Progress, ReduceSummary, Stopwatch, consolidate, count_outputs, local_paths, prepare_out,
)
from cs_analytics.reduce.source import ReduceError, ReduceSource, canonical_sources, resolve_source
from cs_analytics.reduce.sql_text import spark_sql

DEFAULT_MASTER = "local[2]"
LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "2g",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
}
PYSPARK_MISSING = ("pyspark is not installed: pip install -r requirements-spark.txt "
                   "(or use --engine duckdb).")


def java_available() -> bool:
    """A `java` on PATH or under JAVA_HOME (Spark needs Java 17 or later)."""
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and Path(home, "bin", "java").exists()))


def pyspark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


def spark_session(master: str | None = DEFAULT_MASTER, app_name: str = "cs-analytics-reduce"):
    """A SparkSession; `master` None keeps the one spark-submit gives. ReduceError without Java or pyspark."""
    if not pyspark_available():
        raise ReduceError(PYSPARK_MISSING)
    if not java_available():
        raise ReduceError("Spark needs Java 17 or later and none was found: install Debian's "
                          "openjdk-17-jre-headless (bash scripts/ensure_java.sh) or set JAVA_HOME.")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
        for key, value in LOCAL_SETTINGS.items():
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


def reduce_with_spark(source_text: str, out: str, mapping: object = None, source_format: str | None = None,
                      spark=None, master: str | None = DEFAULT_MASTER,
                      progress: Progress | None = None) -> ReduceSummary:
    """Reduce SOURCE on Spark; a local OUT gets facts.parquet and rejected.parquet, a URI OUT the
    directories facts/ and rejected/. `spark` reuses a session (tests); else one is started."""
    watch = Stopwatch(progress)
    source = resolve_source(source_text, "spark", source_format)
    out_dir = prepare_out(out)
    if spark is None:
        watch.say(f"starting Spark ({master or 'master from spark-submit'})")
        spark = spark_session(master)
    summary = ReduceSummary(engine="spark", source=source_text, out=out)
    try:
        _run_steps(spark, source, mapping, out, out_dir, summary, watch)
    except Exception as exc:  # a Spark job's failure arrives as a Java exception through py4j
        if not type(exc).__module__.startswith(("pyspark", "py4j")):
            raise
        raise ReduceError(f"Spark could not reduce {source.text}: {_first_line(exc)}") from None
    summary.seconds = watch.seconds
    return summary


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0][:500] if lines else type(exc).__name__


def _run_steps(spark, source: ReduceSource, mapping: object, out: str, out_dir: Path | None,
               summary: ReduceSummary, watch: Stopwatch) -> None:
    """The SQL steps (sql_text.STEPS, transpiled) on `spark`, writing the facts and the rejected rows."""
    watch.say(f"reading {source.text} ({source.fmt})")
    summary.rows_in = _register_source(spark, source, mapping).count()
    watch.say(f"{summary.rows_in:,} rows; typing and reducing")
    spark.sql(spark_sql("type_events")).createOrReplaceTempView("usage_typed")
    spark.sql(spark_sql("accepted_events")).createOrReplaceTempView("usage_events")
    if out_dir is None:
        _write_uri(spark, out, summary, watch)
    else:
        _write_local(spark, out_dir, summary, watch)


def _write_local(spark, out_dir: Path, summary: ReduceSummary, watch: Stopwatch) -> None:
    facts_path, rejected_path = local_paths(out_dir)
    parts = Path(tempfile.mkdtemp(prefix=".spark_parts_", dir=out_dir))
    try:
        spark.sql(spark_sql("usage_facts")).write.mode("overwrite").parquet(str(parts / FACTS))
        watch.say("facts written; writing the rejected rows")
        spark.sql(spark_sql("rejected_events")).write.mode("overwrite").parquet(str(parts / REJECTED))
        consolidate(parts / FACTS, facts_path)
        consolidate(parts / REJECTED, rejected_path)
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    count_outputs(summary, facts_path, rejected_path)


def _write_uri(spark, out: str, summary: ReduceSummary, watch: Stopwatch) -> None:
    base = out.rstrip("/")
    facts = spark.sql(spark_sql("usage_facts"))
    facts.write.mode("overwrite").parquet(f"{base}/{FACTS}")
    watch.say("facts written; writing the rejected rows")
    spark.sql(spark_sql("rejected_events")).write.mode("overwrite").parquet(f"{base}/{REJECTED}")
    written = spark.read.parquet(f"{base}/{REJECTED}")
    summary.rejected_by_reason = {r["reject_reason"]: r["count"] for r in written.groupBy("reject_reason").count().collect()}
    summary.rejected = sum(summary.rejected_by_reason.values())
    summary.facts_out = spark.read.parquet(f"{base}/{FACTS}").count()
    summary.facts_path, summary.rejected_path = f"{base}/{FACTS}/", f"{base}/{REJECTED}/"


def _quoted(header: str) -> str:
    return "`" + header.replace("`", "``") + "`"


def _register_source(spark, source: ReduceSource, mapping: object):
    """Temp view `usage_source`: SOURCE's mapped columns as text under canonical names; returns the raw frame."""
    from pyspark.sql import functions as F
    from pyspark.errors import AnalysisException

    try:
        if source.fmt == "parquet":
            raw = spark.read.parquet(source.location)
        else:
            raw = spark.read.options(header=True, inferSchema=False, sep=source.delimiter).csv(source.location)
    except AnalysisException as exc:
        first = str(exc).splitlines()[0]
        if "TIMESTAMP(NANOS" in first:
            first += "; Spark does not read nanosecond timestamps: write them as microseconds or use --engine duckdb"
        raise ReduceError(f"{source.text} cannot be read as {source.fmt} ({first}).") from None
    feeds = canonical_sources(raw.columns, mapping, source.text)
    columns = [F.col(_quoted(header)).cast("string").alias(column) if header
               else F.lit(None).cast("string").alias(column) for column, header in feeds.items()]
    raw.select(*columns).createOrReplaceTempView("usage_source")
    return raw
