"""Shared fixtures: workspaces (empty, demo), the app under AppTest, and a real browser.

- `tmp_workspace`: an empty workspace file in tmp_path.
- `demo_workspace`: a private copy of the demo workspace (built once per test session), safe to
  mutate. `demo_workspace_path` gives the path of such a copy without opening it.
- `app_test`: a factory `app_test(page="app_pages/cohorts.py", workspace=path)` returning a run
  `AppTest` on that page with `CS_ANALYTICS_DB` pointing at the workspace.
- `app_server`: a factory starting the app (`python -m ui.serve`, as `make run`) on 127.0.0.1 for a workspace file;
  `browser_page`: a Playwright page in Debian's Chromium. Under CI=true a missing browser fails.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cs_analytics.core.db import close_workspace, open_workspace  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DEMO_TEST_ACCOUNTS = int(os.environ.get("CS_ANALYTICS_TEST_DEMO_ACCOUNTS", "1200"))


def pytest_collection_modifyitems(config, items):
    """Real-browser and slow tests first (otherwise in collection order): under `-n 2 --dist
    worksteal` the longest tests start early, so a run does not end on one long test while the other
    worker has nothing left to do. The tests on Spark come first of all: the first worker's queue
    starts with them, and a steal takes from a queue's end, so one worker starts one Java process
    for them (split over two workers, the second start cost 18-50 s)."""
    def order(item) -> int:
        if "spark" in getattr(item, "fixturenames", ()):
            return 0
        heavy = item.get_closest_marker("browser") is not None or item.get_closest_marker("slow") is not None
        return 1 if heavy else 2
    items.sort(key=order)


# -- workspaces ---------------------------------------------------------------------------

@pytest.fixture
def tmp_workspace(tmp_path):
    path = tmp_path / "workspace.duckdb"
    ws = open_workspace(path)
    yield ws
    close_workspace(path)


@pytest.fixture(scope="session")
def demo_workspace_master(tmp_path_factory) -> Path:
    """The demo workspace, built once per session through the real demo/ingest path, closed."""
    from cs_analytics.demo.build import write_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    ws = open_workspace(path)
    write_demo(ws, accounts=DEMO_TEST_ACCOUNTS, seed=7)
    ws.checkpoint()
    close_workspace(path)
    return path


@pytest.fixture
def demo_workspace_path(demo_workspace_master, tmp_path) -> Path:
    """A private copy of the demo workspace file (not opened)."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_workspace_master, path)
    return path


@pytest.fixture
def demo_workspace(demo_workspace_path):
    ws = open_workspace(demo_workspace_path)
    yield ws
    close_workspace(demo_workspace_path)


@pytest.fixture(scope="session")
def small_demo_master_path() -> Path:
    """The 200-account demo (seed 3), built once per test process (task_data.small_demo_master);
    copy it before writing to it."""
    from task_data import small_demo_master

    return small_demo_master()


@pytest.fixture
def small_demo_copy(small_demo_master_path, tmp_path):
    """A private copy of the 200-account demo, with the view cache empty before and after."""
    import streamlit as st

    path = tmp_path / "demo.duckdb"
    shutil.copyfile(small_demo_master_path, path)
    st.cache_data.clear()
    yield path
    st.cache_data.clear()
    close_workspace(path)


@pytest.fixture(scope="session")
def demo_ws(demo_workspace_master, tmp_path_factory):
    """A read-only-by-convention demo workspace shared by a whole session (do not mutate)."""
    path = tmp_path_factory.mktemp("demo_shared") / "demo.duckdb"
    shutil.copyfile(demo_workspace_master, path)
    ws = open_workspace(path)
    yield ws
    close_workspace(path)


# -- the app under AppTest ------------------------------------------------------------------

@functools.cache
def component_manager():
    """Streamlit's registry of installed custom components, discovered once per test process.
    Each new AppTest otherwise scans the metadata of every installed package for component
    manifests at its first run (0.45 s; several hundred AppTests in the suite). The app uses no
    custom component, and the installed packages do not change during a run."""
    from streamlit.components.v2.component_manager import BidiComponentManager

    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def new_app_test(script_path: Path, timeout: float = 60):
    """`AppTest.from_file` with the process's component registry (`component_manager`)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script_path), default_timeout=timeout)
    at._bidi_component_manager = component_manager()  # private: if renamed, AppTest scans as before
    return at


@pytest.fixture
def app_test(monkeypatch):
    """Factory: a run AppTest of `page` (a file under app_pages/) on `workspace` (a path)."""

    def make(page: str | None = None, workspace: Path | str | None = None, query: dict | None = None,
             timeout: float = 60):
        if workspace is not None:
            monkeypatch.setenv("CS_ANALYTICS_DB", str(workspace))
        at = new_app_test(ROOT / "app.py", timeout)
        if query:
            for key, value in query.items():
                at.query_params[key] = value
        if page:  # the first run opens the page, as a link to it does (not the Overview, then it)
            at.switch_page(page)
        at.run()
        return at

    return make


def assert_no_exception(at) -> None:
    """Fail with the message of any exception element on the AppTest page."""
    if len(at.exception):
        raise AssertionError("Streamlit exception: " + "\n".join(e.message for e in at.exception))


# -- a real browser -----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _browser_available() -> bool:
    if not Path(CHROMIUM).exists():
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def require_browser() -> None:
    if _browser_available():
        return
    message = f"Debian's Chromium ({CHROMIUM}) or the playwright package is missing"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (required under CI=true).")
    pytest.skip(message + "; install with `apt-get install -y chromium`.")


class AppServer:
    """The app on 127.0.0.1 for one workspace file, started as users start it: `python -m ui.serve`
    (imports and the first view warmed before the server accepts connections, then `streamlit run
    app.py`). `launcher` is the command after the interpreter (bench/pages.py can compare with the
    bare `streamlit run app.py`). The tests' servers skip the background warm of every page
    (`--no-page-warm`: seconds of CPU after each start and write on a 2-core CI machine, beside the
    browser the test drives); `tests/app/test_page_warm.py` tests that warm, and bench/pages.py
    times the app with it, as `make run` serves it."""

    launcher: tuple[str, ...] = ("-m", "ui.serve", "--no-page-warm")

    def __init__(self, workspace: Path, port: int | None = None):
        self.workspace = Path(workspace)
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log_path = self.workspace.with_suffix(".server.log")

    def start(self, timeout_s: float = 120) -> "AppServer":
        env = dict(os.environ, CS_ANALYTICS_DB=str(self.workspace))
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, *self.launcher,
             "--server.address", "127.0.0.1", "--server.port", str(self.port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not become healthy in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> "AppServer":
        self.stop()
        return self.start()

    def kill_and_restart(self) -> "AppServer":
        """SIGKILL the server (no shutdown, no checkpoint: what a crash or the OOM killer does), then
        start it again on the same workspace."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None
        return self.start()


