"""Warming the first view, then every page's default view, before a session asks for them.

A session opening the app by its address shows the sidebar (workspace status, filter options)
and the Overview for the default view (no filter, the as-of in force without a link). `warm_first_view`
computes exactly those through `ui.cache.cached_view`, with the same keys the pages use, so the first
view reads them from the cache. It changes no number: it calls the same builders with the same
arguments earlier. The launcher (`ui/serve.py`) calls it before the server accepts connections, and
`FirstViewWarmer` calls it again after each write (any process), in a background thread; a write
still makes every page current at once (the cache is keyed on the workspace generation), the warmer
only makes the next first view of the new generation cheap.

Then, in the same background thread, `warm_pages` computes the default view of every other page
(no filter, the as-of in force, each control at its default: `PAGE_DEFAULTS`), one view per
yielding background lease, each only once no session has held the workspace for
`PAGE_WARM_QUIET_SECONDS` (a session's run and its browser's drawing get the cores first), so that
the first visit of a page after a server start or a data write reads its numbers from the cache
instead of computing them (at 100M usage rows a cold Renewals or Onboarding took 40-90 s). A write
while it runs stops it; the next look starts again on the new generation.
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
from cs_analytics.core import config
from cs_analytics.retention.revenue import MOVEMENTS
from cs_analytics.views import onboarding as onboarding_views
from cs_analytics.views.cohorts import cohort_view
from cs_analytics.views.health import health_scores
from cs_analytics.views.overview import overview_summary
from cs_analytics.views.reality import reality_track_records, reality_view, spike_usage
from cs_analytics.views.renewals import renewals_view
from cs_analytics.views.revenue import movement_drilldown, revenue_view
from cs_analytics.views.scorecard import scorecard_lines
from cs_analytics.views.sidebar import sidebar_filter_options, sidebar_status

LOG = logging.getLogger(__name__)
WATCH_INTERVAL_SECONDS = 2.0  # how often the warmer looks at the workspace file for a write
# The page warm computes a view only when no lease of the workspace (a session's script run) has been
# held for this long: it gives the two cores to a session and to the browser drawing what it sent
# (started at once, it made the Overview's first view at 20k accounts 2.47 s -> 2.98 s).
PAGE_WARM_QUIET_SECONDS = 5.0


def default_as_of(ws):
    """The as-of a session without a link passes to the views (`ui.common.view_as_of` with no link)."""
    return as_of_in_force(None, as_of_setting(ws), data_as_of(ws)).override


def warm_first_view(ws) -> float:
    """Compute (into the view cache) the sidebar's views and the Overview for the default view;
    the seconds it took. Holds a yielding lease, as a script run does."""
    from ui.cache import cached_view

    started = time.perf_counter()
    ws.acquire(yielding=True, background=True)
    try:
        cached_view(sidebar_status, ws, None, None)
        cached_view(sidebar_filter_options, ws, None, None)
        cached_view(overview_summary, ws, NO_FILTER, default_as_of(ws))
    finally:
        ws.release(yielding=True, background=True)
    return time.perf_counter() - started


def _first_month_drilldown(movement: str):
    """Revenue's drill-down of `movement` in the first month offered (the month first shown)."""
    def arguments(ws, as_of) -> tuple | None:
        from ui.cache import cached_view

        months = cached_view(revenue_view, ws, NO_FILTER, as_of).drill_months
        return (list(months)[0], movement) if len(months) else None
    return arguments


_first_drilldown = _first_month_drilldown(MOVEMENTS[0])  # the drill-down as first shown


def _first_spike(ws, as_of) -> tuple | None:
    """Reality's spike chart as first shown: the first spike of the last 365 days."""
    from ui.cache import cached_view

    spikes = cached_view(reality_view, ws, NO_FILTER, as_of, config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS, None).spikes
    return None if spikes.empty else (spikes["account_id"].iloc[0], spikes["contract_end"].iloc[0])


# (page, builder, as-of, arguments after (ws, filter, as-of), or a function of (ws, as-of) giving
# them from a view warmed before it) of each page's default views, as the page calls `cached_view`
# with its controls at their defaults; the as-of is the one the page
# passes: "override" (`ui.common.view_as_of`: None for the data's own), "day" (`page_as_of`: the
# date in force) or None for a workspace-wide view (no filter either). tests/app/test_page_warm.py
# runs each page after a warm and fails on any computation. Cheapest first (then the views one choice
# away: the Revenue drill-down's other movements): a user who opens the
# app after a write meets the warm pages sooner. (My work is left out: its page first runs the task
# rules, a write, so its view belongs to the next generation.)
PAGE_DEFAULTS = (
    ("Revenue", revenue_view, "override", ()),
    ("Revenue", movement_drilldown, "override", _first_drilldown),
    ("Cohorts", cohort_view, "override", ("logo", "month", False, True)),
    *(("Cohorts", cohort_view, "override", (basis, "month", False, True)) for basis in ("grr", "nrr", "activity")),
    ("Health", scorecard_lines, None, ()),
    ("Health", health_scores, "day", ()),
    ("Reality", reality_view, "override", (config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS, None)),
    ("Reality", reality_track_records, "override", (config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS, None)),
    ("Reality", spike_usage, "override", _first_spike),
    ("Renewals", renewals_view, "override", ()),
    ("Onboarding", onboarding_views.usage_metrics_view, "override", ()),
    ("Onboarding", onboarding_views.build, "override", (None, "month", False)),
    # the month's other movements, a choice away (0.5-0.6 s each at 100k accounts), churn first
    *(("Revenue", movement_drilldown, "override", _first_month_drilldown(movement))
      for movement in ("churn", "contraction", "expansion", "reactivation")),
)
# the tables a page needs before it computes anything (its `require_data` empty state otherwise)
PAGE_NEEDS = {"Revenue": ("contracts",), "Cohorts": ("contracts", "usage"), "Health": ("contracts", "usage"),
              "Reality": ("contracts",), "Renewals": ("contracts",), "Onboarding": ("usage",),
              "Account": ("contracts",)}


