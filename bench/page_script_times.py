"""Script-run time of every page, server side (no browser): where a slow page spends its time.

    CS_ANALYTICS_BENCH_PING=1 .venv/bin/python bench/page_script_times.py WORKSPACE [PAGE,PAGE,...]

Runs `app.py` in Streamlit's AppTest on WORKSPACE (CS_ANALYTICS_DB), switches to each page and
times one script run in a new session twice: *cold* (no page in this process built that page's
views yet) and *warm* (the second new session: the views come from the cache). The difference from
bench/pages.py's browser times is the browser's share (JS, figure and table transfer, rendering).
To see inside a slow view, profile its builder (`cs_analytics/views/`) with cProfile directly:
AppTest runs the script in another thread, which a profiler on the main thread does not see.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("ping", "overview", "revenue", "cohorts", "renewals", "onboarding", "health", "reality",
         "account", "my_work", "data")


def run_once(page: str) -> tuple[float, list[str]]:
    """Seconds of one script run of `page` in a new session, and its exception messages."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
    at.run()  # the session's first run (Overview); its time is not counted
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started, [e.message.splitlines()[0][:160] for e in at.exception]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    os.environ["CS_ANALYTICS_DB"] = str(Path(argv[0]).resolve())
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    pages = argv[1].split(",") if len(argv) > 1 else [p for p in PAGES if p != "ping" or os.environ.get(
        "CS_ANALYTICS_BENCH_PING")]
    print("| page | cold s | warm s | exception |\n|---|---:|---:|---|")
    for page in pages:
        cold, errors = run_once(page)
        warm, more = run_once(page)
        print(f"| {page} | {cold:.2f} | {warm:.2f} | {'; '.join(errors or more)} |", flush=True)
    one, five, _ = os.getloadavg()
    print(f"\nload average {one:.1f} (1 min) / {five:.1f} (5 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
