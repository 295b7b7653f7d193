"""The launcher's warm-up (ui/warm.py, ui/serve.py): it fills exactly the cache entries the first
view reads (the Overview and the sidebar of a session without a link), so that first view computes
nothing; after a write the warmer fills the new generation's; a write still shows at once."""
from __future__ import annotations

import functools
from pathlib import Path

import cs_analytics.views.overview as overview_module
import cs_analytics.views.sidebar as sidebar_module
from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.errors import WorkspaceLockedError
from cs_analytics.core.settings import set_setting
from conftest import assert_no_exception
from ui import warm

ROOT = Path(__file__).resolve().parents[2]


def count_calls(monkeypatch, module, name: str) -> list:
    """Replace `module.name` by a wrapper with the same qualified name (so the same cache key)
    that records each real computation; a cache hit records nothing."""
    calls: list = []
    real = getattr(module, name)

    @functools.wraps(real)
    def counted(*args, **kwargs):
        calls.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def spy_first_view(monkeypatch) -> dict[str, list]:
    return {name: count_calls(monkeypatch, module, name) for module, name in (
        (overview_module, "overview_summary"), (sidebar_module, "sidebar_status"),
        (sidebar_module, "sidebar_filter_options"))}


def test_a_warmed_first_view_computes_nothing(small_demo_copy, monkeypatch, app_test):
    monkeypatch.setenv("CS_ANALYTICS_DB", str(small_demo_copy))
    ws = open_workspace(small_demo_copy)
    assert warm.warm_first_view(ws) > 0
    calls = spy_first_view(monkeypatch)
    at = app_test(workspace=small_demo_copy)
    assert_no_exception(at)
    assert at.title[0].value == "Overview" and len(at.metric) >= 4
    assert calls == {"overview_summary": [], "sidebar_status": [], "sidebar_filter_options": []}


def test_without_the_warm_the_first_view_computes(small_demo_copy, monkeypatch, app_test):
    """The spy sees a computation when there is one (so the test above can fail)."""
    calls = spy_first_view(monkeypatch)
    at = app_test(workspace=small_demo_copy)
    assert_no_exception(at)
    assert len(calls["overview_summary"]) == 1 and len(calls["sidebar_status"]) == 1


def test_a_workspace_as_of_setting_is_the_warmed_one(small_demo_copy, monkeypatch, app_test):
    ws = open_workspace(small_demo_copy)
    set_setting(ws, "as_of", "2026-06-30")
    assert warm.default_as_of(ws).isoformat() == "2026-06-30"
    warm.warm_first_view(ws)
    calls = spy_first_view(monkeypatch)
    at = app_test(workspace=small_demo_copy)
    assert_no_exception(at)
    assert calls["overview_summary"] == []
    assert any("2026-06-30" in c.value for c in at.caption)


def test_the_warmer_warms_after_a_write_and_the_write_shows(small_demo_copy, monkeypatch, app_test):
    ws = open_workspace(small_demo_copy)
    warmer = warm.FirstViewWarmer(ws, interval_seconds=0.1)
    assert warmer.warm_if_written() is False  # nothing written since it started
    at = app_test(workspace=small_demo_copy)
    before = next(m for m in at.metric if "GRR" in m.label)
    set_setting(ws, "target_grr", "0.5")  # a write: bumps the generation
    close_workspace(small_demo_copy)  # as a server between two runs: the file flushed
    assert warmer.warm_if_written() is True and warmer.warm_count == 1
    calls = spy_first_view(monkeypatch)
    at.run()
    assert_no_exception(at)
    assert calls == {"overview_summary": [], "sidebar_status": [], "sidebar_filter_options": []}
    after = next(m for m in at.metric if "GRR" in m.label)
    captions = " ".join(c.value for c in at.caption)
    assert "50" in captions and before.value == after.value  # the new target shows, GRR unchanged


def test_a_busy_file_is_tried_again(small_demo_copy, monkeypatch):
    ws = open_workspace(small_demo_copy)
    warmer = warm.FirstViewWarmer(ws)
    warmer.warmed_signature = ("changed",)

    def busy(_ws):
        raise WorkspaceLockedError("busy")

    monkeypatch.setattr(warm, "warm_first_view", busy)
    assert warmer.warm_if_written() is False and warmer.warmed_signature == ("changed",)
    monkeypatch.undo()
    assert warmer.warm_if_written() is True


