"""The demo in a workspace: loaded through the ingest path with zero quarantined rows, demo_truth
replaced, derived tables built, and the `demo` command."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from cs_analytics.cli.main import main
from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.tables import TABLE_NAMES
from cs_analytics.demo.build import generate_demo_frames, write_demo
from cs_analytics.core.workspace import data_as_of


def test_write_demo_loads_every_row_through_ingest(tmp_workspace):
    steps = []
    summary = write_demo(tmp_workspace, accounts=120, seed=5, progress=lambda f, m: steps.append(f))
    frames = generate_demo_frames(accounts=120, seed=5)
    assert summary["as_of"] == "2026-10-31" and data_as_of(tmp_workspace) == dt.date(2026, 10, 31)
    for table in TABLE_NAMES:
        assert summary["rows"][table] == len(frames[table]) == tmp_workspace.row_count(table)
        assert summary["quarantined"][table] == 0
    assert tmp_workspace.row_count("quarantine") == 0
    uploads = tmp_workspace.query("SELECT table_name, file_name, mode, user_name, rows_quarantined FROM uploads")
    assert set(uploads["file_name"]) == {f"demo/{t}.csv" for t in TABLE_NAMES}
    assert set(uploads["mode"]) == {"replace"} and set(uploads["user_name"]) == {"demo"}
    assert (uploads["rows_quarantined"] == 0).all()
    assert summary["rows"]["demo_truth"] == 120
    assert sum(summary["planted"][k] for k in ("red_but_fine", "spike", "onboarding_failure",
                                                "green_but_failing")) == \
        int(frames["demo_truth"]["planted_case"].notna().sum())
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)


def test_write_demo_replaces_everything_but_keeps_flags(tmp_workspace):
    write_demo(tmp_workspace, accounts=60, seed=1)
    tmp_workspace.execute(
        "INSERT INTO flags (account_id, action, sentiment, reason, user_name, created_at) "
        "VALUES ('ACC-00001', 'flag', 'red', 'budget_cut', 'sam', TIMESTAMP '2026-10-01 10:00:00')")
    write_demo(tmp_workspace, accounts=40, seed=2)
    assert tmp_workspace.row_count("accounts") == 40
    assert tmp_workspace.row_count("demo_truth") == 40
    assert tmp_workspace.scalar("SELECT count(DISTINCT account_id) FROM contracts") == 40
    assert tmp_workspace.row_count("flags") == 1


def test_session_demo_matches_the_generator(demo_ws):
    truth = demo_ws.query("SELECT * FROM demo_truth")
    accounts = demo_ws.row_count("accounts")
    assert len(truth) == accounts == demo_ws.scalar("SELECT count(DISTINCT account_id) FROM account_month")
    assert demo_ws.row_count("quarantine") == 0
    assert data_as_of(demo_ws) == dt.date(2026, 10, 31)
    # The derived customers at as_of are exactly the accounts the truth says did not churn.
    live = demo_ws.query("SELECT account_id FROM account_month WHERE month = DATE '2026-10-01' AND is_customer")
    assert set(live["account_id"]) == set(truth.loc[~truth["churned"], "account_id"])
    assert truth["planted_case"].isin(["green_but_failing", "red_but_fine", "spike",
                                       "onboarding_failure"]).sum() == truth["planted_case"].notna().sum()


def test_demo_command_prints_a_summary(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    assert main(["demo", "--workspace", str(path), "--accounts", "200"]) == 0
    out = capsys.readouterr().out
    assert "200 accounts, seed 7, as_of 2026-10-31" in out
    assert "usage" in out and "green_but_failing" in out
    ws = open_workspace(path)
    try:
        assert ws.row_count("accounts") == 200 and ws.row_count("quarantine") == 0
    finally:
        close_workspace(path)


def test_demo_command_json_and_csv(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    assert main(["demo", "--workspace", str(path), "--accounts", "30", "--seed", "3", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["accounts"] == 30 and summary["seed"] == 3 and summary["as_of"] == "2026-10-31"
    assert set(summary["rows"]) >= set(TABLE_NAMES)
    assert main(["demo", "--workspace", str(path), "--accounts", "30", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "section,name,value" and "rows,accounts,30" in lines


def test_demo_command_refuses_bad_sizes(tmp_path, capsys):
    assert main(["demo", "--workspace", str(tmp_path / "x.duckdb"), "--accounts", "3"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --accounts must be between 10") and err.count("\n") == 1


def test_demo_frames_have_canonical_columns():
    frames = generate_demo_frames(accounts=20, seed=9)
    assert list(frames["accounts"].columns) == ["account_id", "account_name", "segment", "csm_owner",
                                                "plan", "industry", "region", "created_at"]
    assert list(frames["contracts"].columns) == ["contract_id", "account_id", "start_date", "end_date",
                                                 "mrr", "product", "renewal_date"]
    assert list(frames["usage"].columns) == ["account_id", "event_date", "metric", "value", "user_id"]
    assert list(frames["assessments"].columns) == ["account_id", "assessed_at", "sentiment", "csm",
                                                   "reason", "note"]
    assert list(frames["nps"].columns) == ["account_id", "responded_at", "score", "comment"]
    assert pd.api.types.is_datetime64_any_dtype(frames["usage"]["event_date"])