@pytest.fixture
def app_server():
    """Factory: `app_server(workspace_path)` starts the app; stopped after the test."""
    require_browser()
    servers: list[AppServer] = []

    def start(workspace: Path) -> AppServer:
        server = AppServer(workspace).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def shared_demo_server(demo_workspace_master, tmp_path_factory) -> AppServer:
    """One `streamlit run` of a copy of the demo, shared by the browser tests of this test process
    that only read (no flag, upload, setting or scorecard saved; the server is neither killed nor
    restarted): a server start and a cold first page fewer per such test. Each test still opens its
    own browser context, so its own Streamlit session. A test that writes, kills the server or needs
    its own workspace starts its own with `app_server`."""
    require_browser()
    path = tmp_path_factory.mktemp("demo_served") / "demo.duckdb"
    shutil.copyfile(demo_workspace_master, path)
    server = AppServer(path).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _playwright_browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_playwright_browser):
    context = _playwright_browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def wait_for_app(page, timeout_ms: int = 30_000, settle_ms: int = 300) -> None:
    """Wait until Streamlit has finished running the script, then fail on any exception element.

    The app root carries `data-test-script-state` (initial / running / notRunning); after an
    interaction a rerun starts a moment later, hence the short settle before waiting.
    """
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms
    )
    exceptions = page.locator("[data-testid='stException']")
    if exceptions.count():
        raise AssertionError("Streamlit exception in the browser: " + exceptions.first.inner_text())


SEARCH_BOX_OF = {"Account": "Find an account"}  # selectboxes that offer the matches of a search box


def choose_option(page, label: str, value: str, timeout_ms: int = 120_000, attempts: int = 3) -> None:
    """Pick `value` in the selectbox or multiselect whose label is `label`.

    Retried when a rerun replaced the widget while its list was opening (seen under load).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    exact_label = page.locator("[data-testid='stWidgetLabel']").filter(has_text=re.compile(f"^{re.escape(label)}$"))
    box = page.locator("[data-testid='stSelectbox'], [data-testid='stMultiSelect']").filter(has=exact_label).first
    search = page.get_by_label(SEARCH_BOX_OF.get(label, "\0"), exact=True)
    if search.count():  # the selectbox offers the top matches of this search box: search first
        wait_for_app(page, timeout_ms)
        search.fill(value)
        search.press("Enter")
    for attempt in range(attempts):
        wait_for_app(page, timeout_ms)
        box.click()
        page.keyboard.type(value)
        try:
            page.get_by_role("option").filter(has_text=value).first.click(timeout=20_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            if attempt == attempts - 1:
                raise
    if box.get_attribute("data-testid") == "stMultiSelect":
        page.keyboard.press("Escape")  # a multiselect stays open; Escape would clear a selectbox
    wait_for_app(page, timeout_ms)


# -- the reduction tests (tests/reduce): one local Spark session per test process (`local[2]`).
# Without Java or pyspark the Spark tests skip with the reason, except under CI=true where they fail
# (make test installs Debian's Java with scripts/ensure_java.sh, like Chromium). Kept here, not in a
# tests/reduce/conftest.py: a second conftest module would shadow this one for `from conftest import`.


def require_spark() -> None:
    from cs_analytics.reduce.spark_engine import java_available, pyspark_available

    missing = [what for what, ok in (("Java (openjdk-17-jre-headless)", java_available()),
                                     ("pyspark", pyspark_available())) if not ok]
    if not missing:
        return
    message = " and ".join(missing) + " missing for the Spark tests"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (required under CI=true; make test runs scripts/ensure_java.sh).")
    pytest.skip(message + "; install with `bash scripts/ensure_java.sh` and requirements-dev.txt.")


@pytest.fixture(scope="session")
def spark():
    """One local[2] SparkSession for the whole test process, stopped at the end."""
    require_spark()
    from cs_analytics.reduce.spark_engine import spark_session

    session = spark_session("local[2]", app_name="cs-analytics-tests")
    session.sparkContext.setLogLevel("ERROR")
    # Tests reduce a few thousand rows: compiling whole-stage code costs more than it saves.
    session.conf.set("spark.sql.codegen.wholeStage", "false")
    yield session
    session.stop()
