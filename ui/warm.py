"""Warming the first view: the views a new session's first page needs, computed before it asks.

A session opening the app by its address shows the sidebar (workspace status, filter options)
and the Overview for the default view (no filter, the as-of in force without a link). `warm_first_view`
computes exactly those through `ui.cache.cached_view`, with the same keys the pages use, so the first
view reads them from the cache. It changes no number: it calls the same builders with the same
arguments earlier. The launcher (`ui/serve.py`) calls it before the server accepts connections, and
`FirstViewWarmer` calls it again after each write (any process), in a background thread; a write
still makes every page current at once (the cache is keyed on the workspace generation), the warmer
only makes the next first view of the new generation cheap.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

from cs_analytics.core.dates import as_of_in_force
from cs_analytics.core.errors import WorkspaceLockedError
from cs_analytics.core.filters import NO_FILTER
from cs_analytics.core.settings import as_of_setting
from cs_analytics.core.workspace import data_as_of
from cs_analytics.views.overview import overview_summary
from cs_analytics.views.sidebar import sidebar_filter_options, sidebar_status

LOG = logging.getLogger(__name__)
WATCH_INTERVAL_SECONDS = 2.0  # how often the warmer looks at the workspace file for a write


def default_as_of(ws):
    """The as-of a session without a link passes to the views (`ui.common.view_as_of` with no link)."""
    return as_of_in_force(None, as_of_setting(ws), data_as_of(ws)).override


def warm_first_view(ws) -> float:
    """Compute (into the view cache) the sidebar's views and the Overview for the default view;
    the seconds it took. Holds a yielding lease, as a script run does."""
    from ui.cache import cached_view

    started = time.perf_counter()
    ws.acquire(yielding=True)
    try:
        cached_view(sidebar_status, ws, None, None)
        cached_view(sidebar_filter_options, ws, None, None)
        cached_view(overview_summary, ws, NO_FILTER, default_as_of(ws))
    finally:
        ws.release(yielding=True)
    return time.perf_counter() - started


def file_signature(path: Path) -> tuple:
    """(mtime, size) of the workspace file and its write-ahead log: changes on every write."""
    signature = []
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            stat = os.stat(candidate)
            signature.append((stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            signature.append(None)
    return tuple(signature)


class FirstViewWarmer(threading.Thread):
    """Re-warms the first view after a write to the workspace file (by this server or another
    process): it watches the file's signature and, once it changed and the file is free, warms.
    A busy file (a long import in another process) is tried again at the next look."""

    def __init__(self, ws, interval_seconds: float = WATCH_INTERVAL_SECONDS):
        super().__init__(name="first-view-warmer", daemon=True)
        self.ws = ws
        self.interval_seconds = interval_seconds
        self.warmed_signature = file_signature(Path(ws.path))
        self.stopped = threading.Event()
        self.warm_count = 0

    def run(self) -> None:
        while not self.stopped.wait(self.interval_seconds):
            self.warm_if_written()

    def warm_if_written(self) -> bool:
        """Warm when the file changed since the last warm; True when it warmed."""
        signature = file_signature(Path(self.ws.path))
        if signature == self.warmed_signature:
            return False
        try:
            seconds = warm_first_view(self.ws)
        except WorkspaceLockedError:
            return False  # busy: the next look tries again
        except Exception:  # a warm is an optimisation: never let it stop the server
            LOG.exception("warming the first view failed")
            return False
        # the warm's own reads may touch the file: take the signature after it
        self.warmed_signature = file_signature(Path(self.ws.path))
        self.warm_count += 1
        print(f"CS Analytics: first view warmed after a write in {seconds:.2f} s.", file=sys.stderr, flush=True)
        return True

    def stop(self) -> None:
        self.stopped.set()
