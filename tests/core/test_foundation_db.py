"""The workspace layer: migrations, derived account_month, filters, cursors per thread."""
from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest

from cs_analytics.core import schema
from cs_analytics.core.errors import WorkspaceError
from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.filters import AccountFilter
from cs_analytics.core.dates import last_complete_month
from cs_analytics.core.workspace import status
from factories import build_workspace


def test_migrations_reach_latest_version(tmp_workspace):
    assert schema.current_version(tmp_workspace) == schema.LATEST_VERSION
    assert schema.migrate(tmp_workspace) == schema.LATEST_VERSION  # idempotent


def test_newer_workspace_is_refused(tmp_path):
    path = tmp_path / "w.duckdb"
    ws = open_workspace(path)
    ws.execute("INSERT INTO schema_version VALUES (999, current_timestamp)")
    close_workspace(path)
    with pytest.raises(WorkspaceError, match="newer"):
        open_workspace(path)
    close_workspace(path)


def test_account_month_is_a_month_end_snapshot(tmp_path):
    ws = build_workspace(
        tmp_path / "w.duckdb",
        contracts=pd.DataFrame({
            "account_id": ["a", "a", "b"],
            "start_date": ["2024-01-15", "2024-06-01", "2024-02-01"],
            "end_date": ["2024-05-30", None, "2024-03-31"],
            "mrr": [100.0, 150.0, 50.0],
        }),
        usage=pd.DataFrame({"account_id": ["a", "b", "a"], "event_date": ["2024-01-20", "2024-02-03", "2024-08-10"]}),
    )
    am = ws.query("SELECT account_id, month, mrr FROM account_month").set_index(["account_id", "month"])["mrr"]
    m = lambda s: pd.Timestamp(s)  # noqa: E731
    assert am[("a", m("2024-01-01"))] == 100  # started mid-month, active at month end
    assert am[("a", m("2024-05-01"))] == 0  # ended the 30th: not active on May 31
    assert am[("a", m("2024-06-01"))] == 150
    assert am[("a", m("2024-08-01"))] == 0  # open-ended runs through as_of (Aug 10) only
    assert am[("b", m("2024-03-01"))] == 50  # end date inclusive
    assert am[("b", m("2024-04-01"))] == 0


def test_last_complete_month():
    assert last_complete_month(dt.date(2024, 3, 31)) == dt.date(2024, 3, 1)
    assert last_complete_month(dt.date(2024, 3, 30)) == dt.date(2024, 2, 1)
    assert last_complete_month(dt.date(2024, 1, 5)) == dt.date(2023, 12, 1)


def test_filter_by_column_and_attribute(tmp_path):
    ws = build_workspace(
        tmp_path / "w.duckdb",
        accounts=pd.DataFrame({"account_id": ["a", "b", "c"], "segment": ["SMB", "Enterprise", "SMB"]}),
    )
    ws.execute("INSERT INTO account_attributes VALUES ('c', 'tier', 'gold')")
    sql, params = AccountFilter.of(segment="SMB").subquery()
    assert sorted(ws.query(sql, params)["account_id"]) == ["a", "c"]
    sql, params = AccountFilter.from_pairs(["segment=SMB", "tier=gold"]).subquery()
    assert ws.query(sql, params)["account_id"].tolist() == ["c"]
    sql, params = AccountFilter.of(segment="x' OR '1'='1").subquery()
    assert ws.query(sql, params).empty


def test_threads_each_use_their_own_cursor(tmp_workspace):
    errors = []

    def work(i):
        try:
            for _ in range(20):
                tmp_workspace.execute("INSERT INTO account_attributes VALUES (?, 'n', 'v')", [f"a{i}"])
                tmp_workspace.query("SELECT count(*) FROM account_attributes")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert tmp_workspace.row_count("account_attributes") == 160


def test_empty_workspace_status(tmp_workspace):
    info = status(tmp_workspace)
    assert info.is_empty and info.as_of is None


def test_a_migration_numbered_below_the_newest_is_still_applied(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    ws = open_workspace(path)
    ws.execute("DELETE FROM schema_version WHERE version = 2")
    ws.execute("DROP VIEW csm_signal_history")
    schema.migrate(ws)
    assert ws.table_exists("csm_signal_history")
    assert ws.scalar("SELECT count(*) FROM schema_version WHERE version = 2") == 1


def test_a_second_process_gets_a_clear_sentence_not_a_crash(tmp_path, capsys):
    import subprocess
    import sys
    import textwrap

    from cs_analytics.cli.main import main
    from conftest import ROOT

    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(ROOT)!r})
            from cs_analytics.core.db import open_workspace
            open_workspace({str(path)!r}).acquire()  # a lease held until the process ends
            print("holding", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WorkspaceError, match="busy with another process"):
            open_workspace(path, wait_seconds=0.2)
        assert main(["mrr", "--workspace", str(path), "--wait", "0.5"]) == 1
        err = capsys.readouterr().err
        assert "busy with another process" in err and "Traceback" not in err
        assert err.count("\n") == 1 and "--workspace" not in err  # one line, no CLI hint
    finally:
        holder.kill()
        holder.wait()
