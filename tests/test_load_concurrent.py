"""Load: ten app sessions read pages while another thread uploads and flags; nothing errors or is lost."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cs_analytics import flags
from cs_analytics.db import open_workspace
from cs_analytics.ingest import ingest_file
from conftest import ROOT

PAGES = ("app_pages/overview.py", "app_pages/revenue.py", "app_pages/cohorts.py", "app_pages/health.py",
         "app_pages/reality.py", "app_pages/account.py", "app_pages/data.py")
SESSIONS = 10
FLAGS_TO_WRITE = 30


def share_one_script_cache(monkeypatch) -> None:
    """Compile scripts under one lock, as a real server's single ScriptCache does.

    Each AppTest has its own cache; compiling in ten threads at once trips a CPython 3.11 parser
    race ("AST constructor recursion depth mismatch") that a real server never meets.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    compile_lock = threading.Lock()
    original = ScriptCache.get_bytecode

    def get_bytecode(self, script_path):
        with compile_lock:
            return original(self, script_path)

    monkeypatch.setattr(ScriptCache, "get_bytecode", get_bytecode)


@pytest.mark.slow
def test_sessions_read_while_another_uploads_and_flags(demo_workspace_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CS_ANALYTICS_DB", str(demo_workspace_path))
    share_one_script_cache(monkeypatch)
    ws = open_workspace(demo_workspace_path)
    account_ids = ws.query("SELECT account_id FROM accounts ORDER BY account_id LIMIT ?", [FLAGS_TO_WRITE])["account_id"].tolist()
    errors: list[str] = []
    acknowledged: list[int] = []
    writer_done = threading.Event()

    def reader(session: int) -> None:
        try:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.run()
            for step in range(len(PAGES)):
                page = PAGES[(session + step) % len(PAGES)]
                at.switch_page(page).run()
                errors.extend(f"session {session} {page}: {e.message}" for e in at.exception)
        except Exception as exc:  # noqa: BLE001 - every failure is reported by the assertion
            errors.append(f"session {session}: {exc!r}")

    def writer() -> None:
        try:
            for i, account_id in enumerate(account_ids):
                acknowledged.append(flags.flag_account(ws, account_id, reason="budget_cut", user=f"csm{i % 3}"))
                if i == FLAGS_TO_WRITE // 2:
                    ingest_file(ws, "nps", Path(ROOT / "data" / "samples" / "nps.jsonl"),
                                file_name="nps.jsonl", mode="append", user="load-test")
        except Exception as exc:  # noqa: BLE001
            errors.append(f"writer: {exc!r}")
        finally:
            writer_done.set()

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(SESSIONS)]
    threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    assert writer_done.is_set()
    assert not errors, "\n".join(errors[:10])
    stored = ws.query("SELECT flag_id FROM flags WHERE user_name LIKE 'csm%'")["flag_id"]
    assert sorted(stored) == sorted(acknowledged) and len(acknowledged) == FLAGS_TO_WRITE
    assert ws.scalar("SELECT count(*) FROM uploads WHERE user_name = 'load-test' AND status = 'loaded'") == 1
