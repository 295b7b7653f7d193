"""Benchmark: usage CSV ingest (read + validate + load + derived rebuild) vs plain pandas.

Each measured run happens in a fresh child process so its peak memory (ru_maxrss) covers DuckDB's
native allocations. The pandas baseline reads the same CSV and computes the same per account-month
usage numbers (sum of value, active days, active users, distinct metrics) with a groupby.
Sizes: 1M and 10M rows (quick mode: 1M only). `python bench/ingest.py [--quick]`.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(s) for s in os.environ.get("BENCH_INGEST_SIZES", "1000000,10000000").split(",")]
REPEATS = int(os.environ.get("BENCH_INGEST_REPEATS", "3"))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
kind, csv_path, db_path = sys.argv[1:4]
out = {{}}
if kind == "ingest":
    from cs_analytics.core.db import open_workspace
    from cs_analytics.ingest import load as ingest
    ws = open_workspace(db_path)
    phases = {{}}
    last = [time.perf_counter()]
    def progress(f, msg):
        now = time.perf_counter()
        phases[msg.split(" ")[0]] = phases.get(msg.split(" ")[0], 0) + now - last[0]
        last[0] = now
    t0 = time.perf_counter()
    result = ingest.ingest_file(ws, "usage", csv_path, progress=progress)
    out["seconds"] = time.perf_counter() - t0
    out["derived_seconds"] = phases.get("Loaded", 0.0)
    out["rows"] = result.rows_accepted
    out["quarantined"] = result.rows_quarantined
else:
    import pandas as pd
    t0 = time.perf_counter()
    df = pd.read_csv(csv_path, dtype={{"account_id": str, "metric": str, "user_id": str}})
    df["event_date"] = pd.to_datetime(df["event_date"], format="ISO8601").dt.normalize()
    df["month"] = df["event_date"].dt.to_period("M")
    pos = df[df["value"] > 0]
    g = pos.groupby(["account_id", "month"])
    res = pd.DataFrame({{"active_days": g["event_date"].nunique(), "active_users": g["user_id"].nunique(),
                         "distinct_metrics": g["metric"].nunique()}})
    res["usage_value"] = df.groupby(["account_id", "month"])["value"].sum()
    out["seconds"] = time.perf_counter() - t0
    out["rows"] = len(df)
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def make_csv(path: Path, rows: int, accounts: int = 5000) -> None:
    """A usage CSV written by DuckDB (fast): account, ISO date over 2 years, metric, value, user."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"""COPY (
            SELECT 'ACC-' || lpad(CAST(i % {accounts} AS VARCHAR), 5, '0') AS account_id,
                   strftime(DATE '2023-01-01' + CAST((i * 7919) % 730 AS INTEGER), '%Y-%m-%d') AS event_date,
                   'feature_' || CAST(i % 17 AS VARCHAR) AS metric,
                   CAST((i % 5) AS INTEGER) AS value,
                   'u' || CAST(i % 40000 AS VARCHAR) AS user_id
            FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def _child(kind: str, csv_path: Path, db_path: Path) -> dict:
    code = CHILD.format(root=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code, kind, str(csv_path), str(db_path)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(rows: int, repeats: int = REPEATS) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        csv_path = Path(tmp) / "usage.csv"
        make_csv(csv_path, rows)
        ours, base = [], []
        for r in range(repeats):
            db = Path(tmp) / f"w{r}.duckdb"
            ours.append(_child("ingest", csv_path, db))
            base.append(_child("pandas", csv_path, db))
        size_mb = csv_path.stat().st_size / 1e6
    med = lambda runs, key: statistics.median(run[key] for run in runs)  # noqa: E731
    return {
        "rows": rows, "size_mb": size_mb,
        "ingest_s": med(ours, "seconds"), "derived_s": med(ours, "derived_seconds"),
        "ingest_peak_mb": med(ours, "peak_mb"), "accepted": ours[0]["rows"],
        "pandas_s": med(base, "seconds"), "pandas_peak_mb": med(base, "peak_mb"),
    }


def run(quick: bool = False) -> str:
    """A Markdown section with the measurements."""
    sizes = SIZES[:1] if quick else SIZES
    lines = [
        "## Ingest (usage CSV -> validated canonical rows + derived account_month)",
        "",
        f"Median of {REPEATS} run(s), each in a fresh process; peak = ru_maxrss of that process. "
        "The pandas baseline only reads the CSV and computes the per account-month usage numbers "
        "(no validation, no quarantine, no persistence).",
        "",
        "| rows | CSV MB | ingest + derived s | of which derived s | rows/s | peak MB | pandas s | pandas peak MB | ingest / pandas |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rows in sizes:
        m = measure(rows)
        lines.append(
            f"| {rows:,} | {m['size_mb']:.0f} | {m['ingest_s']:.1f} | {m['derived_s']:.1f} | "
            f"{rows / m['ingest_s']:,.0f} | {m['ingest_peak_mb']:,.0f} | {m['pandas_s']:.1f} | "
            f"{m['pandas_peak_mb']:,.0f} | {m['ingest_s'] / m['pandas_s']:.2f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
