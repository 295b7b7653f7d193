"""SOURCE of a reduction: a local file, glob or directory of Parquet or CSV, or a URI; its mapping.

Headers map to the usage table's canonical columns exactly as the ingest maps them
(`ingest.mapping.map_headers`, with the same `--mapping` overrides); a source without an
account id or an event date column is refused in one sentence.
"""
from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

from cs_analytics.ingest.errors import IngestRefused
from cs_analytics.ingest.mapping import map_headers, parse_mapping

CANONICAL_COLUMNS = ("account_id", "event_date", "metric", "value", "user_id")
PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
SPARK_ONLY_SCHEMES = ("s3a", "s3n", "abfs", "abfss", "wasb", "wasbs", "hdfs", "gs", "dbfs", "file")
DUCKDB_SCHEMES = ("s3", "http", "https")
GLOB_CHARS = "*?["


class ReduceError(ValueError):
    """A reduction that cannot run; the message is one sentence saying what to do."""


@dataclass(frozen=True)
class ReduceSource:
    """Where the events are: `location` as the engine reads it, `fmt` 'parquet' or 'csv'."""

    text: str            # as typed
    location: str        # what the engine reads (a directory becomes a recursive glob for DuckDB)
    fmt: str
    is_uri: bool
    delimiter: str = ","


def scheme_of(text: str) -> str | None:
    """The URI scheme of `text` ('s3a' for s3a://bucket/x), None for a local path."""
    head, sep, _ = text.partition("://")
    return head.lower() if sep and head.isalnum() else None


def resolve_source(text: str, engine: str, fmt: str | None = None) -> ReduceSource:
    """SOURCE resolved for `engine` ('duckdb' or 'spark'); ReduceError when it cannot be read."""
    scheme = scheme_of(text)
    if scheme is not None:
        return _resolve_uri(text, scheme, engine, fmt)
    path = Path(text)
    if any(ch in text for ch in GLOB_CHARS):
        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            raise ReduceError(f"{text} matches no file.")
        return ReduceSource(text, text, fmt or _format_of(matches[0]), False, _delimiter(matches[0]))
    if path.is_dir():
        return _resolve_directory(text, path, engine, fmt)
    if not path.is_file():
        raise ReduceError(f"{text} was not found (give a file, a glob, a directory or a URI).")
    return ReduceSource(text, text, fmt or _format_of(text), False, _delimiter(text))


def _resolve_uri(text: str, scheme: str, engine: str, fmt: str | None) -> ReduceSource:
    if engine == "duckdb" and scheme not in DUCKDB_SCHEMES:
        raise ReduceError(f"{scheme}:// is read by Spark only: use --engine spark (DuckDB reads local "
                          f"paths and {', '.join(s + '://' for s in DUCKDB_SCHEMES)}).")
    guessed = _format_of(text) if text.lower().endswith(PARQUET_SUFFIXES + CSV_SUFFIXES) else "parquet"
    return ReduceSource(text, text, fmt or guessed, True, _delimiter(text))


def _resolve_directory(text: str, path: Path, engine: str, fmt: str | None) -> ReduceSource:
    parquet = [p for p in path.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES and p.is_file()]
    csv = [p for p in path.rglob("*") if p.suffix.lower() in CSV_SUFFIXES and p.is_file()]
    chosen = fmt or ("parquet" if parquet else "csv" if csv else None)
    files = parquet if chosen == "parquet" else csv
    if not files:
        raise ReduceError(f"{text} holds no {chosen or 'Parquet or CSV'} files.")
    suffix = files[0].suffix
    location = text if engine == "spark" else str(path / "**" / f"*{suffix}")
    return ReduceSource(text, location, chosen, False, _delimiter(str(files[0])))


def _format_of(name: str) -> str:
    lower = name.lower()
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if lower.endswith(CSV_SUFFIXES):
        return "csv"
    raise ReduceError(f"{name} is neither Parquet (.parquet) nor CSV (.csv, .tsv): say which with --source-format.")


def _delimiter(name: str) -> str:
    return "\t" if name.lower().endswith(".tsv") else ","


def canonical_sources(headers: list[str], mapping: object, source_text: str) -> dict[str, str | None]:
    """{canonical usage column: the source header feeding it, or None} (the ingest's mapping rules)."""
    try:
        found = map_headers(list(headers), "usage", parse_mapping(mapping))
        found.check(source_text)
    except IngestRefused as exc:
        raise ReduceError(str(exc)) from None
    by_column = {column: header for header, column in found.columns.items()}
    return {column: by_column.get(column) for column in CANONICAL_COLUMNS}