def warm_pages(ws, still_current=lambda: True, wait_turn=None) -> list[tuple[str, float]]:
    """Compute (into the view cache) each page's default view (PAGE_DEFAULTS), one yielding lease
    per view; stops early when `still_current()` turns false (a write came). `wait_turn()`, called
    before each computation, may wait (for the sessions to be quiet) and stops the warm when it
    returns false. Returns (page, seconds) of each view warmed."""
    from ui.cache import cached_view

    wait_turn = wait_turn or (lambda: True)
    warmed = []
    in_force = as_of_in_force(None, as_of_setting(ws), data_as_of(ws))
    as_of = {"override": in_force.override, "day": in_force.day}
    empty = {table for tables in PAGE_NEEDS.values() for table in tables if ws.row_count(table) == 0}
    for page, builder, as_of_kind, args in PAGE_DEFAULTS:
        if not still_current():
            break
        if empty.intersection(PAGE_NEEDS[page]):
            continue  # the page shows its empty state: nothing to warm
        if not wait_turn():
            break
        started = time.perf_counter()
        ws.acquire(yielding=True, background=True)
        try:
            if as_of_kind is None:
                cached_view(builder, ws, None, None, *args)
            else:
                view_args = args(ws, as_of[as_of_kind]) if callable(args) else args
                if view_args is not None:  # None: the page shows no such view by default
                    cached_view(builder, ws, NO_FILTER, as_of[as_of_kind], *view_args)
        finally:
            ws.release(yielding=True, background=True)
        warmed.append((page, time.perf_counter() - started))
    if still_current() and not empty.intersection(PAGE_NEEDS["Account"]) and wait_turn():
        started = time.perf_counter()
        ws.acquire(yielding=True, background=True)
        try:
            warm_account_history(ws, in_force.day)
        finally:
            ws.release(yielding=True, background=True)
        warmed.append(("Account", time.perf_counter() - started))
    return warmed


def warm_account_history(ws, as_of) -> None:
    """Score the portfolio at the Account page's history month-ends with each scorecard in force
    (health/history_cache.py keeps it per data build and scorecard), so that the first account
    opened reads its history as a slice (at 100M usage rows the first account took 88 s), and the
    raw measure values of an explanation's two dates (health/raw_cache.py), which every account's
    explanation shares."""
    from cs_analytics.health.scoring import explain_account, score_history
    from cs_analytics.health.versions import segment_scorecards
    from cs_analytics.health.scorecard import active_scorecard
    from cs_analytics.views.account import HISTORY_MONTHS

    if as_of is None:
        return
    any_account = ws.scalar("SELECT min(account_id) FROM accounts")
    if any_account is None:
        return
    for scorecard in (active_scorecard(ws), *segment_scorecards(ws).values()):
        score_history(ws, any_account, as_of, HISTORY_MONTHS, scorecard)
    for scorecard in (active_scorecard(ws), *segment_scorecards(ws).values()):
        try:  # the explanation's two dates (as-of and a month before) into the raw-value cache
            explain_account(ws, any_account, as_of, scorecard)
        except ValueError:
            pass  # that account is not scored on that date: another account's visit computes them


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
            if (self.warm_if_written() or self.pages_pending) and self.pages_enabled:
                self.warm_pages_if_current()

    pages_pending = True  # the launcher warmed the first view only: the pages come at the first look
    pages_enabled = True  # `python -m ui.serve --no-page-warm`: the first view only

    def warm_pages_if_current(self) -> None:
        """Warm every page's default view for the generation just warmed; a write meanwhile stops
        it (the next look warms the new generation, first view first)."""
        signature = self.warmed_signature

        def still_current() -> bool:
            return not self.stopped.is_set() and file_signature(Path(self.ws.path)) == signature

        def quiet_and_current() -> bool:
            """Wait until no session has held the workspace for PAGE_WARM_QUIET_SECONDS; whether
            the generation is still the one being warmed."""
            while still_current():
                wait = PAGE_WARM_QUIET_SECONDS - self.ws.seconds_since_foreground_lease()
                if wait <= 0:
                    return True
                self.stopped.wait(min(max(wait, 0.05), self.interval_seconds))
            return False

        try:
            warmed = warm_pages(self.ws, still_current, wait_turn=quiet_and_current)
        except WorkspaceLockedError:
            return  # busy: the next look tries again
        except Exception:  # an optimisation: never let it stop the server
            LOG.exception("warming the pages failed")
            self.pages_pending = False
            return
        # done unless a write cut it short (pages skipped for want of data are done too)
        self.pages_pending = not still_current() and not self.stopped.is_set()
        if warmed:
            total = sum(seconds for _, seconds in warmed)
            print(f"CS Analytics: {len(warmed)} page views warmed in {total:.1f} s.", file=sys.stderr, flush=True)

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
