"""Cost of the workspace lease: a page's queries with one lease per script run vs a connection kept
for the life of the process (the old design) vs a lease per query (no outer lease).

    .venv/bin/python bench/lease.py PATH_TO_WORKSPACE [--reps 5]

Prints milliseconds per "script run" (the Overview page's library work plus the sidebar status).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cs_analytics.core.db import close_workspace, open_workspace  # noqa: E402
from cs_analytics.core.filters import filter_options  # noqa: E402
from cs_analytics.views.overview import overview_summary  # noqa: E402
from cs_analytics.core.workspace import status  # noqa: E402


def page_run(ws) -> None:
    status(ws)
    filter_options(ws)
    overview_summary(ws)


def timed(fn, reps: int) -> float:
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    ws = open_workspace(args.path)
    page_run(ws)  # warm imports and DuckDB caches

    def lease_per_run():
        with ws.lease():
            page_run(ws)

    def open_close():
        close_workspace(args.path)
        with ws.lease():
            ws.scalar("SELECT 1")

    def cold_lease_per_run():  # runs more than LINGER_SECONDS apart: the file is reopened
        close_workspace(args.path)
        lease_per_run()

    print(f"open + close of the file:            {timed(open_close, args.reps * 4):8.1f} ms")
    print(f"lease per script run, file reopened: {timed(cold_lease_per_run, args.reps):8.1f} ms")
    print(f"lease per script run, within linger: {timed(lease_per_run, args.reps):8.1f} ms")
    print(f"no outer lease (library calls):      {timed(lambda: page_run(ws), args.reps):8.1f} ms")
    with ws.lease():  # the old design: the connection open for the life of the process
        print(f"connection kept open (before):       {timed(lambda: page_run(ws), args.reps):8.1f} ms")


if __name__ == "__main__":
    main()
