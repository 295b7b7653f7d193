"""The reduction of raw usage events to account-day facts, on DuckDB or on Apache Spark (docs/scale.md).

One definition, two engines: the SQL under `cs_analytics/sql/reduce/` (type_events, accepted_events,
usage_facts, rejected_events) runs as it is on DuckDB and transpiled by SQLGlot on Spark
(`sql_text.py`). `source.py` resolves SOURCE and maps its headers like the ingest; `duckdb_engine.py`
and `spark_engine.py` run the steps; `output.py` lays out OUT (facts.parquet, rejected.parquet) and
the summary. pyspark is imported only by `spark_engine.py`, and only when Spark is asked for.
"""
