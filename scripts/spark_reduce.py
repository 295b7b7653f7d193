"""spark-submit entry of the reduction (docs/scale.md): raw usage events to account-day facts.

    spark-submit --master yarn scripts/spark_reduce.py s3a://lake/events/ s3a://lake/cs_facts/

Runs in client deploy mode from a checkout of this repository (the driver transpiles the SQL of
cs_analytics/sql/reduce/ with SQLGlot; the executors run Spark SQL only, no Python code). The
master, executors and memory come from spark-submit; the session time zone is set to UTC here.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cs_analytics.reduce.source import ReduceError  # noqa: E402
from cs_analytics.reduce.spark_engine import reduce_with_spark, spark_session  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="events: Parquet or CSV, a path, glob or URI Spark reads")
    parser.add_argument("out", help="output: a directory or URI (facts/ and rejected/ under a URI)")
    parser.add_argument("--mapping", help='JSON file or inline JSON {"source header": "usage column"}')
    parser.add_argument("--source-format", choices=("parquet", "csv"), dest="source_format")
    args = parser.parse_args(argv)
    progress = (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        spark = spark_session(master=None, app_name="cs-analytics-reduce")
        summary = reduce_with_spark(args.source, args.out, mapping=args.mapping, spark=spark,
                                    source_format=args.source_format, progress=progress)
    except ReduceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary.as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
