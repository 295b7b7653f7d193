"""OUT of a reduction and its summary.

A local OUT is a directory holding `facts.parquet` (one row per account, event_date, metric and
user_id, value the exact DECIMAL(38, 9) sum) and `rejected.parquet` (the rows never aggregated, as
read, with `reject_reason`); `python -m cs_analytics ingest usage OUT/facts.parquet` loads the facts.
A URI OUT (Spark on a cluster) holds the directories `facts/` and `rejected/` of Parquet parts.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from cs_analytics.reduce.source import ReduceError, scheme_of

FACTS = "facts"
REJECTED = "rejected"
Progress = Callable[[str], None]


@dataclass
class ReduceSummary:
    """What one reduction did: rows read, facts written, rows rejected (by reason), seconds."""

    engine: str
    source: str
    out: str
    rows_in: int = 0
    facts_out: int = 0
    rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    facts_path: str = ""
    rejected_path: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def prepare_out(out: str) -> Path | None:
    """The local OUT directory, created (None for a URI); refuses an existing file."""
    if scheme_of(out) is not None:
        return None
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ReduceError(f"{out} is a file; OUT must be a directory (it receives facts.parquet and rejected.parquet).")
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_paths(out: Path) -> tuple[Path, Path]:
    """facts.parquet and rejected.parquet in the local OUT."""
    return out / f"{FACTS}.parquet", out / f"{REJECTED}.parquet"


def consolidate(parts_dir: Path, target: Path) -> None:
    """Spark's directory of Parquet parts as one Parquet file `target` (the parts are removed)."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.read_parquet(str(parts_dir / "*.parquet")).write_parquet(str(target))
    finally:
        con.close()
    shutil.rmtree(parts_dir, ignore_errors=True)


def count_outputs(summary: ReduceSummary, facts: Path, rejected: Path) -> None:
    """Fill the summary's facts and rejected counts from the written local files."""
    con = duckdb.connect()
    try:
        summary.facts_out = con.read_parquet(str(facts)).aggregate("count(*)").fetchall()[0][0]
        rows = con.read_parquet(str(rejected)).aggregate("reject_reason, count(*)", "reject_reason").fetchall()
    finally:
        con.close()
    summary.rejected_by_reason = {reason: n for reason, n in sorted(rows, key=lambda r: (-r[1], r[0]))}
    summary.rejected = sum(summary.rejected_by_reason.values())
    summary.facts_path, summary.rejected_path = str(facts), str(rejected)


class Stopwatch:
    """Elapsed seconds since creation, and progress lines that carry them."""

    def __init__(self, progress: Progress | None):
        self.started = time.perf_counter()
        self.progress = progress

    @property
    def seconds(self) -> float:
        return round(time.perf_counter() - self.started, 2)

    def say(self, message: str) -> None:
        if self.progress:
            self.progress(f"[{self.seconds:7.1f} s] {message}")


def summary_text(summary: ReduceSummary) -> str:
    """The summary for a person, with the command that loads the facts."""
    lines = [f"Reduced {summary.rows_in:,} rows from {summary.source} with {summary.engine} "
             f"in {summary.seconds:.1f} s: {summary.facts_out:,} facts, {summary.rejected:,} rejected.",
             f"  facts:    {summary.facts_path}", f"  rejected: {summary.rejected_path}"]
    for reason, n in summary.rejected_by_reason.items():
        lines.append(f"    {n:>12,}  {reason}")
    if summary.rejected:
        lines.append("  Rejected rows are not aggregated; they keep their text as read, with the reason.")
    if scheme_of(summary.out) is None:
        lines.append(f"Load the facts: python -m cs_analytics ingest usage {summary.facts_path}")
    return "\n".join(lines)
