"""Serve the app, ready before the first connection: `python -m ui.serve [streamlit options]`.

    .venv/bin/python -m ui.serve --server.port 8501      # what `make run` runs
    CS_ANALYTICS_DB=/path/ws.duckdb .venv/bin/python -m ui.serve --server.headless true

`streamlit run app.py` starts accepting connections at once and leaves every cost of a first view
to the first browser that comes: importing pandas, plotly and the app's modules (1-1.5 s), opening
the workspace (migrations check), and computing the sidebar and the Overview (the largest part at
20k accounts). This launcher does those first, in this process, then starts Streamlit on app.py
with the same options (`streamlit run` is called through its own command line):

  1. imports the modules every script run needs (Streamlit, pandas, plotly, the app's ui/ and the
     Overview's views, Pillow for the page icon), so no session pays for them, skips Streamlit's
     one-off check of the first element for a REPL (0.1-0.3 s; `skip_the_direct_execution_check`),
     and takes what those imports made out of the garbage collector's sight
     (`freeze_imported_objects`: Streamlit's collection after every script run walked them), and
     keeps a workspace file open for seconds after a script run, not half a second
     (`APP_LINGER_SECONDS`: the next click reuses the connection; a process waiting for the
     file still gets it at once);
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
# The app keeps a workspace file open this long after its last script run (core/db.py's linger,
# 0.5 s for the CLI and scripts), so a user's next click reuses the connection and DuckDB's cache:
# clicks at 20k accounts took 0.67-0.72 s instead of 0.85-0.92 s (Cohorts, Reality). A process
# asking for the file (the CLI, the page warm of another server) still gets it at once.
APP_LINGER_SECONDS = 5.0


def import_app_modules() -> None:
    """Import what every script run of app.py and the Overview imports (sys.modules keeps them)."""
    import pandas  # noqa: F401
    import PIL.Image
    import plotly.graph_objects  # noqa: F401
    import streamlit  # noqa: F401
    import streamlit.material_icon_names  # noqa: F401  (the navigation's page icons)

    import ui.cache  # noqa: F401
    import ui.common  # noqa: F401
    import ui.element_preload  # noqa: F401
    import ui.view  # noqa: F401
    import cs_analytics.core.workspaces  # noqa: F401  (the sidebar's workspace name)
    import cs_analytics.demo.build  # noqa: F401  (the Overview's empty state)
    import cs_analytics.health.bands  # noqa: F401
    import cs_analytics.views.overview  # noqa: F401
    import cs_analytics.views.sidebar  # noqa: F401

    PIL.Image.preinit()  # st.set_page_config reads the page icon with Pillow: 0.03-0.16 s of a first run


def skip_the_direct_execution_check() -> None:
    """Mark Streamlit's "run me with `streamlit run`" warning as already given. Streamlit decides
    on the first element of the first script run whether to print it (`env_util.is_repl`:
    `inspect.stack()`, which resolves the file of every loaded module, about 1,500 here): 0.1-0.3 s
    of the first view, for a warning that never applies, since this launcher always runs the
    app through `streamlit run`. Only the flag is set (a private name: if a Streamlit version
    drops it, setting it does nothing and the check simply runs)."""
    import streamlit.delta_generator as delta_generator

    delta_generator._use_warning_has_been_displayed = True


def freeze_imported_objects() -> None:
    """Take every object alive now out of the cyclic garbage collector's sight (`gc.freeze`): the
    imported modules' functions, classes and tables, about 170,000 objects that live as long as
    the server. Streamlit collects garbage after every script run (`gc.collect(2)`, option
    `runner.postScriptGC`), and walking them took 0.10-0.17 s of every page view, click and
    interaction, holding the GIL, so the run's last messages to the browser waited for it (after
    the freeze: 0.012-0.024 s in the server, for what sessions and caches made since). Objects made
    later are still collected as before; reference counting still frees frozen objects."""
    import gc

    gc.collect()
    gc.freeze()


def keep_files_open_between_runs() -> None:
    """Let this process's workspace files linger `APP_LINGER_SECONDS` after their last lease."""
    from cs_analytics.core import db

    db.LINGER_SECONDS = APP_LINGER_SECONDS


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
    freeze_imported_objects()
    keep_files_open_between_runs()
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
