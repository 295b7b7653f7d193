"""Run every benchmark under bench/ and write docs/performance.md.

Each bench module exposes `run(quick: bool = False) -> str`, a Markdown section with medians over
repeated runs and the ratio to a plain pandas implementation of the same numbers, measured in the
same run. `--quick` uses the small sizes (for a smoke run); the published report uses full sizes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BENCHMARKS = ("ingest", "retention", "health")
REPORT = ROOT / "docs" / "performance.md"


def machine_description() -> str:
    import duckdb
    import pandas

    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pandas.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="run only these")
    parser.add_argument("--output", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    sections = []
    for name in args.only or BENCHMARKS:
        started = time.perf_counter()
        print(f"== bench/{name}.py", flush=True)
        section = importlib.import_module(name).run(quick=args.quick)
        print(section, flush=True)
        print(f"({time.perf_counter() - started:.0f} s)", flush=True)
        sections.append(section)
    header = (
        "# Performance\n\n"
        f"Written by `make bench` on {dt.date.today():%Y-%m-%d}"
        f"{' (quick sizes)' if args.quick else ''}.\n\n"
        f"Machine: {machine_description()}.\n\n"
        "Every row is the median of repeated runs; the pandas column is a plain pandas "
        "implementation of the same numbers, timed in the same run.\n"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(header + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
