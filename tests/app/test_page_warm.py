"""The background page warm (ui/warm.py `warm_pages`): after it, the first visit of each page with
its controls at their defaults computes no view (PAGE_DEFAULTS names the same cache keys the pages
use); a write while it runs stops it."""
from __future__ import annotations

import functools
import sys
import time

from cs_analytics.core.db import close_workspace, open_workspace
from conftest import assert_no_exception
from ui import warm

PAGE_FILES = {"Revenue": "revenue", "Cohorts": "cohorts", "Health": "health", "Reality": "reality",
              "Renewals": "renewals", "Onboarding": "onboarding"}


def spy_builders(monkeypatch) -> dict[str, list]:
    """Each PAGE_DEFAULTS builder replaced in its module by a wrapper with the same qualified name
    (the same cache key) that records each real computation, by page."""
    calls: dict[str, list] = {page: [] for page in PAGE_FILES}
    for page, builder, _, _ in warm.PAGE_DEFAULTS:
        module = sys.modules[builder.__module__]
        real = getattr(module, builder.__name__)

        @functools.wraps(real)
        def counted(*args, _real=real, _page=page, **kwargs):
            calls[_page].append((_real.__name__, args[1:]))
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, builder.__name__, counted)
    return calls


def test_after_the_warm_each_pages_first_visit_computes_no_view(small_demo_copy, monkeypatch, app_test):
    from ui import cache

    ws = open_workspace(small_demo_copy)
    warm.warm_first_view(ws)  # the app's first page (the Overview) and the sidebar, as the launcher does
    warmed = warm.warm_pages(ws)
    assert [name for name, _ in warmed] == [name for name, *_ in warm.PAGE_DEFAULTS] + ["Account"]
    calls = spy_builders(monkeypatch)
    for page, file in PAGE_FILES.items():
        cache.COMPUTED.clear()  # every view the visit computes, the drill-downs and charts below the fold too
        at = app_test(f"app_pages/{file}.py", workspace=small_demo_copy)
        assert_no_exception(at)
        assert calls[page] == [], page
        assert dict(cache.COMPUTED) == {}, page


def test_without_the_warm_a_first_visit_computes(small_demo_copy, monkeypatch, app_test):
    """The spy sees a computation when there is one (so the test above can fail)."""
    calls = spy_builders(monkeypatch)
    at = app_test("app_pages/renewals.py", workspace=small_demo_copy)
    assert_no_exception(at)
    assert [name for name, _ in calls["Renewals"]] == ["renewals_view"]


def test_a_write_stops_the_warm_between_views(small_demo_copy):
    ws = open_workspace(small_demo_copy)
    checks = iter([True, True, False])
    warmed = warm.warm_pages(ws, still_current=lambda: next(checks, False))
    assert [name for name, _ in warmed] == ["Revenue", "Revenue"]


def test_after_the_warm_the_first_account_does_not_score_the_portfolios_history(small_demo_copy, monkeypatch, app_test):
    from cs_analytics.health import scoring

    from cs_analytics.core.settings import set_setting
    from cs_analytics.health import raw_cache

    ws = open_workspace(small_demo_copy)
    # mid-month: the explanation's month-before date is then not one of the history's month-ends
    set_setting(ws, "as_of", "2026-06-15", "lead")
    # a raw-value cache that holds about 15 (measure, date) entries of this demo, as the 4M rows do
    # at 100k accounts: the history's 25 month-ends evict the Health view's dates
    monkeypatch.setattr(raw_cache, "MAX_CACHED_ROWS", 3000)
    warm.warm_pages(ws)

    raw_computed: list = []
    real_raw = raw_cache.compute_raw_values
    monkeypatch.setattr(raw_cache, "compute_raw_values",
                        lambda *a, **k: raw_computed.append(a[2]) or real_raw(*a, **k))
    scored_dates: list[int] = []
    real = scoring.score_frame
    monkeypatch.setattr(scoring, "score_frame", lambda ws_, dates, sc: scored_dates.append(len(dates)) or real(ws_, dates, sc))
    account = ws.scalar("SELECT max(account_id) FROM accounts")
    at = app_test("app_pages/account.py", workspace=small_demo_copy, query={"account": account})
    assert_no_exception(at)
    assert all(n <= 2 for n in scored_dates), scored_dates  # the explanation's dates only, no history
    assert raw_computed == []  # and their raw values come from the cache