def test_the_launcher_warms_then_runs_streamlit_on_app_py(small_demo_copy, monkeypatch):
    import sys

    import streamlit.delta_generator as delta_generator
    from streamlit.web import cli
    from ui import serve

    started: list = []
    monkeypatch.setenv("CS_ANALYTICS_DB", str(small_demo_copy))
    monkeypatch.setattr(cli, "main", lambda: started.append(list(sys.argv)) or 0)
    monkeypatch.setattr(warm.FirstViewWarmer, "start", lambda self: started.append("warmer"))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    monkeypatch.setattr(serve, "freeze_imported_objects", lambda: started.append("freeze"))
    from cs_analytics.core import db
    monkeypatch.setattr(db, "LINGER_SECONDS", db.LINGER_SECONDS)  # restored after the test
    assert serve.main(["--server.port", "8599"]) == 0
    assert db.LINGER_SECONDS == serve.APP_LINGER_SECONDS
    assert started[:2] == ["freeze", "warmer"]  # the imports' objects frozen before any warm
    argv = started[2]
    assert argv[:2] == ["streamlit", "run"] and argv[2].endswith("app.py") and argv[3:] == ["--server.port", "8599"]
    assert delta_generator._use_warning_has_been_displayed is True
    calls = spy_first_view(monkeypatch)  # the launcher warmed the default first view
    ws = open_workspace(small_demo_copy)
    from ui.cache import cached_view
    cached_view(overview_module.overview_summary, ws, warm.NO_FILTER, warm.default_as_of(ws))
    assert calls["overview_summary"] == []


def test_no_page_warm_keeps_the_first_views_warm_and_is_not_passed_to_streamlit(small_demo_copy, monkeypatch):
    import sys

    from streamlit.web import cli
    from ui import serve

    started: list = []
    monkeypatch.setenv("CS_ANALYTICS_DB", str(small_demo_copy))
    monkeypatch.setattr(cli, "main", lambda: started.append(list(sys.argv)) or 0)
    monkeypatch.setattr(warm.FirstViewWarmer, "start", lambda self: started.append(self.pages_enabled))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(serve, "freeze_imported_objects", lambda: None)  # not in the test process
    monkeypatch.setattr(serve, "keep_files_open_between_runs", lambda: None)
    assert serve.main(["--no-page-warm", "--server.port", "8599"]) == 0
    assert started[0] is False and started[1][3:] == ["--server.port", "8599"]
    started.clear()
    assert serve.main(["--server.port", "8599"]) == 0
    assert started[0] is True


def test_the_launcher_starts_the_server_when_the_warm_up_fails(small_demo_copy, monkeypatch):
    import sys

    from streamlit.web import cli
    from ui import serve

    started: list = []
    monkeypatch.setenv("CS_ANALYTICS_DB", str(small_demo_copy))
    monkeypatch.setattr(cli, "main", lambda: started.append("server") or 0)
    monkeypatch.setattr(warm.FirstViewWarmer, "start", lambda self: started.append(self.warmed_signature))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(serve, "freeze_imported_objects", lambda: None)  # not in the test process
    monkeypatch.setattr(serve, "keep_files_open_between_runs", lambda: None)

    def broken(_ws):
        raise ValueError("a bug in a view")

    monkeypatch.setattr(warm, "warm_first_view", broken)
    assert serve.main([]) == 0
    assert started == [None, "server"]  # the warmer warms at its first look; the server starts


def test_the_launcher_freezes_what_its_imports_made():
    """In a process of its own (a frozen object is never collected): after the launcher's imports
    and freeze, Streamlit's collection after each script run has almost nothing left to walk."""
    import subprocess
    import sys

    code = ("import gc, sys; sys.path.insert(0, '.'); from ui import serve; serve.import_app_modules(); "
            "serve.freeze_imported_objects(); print(gc.get_freeze_count(), len(gc.get_objects()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    frozen, tracked = map(int, out.stdout.split())
    assert frozen > 50_000 and tracked < frozen / 100


def test_an_empty_new_workspace_is_warmed(tmp_path, monkeypatch, app_test):
    path = tmp_path / "new.duckdb"
    ws = open_workspace(path)
    assert warm.warm_first_view(ws) >= 0
    calls = spy_first_view(monkeypatch)
    at = app_test(workspace=path)
    assert_no_exception(at)
    assert any("No data yet" in s.value for s in at.subheader)
    assert calls["overview_summary"] == []
    close_workspace(path)
