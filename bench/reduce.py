"""The reduction of raw usage events to account-day facts: DuckDB vs Spark local[2] vs pandas.

    .venv/bin/python bench/reduce.py --rows 1000000 10000000 [--engines duckdb spark pandas]

Writes a synthetic events Parquet per size (a month of raw events of 500 accounts: 6 metrics,
users u0-u9 with 40% of rows without a user, integer counts, microsecond UTC timestamps; at most
500 x 31 x 6 x 7 = 651k facts, so 10M events reduce about 16x), reduces it with each engine and
prints a Markdown table: seconds (wall, one run, including Spark's session start), facts out, and
the checksum (facts, sum of values) that must be equal on every engine. `run(quick)` returns the
section for bench/run_all.py.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cs_analytics.reduce.duckdb_engine import reduce_with_duckdb  # noqa: E402

ACCOUNTS = 500
CHUNK_ROWS = 1_000_000
START = np.datetime64("2026-10-01T00:00:00", "us")
SPAN_US = 30 * 86_400 * 1_000_000


def write_events(path: Path, rows: int, seed: int = 11) -> None:
    """`rows` synthetic events in row groups of a million (bounded memory)."""
    rng = np.random.default_rng(seed)
    metrics = np.array(["login", "export", "report", "invite", "api_call", "dashboard_view"], dtype=object)
    writer = None
    for start in range(0, rows, CHUNK_ROWS):
        n = min(CHUNK_ROWS, rows - start)
        users = rng.integers(0, 10, n)
        table = pa.table({
            "account_id": pa.array([f"ACC-{i:05d}" for i in rng.integers(0, ACCOUNTS, n)]),
            "timestamp": pa.array(START + rng.integers(0, SPAN_US, n).astype("timedelta64[us]"), pa.timestamp("us", tz="UTC")),
            "metric": pa.array(metrics[rng.integers(0, len(metrics), n)]),
            "user_id": pa.array([f"u{u}" if u >= 4 else None for u in users]),
            "count": pa.array(rng.integers(1, 20, n)),
        })
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()


def reduce_pandas(path: Path) -> tuple[int, Decimal]:
    """The same facts by plain pandas (a notebook's way): UTC day, group by four keys, sum."""
    frame = pd.read_parquet(path)
    frame["event_date"] = frame["timestamp"].dt.tz_convert("UTC").dt.floor("D")
    facts = frame.groupby(["account_id", "event_date", "metric", "user_id"], dropna=False)["count"].sum()
    return len(facts), Decimal(int(facts.sum()))


def checksum(out: Path) -> tuple[int, Decimal]:
    import duckdb

    con = duckdb.connect()
    try:
        n, total = con.read_parquet(str(out / "facts.parquet")).aggregate("count(*), sum(value)").fetchall()[0]
    finally:
        con.close()
    return n, Decimal(total).normalize()


def measure(engine: str, source: Path, work: Path) -> tuple[float, tuple[int, Decimal]]:
    started = time.perf_counter()
    if engine == "pandas":
        result = reduce_pandas(source)
        return time.perf_counter() - started, (result[0], result[1].normalize())
    out = work / engine
    if engine == "duckdb":
        reduce_with_duckdb(str(source), str(out), mapping={"count": "value"})
    else:
        from cs_analytics.reduce.spark_engine import reduce_with_spark, spark_session

        spark = spark_session("local[2]")
        reduce_with_spark(str(source), str(out), mapping={"count": "value"}, spark=spark)
        spark.stop()
    return time.perf_counter() - started, checksum(out)


def table(sizes: list[int], engines: list[str]) -> str:
    lines = ["| rows | engine | seconds | facts | sum of values |", "|---:|---|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="bench_reduce_") as tmp:
        for rows in sizes:
            source = Path(tmp) / f"events_{rows}.parquet"
            write_events(source, rows)
            sums = set()
            for engine in engines:
                seconds, (facts, total) = measure(engine, source, Path(tmp) / str(rows))
                sums.add((facts, total))
                lines.append(f"| {rows:,} | {engine} | {seconds:.1f} | {facts:,} | {total:,} |")
                print(lines[-1], flush=True)
            if len(sums) != 1:
                raise SystemExit(f"engines disagree at {rows:,} rows: {sums}")
    return "\n".join(lines)


def run(quick: bool = False) -> str:
    sizes = [200_000] if quick else [1_000_000, 10_000_000]
    return "## Reduction (events to account-day facts)\n\n" + table(sizes, ["duckdb", "spark", "pandas"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark", "pandas"],
                        choices=["duckdb", "spark", "pandas"])
    args = parser.parse_args()
    print(table(args.rows, args.engines))