def test_after_the_warm_switching_the_cohort_basis_computes_no_view(small_demo_copy, monkeypatch, app_test):
    ws = open_workspace(small_demo_copy)
    warm.warm_pages(ws)
    calls = spy_builders(monkeypatch)
    at = app_test("app_pages/cohorts.py", workspace=small_demo_copy)
    for basis in ("nrr", "grr", "activity"):
        at.radio(key="cohort_basis").set_value(basis).run()
        assert_no_exception(at)
    assert calls["Cohorts"] == []


def test_after_the_warm_choosing_a_movement_computes_no_view(small_demo_copy, monkeypatch, app_test):
    from ui import cache

    ws = open_workspace(small_demo_copy)
    warm.warm_pages(ws)
    at = app_test("app_pages/revenue.py", workspace=small_demo_copy)
    for movement in ("churn", "contraction", "expansion", "reactivation"):
        cache.COMPUTED.clear()
        at.selectbox(key="drill_movement").set_value(movement).run()
        assert_no_exception(at)
        assert dict(cache.COMPUTED) == {}, movement


def test_an_empty_workspace_warms_nothing_and_raises_nothing(tmp_path):
    ws = open_workspace(tmp_path / "empty.duckdb")
    try:
        assert warm.warm_pages(ws) == []
    finally:
        close_workspace(tmp_path / "empty.duckdb")


def test_the_warmer_is_done_with_a_workspace_whose_pages_have_no_data(tmp_path):
    """A workspace some pages cannot show (here: none) is warmed once, not again every look."""
    from pathlib import Path

    path = tmp_path / "empty.duckdb"
    ws = open_workspace(path)
    try:
        warmer = warm.FirstViewWarmer(ws)
        warmer.warmed_signature = warm.file_signature(Path(ws.path))
        warmer.warm_pages_if_current()
        assert warmer.pages_pending is False
    finally:
        close_workspace(path)


def test_the_warmer_waits_until_no_session_has_held_the_workspace_for_a_while(small_demo_copy, monkeypatch):
    """A session's script run (a foreground lease) holds the page warm back until it has been over
    for PAGE_WARM_QUIET_SECONDS; the warm's own leases do not hold it back."""
    import threading
    from pathlib import Path

    from ui import cache

    monkeypatch.setattr(warm, "PAGE_WARM_QUIET_SECONDS", 0.6)
    ws = open_workspace(small_demo_copy)
    time.sleep(1.0)  # the opening's connection closed (a checkpoint would read as a write)
    warmer = warm.FirstViewWarmer(ws, interval_seconds=0.05)
    warmer.warmed_signature = warm.file_signature(Path(ws.path))
    cache.COMPUTED.clear()
    ws.acquire(yielding=True)  # a session's script run
    thread = threading.Thread(target=warmer.warm_pages_if_current)
    thread.start()
    try:
        thread.join(1.0)
        assert thread.is_alive() and dict(cache.COMPUTED) == {}  # nothing while the session runs
    finally:
        ws.release(yielding=True)
    released = time.monotonic()
    thread.join(60)
    assert not thread.is_alive() and warmer.pages_pending is False
    assert sum(cache.COMPUTED.values()) >= len(warm.PAGE_DEFAULTS) - 2  # the drill-downs may share
    assert time.monotonic() - released >= 0.6
    # the warm's own leases are background: the last foreground lease is still the session's
    assert ws.seconds_since_foreground_lease() >= time.monotonic() - released - 0.05
