"""CLI command `reduce` (docs/spec/cli.md, docs/scale.md): raw usage events to account-day facts.

`reduce --engine duckdb|spark SOURCE OUT [--mapping JSON] [--source-format parquet|csv]
[--master URL] [--memory-limit SIZE]`. Progress goes to stderr, the summary to stdout. pyspark is
imported only when `--engine spark` runs.
"""
from __future__ import annotations

import sys

import pandas as pd

from cs_analytics.cli.common import UserError, add_command
from cs_analytics.reduce.output import summary_text
from cs_analytics.reduce.source import ReduceError


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
    p = add_command(subparsers, common, "reduce", reduce_command,
                    "reduce raw usage events to account-day facts (DuckDB or Spark)",
                    "Type and reduce SOURCE (a Parquet or CSV file, glob or directory; with Spark any URI "
                    "it reads: s3a://, abfss://, hdfs://) to one row per account, day, metric and user in "
                    "OUT/facts.parquet; rows that cannot be typed go to OUT/rejected.parquet with their "
                    "reason. Load the facts with `ingest usage OUT/facts.parquet`. No workspace is opened.")
    p.add_argument("source", metavar="SOURCE", help="events: a file, a glob, a directory or a URI")
    p.add_argument("out", metavar="OUT", help="output directory (a URI with --engine spark)")
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb", help="duckdb (default) or spark")
    p.add_argument("--mapping", metavar="JSON", help='JSON file or inline JSON {"source header": "usage column"}')
    p.add_argument("--source-format", choices=("parquet", "csv"), dest="source_format",
                   help="the format of SOURCE when its name does not say (default: by extension, else Parquet)")
    p.add_argument("--master", default="local[2]",
                   help="Spark master (default local[2]; under spark-submit use scripts/spark_reduce.py)")
    p.add_argument("--memory-limit", dest="memory_limit", default="4GB",
                   help="DuckDB memory limit; beyond it DuckDB spills to a temporary directory (default 4GB)")


def reduce_command(args):
    """Run the reduction; the summary as text, one row (csv) or JSON."""
    progress = (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        if args.engine == "spark":
            from cs_analytics.reduce.spark_engine import reduce_with_spark

            summary = reduce_with_spark(args.source, args.out, mapping=args.mapping, master=args.master,
                                        source_format=args.source_format, progress=progress)
        else:
            from cs_analytics.reduce.duckdb_engine import reduce_with_duckdb

            summary = reduce_with_duckdb(args.source, args.out, mapping=args.mapping,
                                         source_format=args.source_format, memory_limit=args.memory_limit,
                                         progress=progress)
    except ReduceError as exc:
        raise UserError(str(exc)) from None
    if args.format == "json":
        return summary.as_dict()
    if args.format == "csv":
        row = {k: v for k, v in summary.as_dict().items() if k != "rejected_by_reason"}
        return pd.DataFrame([row])
    return summary_text(summary)
