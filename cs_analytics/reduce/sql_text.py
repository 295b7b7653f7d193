"""The reduction's SQL texts, for DuckDB as written and for Spark transpiled by SQLGlot.

The steps, in order (each reads the relation the one before created):
`type_events` (usage_source -> usage_typed), `accepted_events` (-> usage_events),
`usage_facts` (the facts) and `rejected_events` (the rows that are never aggregated).
"""
from __future__ import annotations

from functools import lru_cache

from cs_analytics.core.db import load_sql

STEPS = ("type_events", "accepted_events", "usage_facts", "rejected_events")


def duckdb_sql(step: str) -> str:
    """The step's SQL as written (DuckDB dialect)."""
    if step not in STEPS:
        raise KeyError(step)
    return load_sql(f"reduce/{step}")


@lru_cache(maxsize=None)
def spark_sql(step: str) -> str:
    """The step's SQL transpiled from DuckDB's dialect to Spark's by SQLGlot (never hand-written)."""
    import sqlglot

    statements = sqlglot.transpile(duckdb_sql(step), read="duckdb", write="spark",
                                   unsupported_level=sqlglot.ErrorLevel.RAISE)
    if len(statements) != 1:
        raise ValueError(f"reduce/{step}.sql must hold exactly one statement, found {len(statements)}.")
    return statements[0]
