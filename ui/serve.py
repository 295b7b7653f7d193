"""Serve the app, ready before the first connection: `python -m ui.serve [streamlit options]`.

    .venv/bin/python -m ui.serve --server.port 8501      # what `make run` runs
    CS_ANALYTICS_DB=/path/ws.duckdb .venv/bin/python -m ui.serve --server.headless true

`streamlit run app.py` starts accepting connections at once and leaves every cost of a first view
to the first browser that comes: importing pandas, plotly and the app's modules (1-1.5 s), opening
the workspace (migrations check), and computing the sidebar and the Overview (the largest part at
20k accounts). This launcher does those first, in this process, then starts Streamlit on app.py
with the same options (`streamlit run` is called through its own command line):

  1. imports the modules every script run needs (Streamlit, pandas, plotly, the app's ui/ and the
     Overview's views), so no session pays for them, and skips Streamlit's one-off check of the
     first element for a REPL (0.1-0.3 s; `skip_the_direct_execution_check`);
  2. opens the workspace and warms the first view (`ui.warm.warm_first_view`: the sidebar's views
     and the Overview for the default view, into the same view cache the pages read);
  3. starts a background warmer that does step 2 again after each write to the workspace file,
     so the first view after an upload or a CLI import is warm too, and then warms every other
     page's default view and the Account page's score history (`ui.warm.warm_pages`), so the first
     visit of a page after a start or a write reads the cache.

Nothing computed here differs from what a page computes: same builders, same arguments, same cache
keys (docs/performance.md, "First view and session start"). `--no-warm` skips steps 2 and 3;
`--no-page-warm` keeps the first view's warm and skips the pages'.
"""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
LOG = logging.getLogger("cs_analytics.serve")


def import_app_modules() -> None:
    """Import what every script run of app.py and the Overview imports (sys.modules keeps them)."""
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import streamlit  # noqa: F401

    import ui.cache  # noqa: F401
    import ui.common  # noqa: F401
    import ui.view  # noqa: F401
    import cs_analytics.demo.build  # noqa: F401  (the Overview's empty state)
    import cs_analytics.health.bands  # noqa: F401
    import cs_analytics.views.overview  # noqa: F401
    import cs_analytics.views.sidebar  # noqa: F401


def skip_the_direct_execution_check() -> None:
    """Mark Streamlit's "run me with `streamlit run`" warning as already given. Streamlit decides
    on the first element of the first script run whether to print it (`env_util.is_repl`:
    `inspect.stack()`, which resolves the file of every loaded module, about 1,500 here): 0.1-0.3 s
    of the first view, for a warning that never applies, since this launcher always runs the
    app through `streamlit run`. Only the flag is set (a private name: if a Streamlit version
    drops it, setting it does nothing and the check simply runs)."""
    import streamlit.delta_generator as delta_generator

    delta_generator._use_warning_has_been_displayed = True


def open_and_warm():
    """(the workspace the app's sessions use (the same cached resource), whether its first view is
    warmed). (None, False) when it cannot be opened now (busy: the app says so to the first
    session); a failed warm-up is reported and the server starts anyway (the warm-up only moves
    work earlier: the first session computes it, or meets the same error, as without it)."""
    from cs_analytics.core import config
    from cs_analytics.core.errors import WorkspaceError
    from ui.common import _workspace_for
    from ui.warm import warm_first_view

    try:
        ws = _workspace_for(str(config.workspace_path()))
    except WorkspaceError as exc:
        print(f"CS Analytics: the workspace is not open yet ({exc}); the first session opens it.",
              file=sys.stderr, flush=True)
        return None, False
    try:
        seconds = warm_first_view(ws)
    except Exception as exc:  # noqa: BLE001 (never stop the server for an optimisation)
        print(f"CS Analytics: the first view is not warmed ({type(exc).__name__}: {exc}); the warmer "
              "tries again.", file=sys.stderr, flush=True)
        return ws, False
    print(f"CS Analytics: first view warmed in {seconds:.2f} s ({ws.path}).", file=sys.stderr, flush=True)
    return ws, True


def quiet_no_runtime_warnings() -> None:
    """Streamlit warns once per cached function used before its server runtime exists (here, by
    design: the caches are filled before the server starts)."""
    import streamlit  # noqa: F401  (configures Streamlit's loggers, which the next lines adjust)

    for name in ("cache_data_api", "cache_resource_api"):
        logging.getLogger(f"streamlit.runtime.caching.{name}").setLevel(logging.ERROR)


def streamlit_argv(options: list[str]) -> list[str]:
    """The `streamlit run app.py` command line with the caller's options."""
    return ["streamlit", "run", str(APP), *options]


def main(argv: list[str] | None = None) -> int:
    options = list(sys.argv[1:] if argv is None else argv)
    warm = "--no-warm" not in options
    warm_pages = "--no-page-warm" not in options
    options = [option for option in options if option not in ("--no-warm", "--no-page-warm")]
    sys.path.insert(0, str(ROOT))
    quiet_no_runtime_warnings()
    started = time.perf_counter()
    import_app_modules()
    skip_the_direct_execution_check()
    print(f"CS Analytics: modules imported in {time.perf_counter() - started:.2f} s.", file=sys.stderr,
          flush=True)
    if warm:
        ws, warmed = open_and_warm()
        if ws is not None:
            from ui.warm import FirstViewWarmer

            warmer = FirstViewWarmer(ws)
            warmer.pages_enabled = warm_pages
            if not warmed:
                warmer.warmed_signature = None  # warm at its first look
            warmer.start()
    from streamlit.web import cli

    sys.argv = streamlit_argv(options)
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
