"""Page-settle benchmark: every page and the main interactions, timed in Debian's Chromium.

    .venv/bin/python bench/pages.py                       # 20k accounts, cached under /tmp
    .venv/bin/python bench/pages.py --accounts 200 --repeats 1 --workspace /tmp/small.duckdb

The workspace is the synthetic book of bench/health.py (DuckDB SQL: accounts with segments, a
contract each, 500 usage rows per account, NPS) plus CSM assessments loaded through the ingest
path: 20,000 accounts and 10M usage rows, built in about 35 s and cached under /tmp
(`--rebuild` to rebuild; `ensure_workspace`). `--demo` builds the demo instead (`cs_analytics/demo`:
flags, churn list, renewals and onboarding signals too), which at 20,000 accounts takes tens of
minutes of pandas generation and gives about 24M usage rows. The app runs as users run it (`make run`): `python -m
ui.serve` (imports and the first view warmed before the server accepts connections, then
`streamlit run app.py`; `--bare` times plain `streamlit run app.py` instead) on 127.0.0.1
with CS_ANALYTICS_BENCH_PING=1, which adds a trivial page (`app_pages/ping.py`: the app frame and
sidebar, one line of text) timed as the reference floor.

**Settled** (measured from just before the action, checked every animation frame in the page):
  1. Streamlit's app root says the script is not running (`data-test-script-state="notRunning"`),
     and, for an interaction, the script has been seen running since the action (so an old
     "notRunning" before the rerun starts does not count);
  2. the page's title (h1) is the expected one and its key element (a named selector: the chart,
     metric, table or text the user came for) is visible;
  3. no element is stale (`data-stale="true"`: left over from the previous run) and no spinner
     or skeleton is showing;
  4. no exception element: one fails the run.

Three times per page, each the median of `--repeats`:
  * **Warm (click)** = what a user waits for after a click inside the open app: in one tab (one
    Streamlit session) that shows another page (Ping), click the target page's link in the sidebar
    navigation and time it to settled. The page was viewed before on this server (its views are
    cached), as after the first visit of a working day. In that one tab only the first page with
    charts pays for loading their code, which the median of the repeats hides: the rows "first
    chart page of a tab" time it on its own, each in a new tab that opens the Overview, waits 3 s
    (a user reading it) or not at all, and clicks Revenue.
  * **Direct link (warm server)** = a new tab (a new Streamlit session: Streamlit's session start
    is in this time; Ping shows how much) opening the page's URL, in one browser context shared by
    every such view, so the app's JavaScript is in the HTTP cache as in a user's open browser.
  * **First view** = a fresh browser context on a server started a moment before (every cache cold:
    the state right after a server start; a data write empties the view cache the same way but
    keeps the imported modules warm, so this is the worse of the two).
Interactions are timed in a tab that already shows the page, in that context, on a warm server
(reported in the warm (click) column), except "Account: open from a table link": a table's link
opens a new tab (the direct-link column). An interaction is timed from the user's choice (the
click on a radio option, or on the option of an opened list) to settled: opening a selectbox and
typing into its search are the user's own steps and happen before the timer starts (until
2026-11-27 they were inside it: 0.4-0.8 s of Playwright opening the list and typing).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

DEFAULT_ACCOUNTS = 20_000
DEFAULT_WORKSPACE = Path("/tmp/cs_analytics_bench_pages/pages_{accounts}.duckdb")
STEP_TIMEOUT_MS = 180_000
BARE_LAUNCHER = ("-m", "streamlit", "run", str(ROOT / "app.py"))  # --bare: what the launcher replaced
USER_LAUNCHER = ("-m", "ui.serve")  # as `make run` serves the app: the first view and every page warmed
DEMO_SEED = 11

# (title in the navigation, URL path, expected h1, key element selector)
PAGES = (
    ("Ping", "ping", "Ping", "[data-testid='stText']"),
    ("Overview", "", "Overview", "[data-testid='stMetric']"),
    ("Revenue", "revenue", "Revenue", ".js-plotly-plot"),
    ("Cohorts", "cohorts", "Cohorts", ".js-plotly-plot"),
    ("Renewals", "renewals", "Renewals", "[data-testid='stDataFrame']"),
    ("Onboarding", "onboarding", "Onboarding", "[data-testid='stDataFrame']"),
    ("Health", "health", "Health", ".js-plotly-plot"),
    ("Reality", "reality", "Metric health vs CSM reality", ".js-plotly-plot"),
    ("Account", "account", "Account", ".js-plotly-plot"),
    ("My work", "my_work", "My work", "[data-testid='stRadio']"),
    ("Data", "data", "Data", "[data-testid='stFileUploader']"),
)

SETTLED_JS = """([title, key, needRun]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app) return false;
  if (needRun && !window.__benchSawRunning) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector("[data-testid='stException']")) return 'exception';
  const h1 = document.querySelector('h1');
  if (!h1 || h1.innerText.trim() !== title) return false;
  if (document.querySelector("[data-stale='true'], [data-testid='stSpinner'], [data-testid='stSkeleton']")) return false;
  const el = key ? document.querySelector(key) : h1;
  if (!el) return false;
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
}"""

WATCH_RUNNING_JS = """() => {
  window.__benchSawRunning = false;
  const app = document.querySelector("[data-testid='stApp']");
  if (window.__benchObserver) window.__benchObserver.disconnect();
  // A fast rerun can go running -> notRunning before this callback runs: a record whose old
  // value was 'running' counts too (checking only the current value missed it, once in CI).
  window.__benchObserver = new MutationObserver((records) => {
    if (app.getAttribute('data-test-script-state') === 'running'
        || records.some((r) => r.oldValue === 'running')) window.__benchSawRunning = true;
  });
  window.__benchObserver.observe(app, {attributes: true, attributeOldValue: true,
                                       attributeFilter: ['data-test-script-state']});
}"""


@dataclass
class Timings:
    """Settle times in seconds per row name, in the order first measured."""
    first: dict[str, list[float]] = field(default_factory=dict)
    warm: dict[str, list[float]] = field(default_factory=dict)  # direct link (new tab), interactions
    click: dict[str, list[float]] = field(default_factory=dict)

    def add(self, kind: str, name: str, seconds: float) -> None:
        getattr(self, kind).setdefault(name, []).append(seconds)


def wait_settled(page, title: str, key: str | None, need_run: bool, started: float) -> float:
    """Seconds from `started` (time.perf_counter) until the page is settled (module docstring)."""
    handle = page.wait_for_function(SETTLED_JS, arg=[title, key, need_run], polling="raf",
                                    timeout=STEP_TIMEOUT_MS)
    elapsed = time.perf_counter() - started
    if handle.json_value() == "exception":
        raise AssertionError(f"{title}: " + page.locator("[data-testid='stException']").first.inner_text())
    return elapsed


def open_page(page, base_url: str, spec: tuple, query: str = "") -> float:
    """Load one page by its URL in `page` (a new Streamlit session) and time it to settled."""
    _, path, title, key = spec
    started = time.perf_counter()
    page.goto(f"{base_url}/{path}{query}")
    return wait_settled(page, title, key, need_run=False, started=started)


def interact(page, title: str, key: str | None, action: Callable[[], None]) -> float:
    """Run `action` (the user's click or choice) on the settled page and time the rerun to settled."""
    page.evaluate(WATCH_RUNNING_JS)
    started = time.perf_counter()
    action()
    return wait_settled(page, title, key, need_run=True, started=started)


def click_nav(page, spec: tuple) -> float:
    """Click `spec`'s link in the sidebar navigation of the open tab and time the rerun to settled.
    The tab shows another page, so the expected title is itself the proof of the new run: a page
    that reruns in a few milliseconds (Ping) may never paint the "running" state."""
    link = page.locator("[data-testid='stSidebarNavLink']").filter(has_text=spec[0]).first
    current = page.locator("h1").first.inner_text().strip()
    if current == spec[2]:
        raise AssertionError(f"the tab already shows {spec[0]}: a click would time nothing")
    started = time.perf_counter()
    link.click()
    return wait_settled(page, spec[2], spec[3], need_run=False, started=started)


def run_clicks(context, base_url: str, repeats: int, timings: Timings,
               pages: tuple[str, ...] | None = None) -> None:
    """Warm (click) of every page: from Ping, in one tab, click the page's link; back to Ping (the
    click back is Ping's own click time, the floor)."""
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        open_page(page, base_url, spec_of("Ping"))
        for spec in PAGES:
            if spec[0] == "Ping" or (pages is not None and spec[0] not in pages):
                continue
            for _ in range(repeats):
                timings.add("click", spec[0], click_nav(page, spec))
                timings.add("click", "Ping", click_nav(page, spec_of("Ping")))
    finally:
        page.close()


FIRST_CHART_PAGE = "Revenue"
READING_SECONDS = (3.0, 0.0)  # how long the user reads the Overview before the first chart page


def run_first_chart_page(context, base_url: str, repeats: int, timings: Timings,
                         reading_seconds: tuple[float, ...] = READING_SECONDS) -> None:
    """The first page with charts and tables in a tab: a new tab opens the Overview (no chart),
    the user reads it for a while (the browser loads the element code meanwhile:
    ui/element_preload.py), then clicks Revenue. Also with no reading time (the worst case)."""
    for reading in reading_seconds:
        name = f"{FIRST_CHART_PAGE}: first chart page of a tab, {reading:.0f} s on the Overview"
        for _ in range(repeats):
            page = context.new_page()
            page.set_default_timeout(STEP_TIMEOUT_MS)
            try:
                open_page(page, base_url, spec_of("Overview"))
                page.wait_for_timeout(reading * 1000)
                timings.add("click", name, click_nav(page, spec_of(FIRST_CHART_PAGE)))
            finally:
                page.close()


def spec_of(name: str) -> tuple:
    return next(spec for spec in PAGES if spec[0] == name)


def open_choice(page, label: str, value: str) -> Callable[[], None]:
    """Open the selectbox or multiselect labelled `label` and type `value` into its search: the
    user's own steps, not timed. Returns the choice itself (click the matching option, then close
    a multiselect's list), which the interaction times."""
    import re

    exact = page.locator("[data-testid='stWidgetLabel']").filter(has_text=re.compile(f"^{re.escape(label)}$"))
    box = page.locator("[data-testid='stSelectbox'], [data-testid='stMultiSelect']").filter(has=exact).first
    box.click()
    page.keyboard.type(value)
    option = page.get_by_role("option").filter(has_text=value).first
    option.wait_for()
    multiselect = box.get_attribute("data-testid") == "stMultiSelect"

    def choose() -> None:
        option.click()
        if multiselect:
            page.keyboard.press("Escape")
    return choose


def _workspace_scalar(workspace: Path, sql: str):
    """One value from the workspace file, opened and closed again (the server needs the file)."""
    from cs_analytics.core.db import close_workspace, open_workspace

    ws = open_workspace(workspace)
    try:
        return ws.scalar(sql)
    finally:
        close_workspace(workspace)


def first_account_id(workspace: Path) -> str:
    return str(_workspace_scalar(workspace, "SELECT min(account_id) FROM accounts"))


def has_segments(workspace: Path) -> bool:
    """Whether the accounts carry a segment (the sidebar then offers the Segment filter)."""
    return bool(_workspace_scalar(workspace, "SELECT count(segment) FROM accounts"))


def run_interactions(browser, base_url: str, account_id: str, timings: Timings,
                     with_segment_filter: bool = True) -> None:
    """The main interactions, each in a fresh context on the page it starts from (the segment
    filter only when the accounts have segments: the 100M bench workspace's have none)."""
    steps = (  # (name, page, the user's preparation returning the timed choice, what must show)
        ("Cohorts: basis NRR", "Cohorts", lambda p: p.get_by_text("NRR", exact=True).first.click,
         "text=Net revenue retention by month cohort"),
        ("Cohorts: filter segment", "Cohorts", lambda p: open_choice(p, "Segment", "Enterprise"),
         "text=/accounts: segment = Enterprise/"),
        ("Revenue: drill-down churn", "Revenue", lambda p: open_choice(p, "Movement", "churn"),
         "text=/accounts with churn in/"),
        ("Cohorts: drill-down cell", "Cohorts", lambda p: open_choice(p, "Cohort", "20"),
         "[data-testid='stDataFrame']:visible"),
    )
    for name, page_name, prepare, key in steps:
        if name == "Cohorts: filter segment" and not with_segment_filter:
            continue
        page = browser.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            open_page(page, base_url, spec_of(page_name))
            choose = prepare(page)
            seconds = interact(page, spec_of(page_name)[2], None, choose)
            page.locator(key).first.wait_for(timeout=STEP_TIMEOUT_MS)
            timings.add("click", name, seconds)  # inside the open tab, as a click
        finally:
            page.close()
    page = browser.new_page()
    try:  # a table's account link opens the Account page by URL (a new tab: a new session)
        seconds = open_page(page, base_url, spec_of("Account"), f"?account={account_id}")
        timings.add("warm", "Account: open from a table link", seconds)
    finally:
        page.close()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    return context, page


def wait_for_page_warm(server, since_bytes: int, timeout_s: float = 1800) -> str:
    """Wait until the server's log, after byte `since_bytes`, says the launcher's background warm
    of the pages finished (ui/warm.py); returns that line."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = server.log_path.read_bytes()[since_bytes:].decode("utf-8", "replace")
        lines = [line for line in text.splitlines() if "page views warmed" in line]
        if lines:
            return lines[-1]
        time.sleep(1)
    raise TimeoutError(f"the pages were not warmed within {timeout_s:.0f} s")


def run_benchmark(workspace: Path, repeats: int = 3, progress: Callable[[str], None] = print,
                  first_view_pages: tuple[str, ...] | None = None,
                  click_pages: tuple[str, ...] | None = None,
                  direct_pages: tuple[str, ...] | None = None,
                  after_page_warm: bool = False, page_warm: bool = True,
                  reading_seconds: tuple[float, ...] = READING_SECONDS) -> Timings:
    """Time every page (first view, direct link and click) and every interaction on `workspace`;
    the first view only of `first_view_pages`, the click only of `click_pages` and the direct link
    only of `direct_pages` when given (each first view restarts the server; the test keeps to a
    few: every page has its own browser journey). With `after_page_warm`, the direct links and
    clicks start once the launcher's background warm of every page has finished (its time is
    reported); without it they race that warm, as a user who opens a page at once does. With
    `page_warm=False` the server is the tests' (`ui.serve --no-page-warm`): no background warm
    competes with the harness (the test of the harness, not a measurement). `reading_seconds`: the
    times on the Overview before the first chart page of a tab (READING_SECONDS)."""
    from playwright.sync_api import sync_playwright
    from conftest import CHROMIUM, CHROMIUM_ARGS, AppServer

    os.environ["CS_ANALYTICS_BENCH_PING"] = "1"
    if page_warm and AppServer.launcher != BARE_LAUNCHER:
        AppServer.launcher = USER_LAUNCHER  # the tests' servers skip the page warm; users' do not
    timings = Timings()
    account_id = first_account_id(workspace)
    segments = has_segments(workspace)
    server = AppServer(workspace)  # started by the first first view's restart, or below
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        warm_context = browser.new_context(viewport={"width": 1400, "height": 1000})
        warm_log_from, warm_waited = 0, False  # the server started above: its whole log
        try:
            for spec in PAGES:
                cold_runs = repeats if first_view_pages is None or spec[0] in first_view_pages else 0
                if not cold_runs and server.process is None:
                    server.start()
                for _ in range(cold_runs):
                    warm_log_from = server.log_path.stat().st_size if server.log_path.exists() else 0
                    warm_waited = False
                    server.restart()
                    timings.add("first", spec[0], timed_view(browser, server.url, spec))
                if after_page_warm and not warm_waited:
                    progress(wait_for_page_warm(server, warm_log_from).strip())
                    warm_waited = True
                direct_runs = repeats if direct_pages is None or spec[0] in direct_pages else 0
                for _ in range(direct_runs):
                    timings.add("warm", spec[0], timed_view(warm_context, server.url, spec))
                first, direct = timings.first.get(spec[0]), timings.warm.get(spec[0])
                if first or direct:
                    progress(f"{spec[0]}: first {median(first) if first else float('nan'):.2f} s, "
                             f"direct link {median(direct) if direct else float('nan'):.2f} s")
            run_clicks(warm_context, server.url, repeats, timings, click_pages)
            progress("clicks: " + ", ".join(f"{name} {median(values):.2f} s"
                                           for name, values in timings.click.items()))
            run_first_chart_page(warm_context, server.url, repeats, timings, reading_seconds)
            for _ in range(repeats):
                run_interactions(warm_context, server.url, account_id, timings, segments)
            progress("interactions done")
        finally:
            server.stop()
            browser.close()
    return timings


def timed_view(browser_or_context, base_url: str, spec: tuple) -> float:
    """One page load in a new tab: of a fresh context when given the browser (empty HTTP cache),
    of the shared warm context when given a context (the app's JavaScript already cached)."""
    fresh = hasattr(browser_or_context, "new_context")
    context = browser_or_context.new_context(viewport={"width": 1400, "height": 1000}) if fresh else None
    page = (context or browser_or_context).new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        return open_page(page, base_url, spec)
    finally:
        page.close()
        if context is not None:
            context.close()


def median(values: list[float]) -> float:
    return statistics.median(values)


def table_markdown(timings: Timings) -> str:
    """The page-settle table: median seconds per page and interaction, warm after a click, by a
    direct link on a warm server (a new tab; an interaction: in the open tab) and first view."""
    lines = ["| page or interaction | warm (click) s | direct link (warm server) s | first view s | runs |",
             "|---|---:|---:|---:|---:|"]

    def cell(values: list[float] | None) -> str:
        return f"{median(values):.2f}" if values else "-"

    for name in dict.fromkeys([*timings.warm, *timings.click]):
        label = f"{name} (reference floor)" if name == "Ping" else name
        runs = max(len(timings.warm.get(name, ())), len(timings.click.get(name, ())))
        lines.append(f"| {label} | {cell(timings.click.get(name))} | {cell(timings.warm.get(name))} | "
                     f"{cell(timings.first.get(name))} | {runs} |")
    return "\n".join(lines)


USAGE_ROWS_PER_ACCOUNT = 500  # 20,000 accounts -> the 10M usage rows


def ensure_workspace(path: Path, accounts: int, rebuild: bool = False, demo: bool = False) -> Path:
    """The page workspace at `path`, built once (through a temporary file): by default the
    synthetic book of bench/health.py (DuckDB SQL: `accounts` accounts over 28 months, one contract
    each, 500 usage rows per account, NPS) plus CSM assessments loaded through the ingest path
    (`synthetic_assessments`); 20,000 accounts build in about 35 s. With `demo`, the demo
    (cs_analytics/demo: flags, churn list, renewals, onboarding signals too; pandas generation, so
    20,000 accounts take tens of minutes and give about 24M usage rows)."""
    if path.exists() and not rebuild:
        return path
    from cs_analytics.core.db import close_workspace, open_workspace

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building.duckdb")
    tmp.unlink(missing_ok=True)
    ws = open_workspace(tmp)
    started = time.perf_counter()
    if demo:
        from cs_analytics.demo.build import write_demo

        write_demo(ws, accounts=accounts, seed=DEMO_SEED,
                   progress=lambda fraction, message: print(f"  building: {fraction:.0%} {message}", flush=True))
    else:
        build_synthetic_book(ws, accounts)
    print(f"  built {accounts:,} accounts in {time.perf_counter() - started:.1f} s", flush=True)
    ws.checkpoint()
    close_workspace(tmp)
    shutil.move(tmp, path)
    return path


def build_synthetic_book(ws, accounts: int) -> None:
    """bench/health.py's generated accounts, contracts, usage and NPS, then the assessments."""
    from cs_analytics.ingest.load import ingest_dataframe
    from health import generate

    generate(ws, accounts, accounts * USAGE_ROWS_PER_ACCOUNT)
    book = ws.query("SELECT account_id, start_date, end_date FROM contracts")
    as_of = ws.scalar("SELECT max(event_date) FROM usage_day")
    result = ingest_dataframe(ws, "assessments", synthetic_assessments(book, as_of), file_name="bench/assessments.csv",
                              mode="replace", user="bench")
    if result.rows_quarantined:
        raise RuntimeError(f"{result.rows_quarantined} generated assessments were quarantined")


def synthetic_assessments(book, as_of, seed: int = DEMO_SEED):
    """CSM assessments for 70% of the accounts, one to four each, dated between the contract's
    start and its end (or the data's as-of). Churners are reported red or yellow more often, but a
    third of them green: the "green but failing" accounts Reality is for."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    book = book[rng.random(len(book)) < 0.7].reset_index(drop=True)
    counts = rng.integers(1, 5, len(book))
    rows = book.loc[book.index.repeat(counts)].reset_index(drop=True)
    start = pd.to_datetime(rows["start_date"])
    end = pd.to_datetime(rows["end_date"]).fillna(pd.Timestamp(as_of))
    span_days = (end - start).dt.days.clip(lower=0)
    assessed_at = start + pd.to_timedelta((rng.random(len(rows)) * span_days).astype(int), unit="D")
    churner = rows["end_date"].notna().to_numpy()
    draw = rng.random(len(rows))
    sentiment = np.where(churner, np.select([draw < 0.35, draw < 0.65], ["red", "yellow"], "green"),
                         np.select([draw < 0.08, draw < 0.25], ["red", "yellow"], "green"))
    return pd.DataFrame({"account_id": rows["account_id"], "assessed_at": assessed_at.dt.date,
                         "sentiment": sentiment, "csm": "bench csm"})


def load_sentence() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) at the end of the run"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--demo", action="store_true",
                        help="build the demo (pandas, slow at 20k) instead of the synthetic SQL book")
    parser.add_argument("--after-warm", action="store_true",
                        help="start the direct links and clicks once the background page warm has finished")
    parser.add_argument("--bare", action="store_true",
                        help="start the server with plain `streamlit run app.py` (no launcher, no warm-up)")
    args = parser.parse_args(argv)
    if args.bare:
        from conftest import AppServer

        AppServer.launcher = BARE_LAUNCHER
    path = args.workspace or Path(str(DEFAULT_WORKSPACE).format(accounts=args.accounts))
    ensure_workspace(path, args.accounts, args.rebuild, demo=args.demo)
    timings = run_benchmark(path, args.repeats, progress=lambda line: print(line, flush=True),
                            after_page_warm=args.after_warm)
    print()
    print(f"{dt.date.today()} {args.accounts:,} accounts, {load_sentence()}")
    print(table_markdown(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
