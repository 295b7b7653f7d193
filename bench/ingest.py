"""Benchmark: usage CSV ingest (read + validate + load + derived rebuild) vs plain pandas.

Each measured run happens in a fresh child process so its peak memory (ru_maxrss) covers DuckDB's
native allocations. The pandas baseline reads the same CSV and computes the same per account-month
usage numbers (sum of value, active days, active users, distinct metrics) with a groupby.
Sizes: 1M and 10M rows (quick mode: 1M only). `python bench/ingest.py [--quick]`.

Large workspaces (issue 14): `python bench/ingest.py --rows 100000000 [--cli]` writes (once, cached
under /tmp/cs_bench/) a realistic usage Parquet with DuckDB `COPY ... TO` (100k accounts, three
years of daily account x metric x user facts) plus a contracts CSV for the same accounts, ingests
it in a fresh child process (seconds, peak RSS, time per phase), runs the pandas baseline where it
fits in memory (up to 30M rows; above that its frame of Python strings would outgrow the machine),
and with `--cli` times the main CLI commands on the resulting workspace.
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
    current = ["start"]
    def progress(f, msg):
        now = time.perf_counter()  # the time since the last message belongs to that message's phase
        phases[current[0]] = phases.get(current[0], 0) + now - last[0]
        last[0], current[0] = now, msg.split(" ")[0]
    t0 = time.perf_counter()
    result = ingest.ingest_file(ws, "usage", csv_path, progress=progress)
    out["seconds"] = time.perf_counter() - t0
    out["derived_seconds"] = phases.get("Rebuilding", 0.0)
    out["phases"] = phases
    out["stored"] = result.rows_stored
    out["rows"] = result.rows_accepted
    out["quarantined"] = result.rows_quarantined
else:
    import pandas as pd
    t0 = time.perf_counter()
    if csv_path.endswith(".parquet"):
        df = pd.read_parquet(csv_path)
        df["event_date"] = df["event_date"].astype(str)
    else:
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


CACHE_DIR = Path("/tmp/cs_bench")
PANDAS_MAX_ROWS = 30_000_000
CLI_COMMANDS = [["cohorts", "--basis", "logo"], ["mrr"], ["health"], ["explain", "ACC-000042"], ["activation"],
                ["renewals"], ["reality"], ["overview"]]


def make_large_parquet(path: Path, rows: int, accounts: int = 100_000, days: int = 1095) -> None:
    """A realistic usage Parquet: each account active on a day logs 1-3 metrics by 1-5 of its users.

    Rows are spread over `accounts` accounts and `days` days from 2023-01-01 (three years); the
    value is a small count (0-9), typed columns as a warehouse export would have them.
    """
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"""COPY (
            SELECT 'ACC-' || lpad(CAST(i % {accounts} AS VARCHAR), 6, '0') AS account_id,
                   DATE '2023-01-01' + CAST((i // {accounts}) * {days} // ({rows} // {accounts} + 1) AS INTEGER)
                       AS event_date,
                   'feature_' || CAST(hash(i) % 12 AS VARCHAR) AS metric,
                   CAST(hash(i * 31) % 10 AS DOUBLE) AS value,
                   'u' || CAST(i % {accounts} AS VARCHAR) || '-' || CAST(hash(i * 7) % 5 AS VARCHAR) AS user_id
            FROM range({rows}) t(i)
        ) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE 1000000)""")
    con.close()


def make_contracts(path: Path, accounts: int = 100_000) -> None:
    """One contract per account, started over 2023-2025, a tenth ended, MRR 100-5,000."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"""COPY (
            SELECT 'SUB-' || CAST(i AS VARCHAR) AS contract_id,
                   'ACC-' || lpad(CAST(i AS VARCHAR), 6, '0') AS account_id,
                   DATE '2023-01-01' + CAST(hash(i) % 900 AS INTEGER) AS start_date,
                   CASE WHEN i % 10 = 0 THEN DATE '2025-06-01' + CAST(hash(i * 3) % 180 AS INTEGER) END AS end_date,
                   100 + CAST(hash(i * 5) % 4900 AS DOUBLE) AS mrr, 'EUR' AS currency
            FROM range({accounts}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def large_files(rows: int) -> tuple[Path, Path]:
    CACHE_DIR.mkdir(exist_ok=True)
    usage, contracts = CACHE_DIR / f"usage_{rows}.parquet", CACHE_DIR / "contracts_100k.csv"
    if not usage.exists():
        t0 = time.perf_counter()
        make_large_parquet(usage, rows)
        print(f"wrote {usage} ({usage.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
    if not contracts.exists():
        make_contracts(contracts)
    return usage, contracts


def run_large(rows: int, with_cli: bool) -> str:
    """One large ingest (contracts first, then usage) in a fresh process, then the CLI timings."""
    usage, contracts = large_files(rows)
    db = CACHE_DIR / f"w_{rows}.duckdb"
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "cs_analytics", "ingest", "contracts", str(contracts),
                    "--workspace", str(db)], cwd=ROOT, check=True, capture_output=True)
    ours = _child("ingest", usage, db)
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in ours["phases"].items() if v >= 0.05)
    lines = [f"## Ingest of {rows:,} usage rows (Parquet {usage.stat().st_size / 1e9:.2f} GB)", "",
             f"- ingest: {ours['seconds']:.1f} s, peak RSS {ours['peak_mb'] / 1024:.2f} GB, "
             f"{ours['rows']:,} rows accepted, {ours['stored']:,} daily facts stored",
             f"- phases: {phases}"]
    print("\n".join(lines), file=sys.stderr, flush=True)  # kept even if a later step fails
    if rows <= PANDAS_MAX_ROWS:
        base = _child("pandas", usage, db)
        lines.append(f"- pandas baseline: {base['seconds']:.1f} s, peak {base['peak_mb'] / 1024:.2f} GB")
    else:
        lines.append(f"- pandas baseline skipped above {PANDAS_MAX_ROWS:,} rows: its frame of Python "
                     "strings (~0.25 GB per million rows) would not fit beside the other work")
    if with_cli:
        lines += ["", cli_table(db)]
    return "\n".join(lines) + "\n"


CLI_CHILD = ("import resource, runpy, sys\n"
             "sys.argv = ['cs_analytics'] + sys.argv[1:]\n"
             "try:\n    runpy.run_module('cs_analytics', run_name='__main__')\n"
             "finally:\n    print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")


def time_cli(command: list[str], db: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of one `python -m cs_analytics COMMAND` process."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CLI_CHILD, *command, "--workspace", str(db),
                           "--format", "csv"], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak_kb = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_KB")]
    if proc.returncode:
        print(f"{' '.join(command)} failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return float("nan"), float("nan")
    return seconds, peak_kb[-1] / 1024**2


def cli_table(db: Path) -> str:
    """The CLI timings alone, on an existing workspace (`--cli-only WORKSPACE`)."""
    lines = ["| command | seconds | peak GB |", "|---|---:|---:|"]
    for command in CLI_COMMANDS:
        seconds, peak_gb = time_cli(command, db)
        lines.append(f"| {' '.join(command)} | {seconds:.1f} | {peak_gb:.2f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if "--cli-only" in sys.argv:
        print(cli_table(Path(sys.argv[sys.argv.index("--cli-only") + 1])))
    elif "--rows" in sys.argv:
        print(run_large(int(sys.argv[sys.argv.index("--rows") + 1]), with_cli="--cli" in sys.argv))
    else:
        print(run(quick="--quick" in sys.argv))
