"""CLI: reality, flag, unflag, spikes — exit codes and output columns (docs/spec/cli.md)."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from cs_analytics.cli.main import main
from cs_analytics.core.db import close_workspace, open_workspace
from factories import build_workspace


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "cli.duckdb"
    days = pd.date_range("2023-06-01", "2024-06-30", freq="D")
    usage = pd.concat([
        pd.DataFrame({"account_id": a, "event_date": days, "value": v, "user_id": "u1"})
        for a, v in (("A", 5.0), ("B", 1.0))
    ])
    build_workspace(
        p,
        accounts=pd.DataFrame({"account_id": ["A", "B"], "account_name": ["Alpha", "Beta"],
                               "csm_owner": ["Ann", "Bob"], "segment": ["SMB", "Enterprise"]}),
        contracts=pd.DataFrame({"account_id": ["A", "B"], "start_date": "2023-06-01",
                                "end_date": [None, "2024-12-31"], "mrr": [100.0, 300.0]}),
        usage=usage,
        assessments=pd.DataFrame({"account_id": ["A"], "assessed_at": ["2024-06-01"], "sentiment": ["green"]}),
    )
    close_workspace(p)
    yield p
    close_workspace(p)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_flag_unflag_and_reality(capsys, path):
    code, out, err = run(capsys, "flag", "B", "--reason", "budget_cut", "--user", "Bob",
                         "--note", "Budget frozen", "--review-by", "2099-01-31", "--workspace", str(path),
                         "--format", "json")
    assert code == 0, err
    row = json.loads(out)[0]
    assert row["account_id"] == "B" and row["action"] == "flag" and row["user_name"] == "Bob"
    assert row["reason"] == "budget_cut" and row["review_by"].startswith("2099-01-31")
    assert "T" in row["created_at"]  # the time of the flag is kept

    code, out, err = run(capsys, "reality", "--workspace", str(path), "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["account_id", "score", "band", "csm_sentiment", "assessed_at",
                                   "quadrant", "flagged"]
    b = frame.set_index("account_id").loc["B"]
    assert b["csm_sentiment"] == "red" and bool(b["flagged"])

    code, out, err = run(capsys, "unflag", "B", "--user", "Bob", "--note", "fixed", "--workspace", str(path))
    assert code == 0, err
    assert "withdraw" in out
    ws = open_workspace(path)
    assert ws.query("SELECT action FROM flags ORDER BY flag_id")["action"].tolist() == ["flag", "withdraw"]
    close_workspace(path)


@pytest.mark.parametrize("argv, message", [
    (["flag", "B", "--reason", "vibes", "--user", "Bob"], "Unknown reason code"),
    (["flag", "NOPE", "--reason", "other", "--user", "Bob"], "Unknown account"),
    (["flag", "B", "--reason", "other", "--user", "Bob", "--review-by", "31/01/2099"], "--review-by"),
    (["unflag", "A", "--user", "Ann"], "no flag to withdraw"),
    (["reality", "--where", "segment"], "COL=VALUE"),
])
def test_user_errors_exit_1_with_one_sentence(capsys, path, argv, message):
    code, out, err = run(capsys, *argv, "--workspace", str(path))
    assert code == 1
    assert message in err and err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_usage_errors_exit_2(capsys, path):
    with pytest.raises(SystemExit) as info:
        main(["flag", "B", "--workspace", str(path)])  # --reason is required
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["unflag", "B", "--workspace", str(path)])  # --user is required
    assert info.value.code == 2


def test_spikes_columns(capsys, path):
    code, out, err = run(capsys, "spikes", "--all", "--workspace", str(path), "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["account_id", "contract_end", "ratio_before", "ratio_after", "flagged"]
    assert frame.empty  # B's contract ends after as_of: nothing to evaluate yet
    code, out, err = run(capsys, "spikes", "--workspace", str(path), "--format", "csv", "--as-of", "2025-03-31")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    # Issue 11: spikes a CSM can act on carry the name, MRR, owner and band.
    assert list(frame.columns) == ["account_id", "account_name", "contract_end", "mrr", "csm_owner", "band",
                                   "ratio_before", "ratio_after"]
    assert frame.empty  # B's flat usage is no spike


def test_reality_on_empty_workspace_is_a_user_error(capsys, tmp_path):
    code, out, err = run(capsys, "reality", "--workspace", str(tmp_path / "empty.duckdb"))
    assert code == 1 and "no data" in err


def test_unflag_someone_else_s_flag_needs_an_override_reason(capsys, path):
    ws_args = ("--workspace", str(path), "--format", "csv")
    assert run(capsys, "flag", "B", "--reason", "champion_left", "--user", "Dana Lee", *ws_args)[0] == 0
    assert run(capsys, "flag", "B", "--reason", "budget_cut", "--user", "Bob", "--sentiment", "yellow",
               *ws_args)[0] == 0
    code, out, err = run(capsys, "flags", "--account", " B ", *ws_args)
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0 and sorted(frame["user_name"]) == ["Bob", "Dana Lee"]
    assert set(frame["reason_label"]) == {"Champion left", "Budget cut"}
    code, out, err = run(capsys, "unflag", "B", "--user", "Casey", "--flag-id", "1", *ws_args)
    assert code == 1 and err.count("\n") == 1
    assert "made by Dana Lee" in err and "--override-reason" in err
    code, out, err = run(capsys, "unflag", "B", "--user", "Casey", "--flag-id", "1",
                         "--override-reason", "Dana is on leave", *ws_args)
    assert code == 0, err
    row = pd.read_csv(io.StringIO(out)).iloc[0]
    assert (row["action"], row["withdraws_flag_id"], row["override_reason"]) == ("withdraw", 1, "Dana is on leave")
    code, out, err = run(capsys, "flags", *ws_args)
    assert pd.read_csv(io.StringIO(out))["user_name"].tolist() == ["Bob"]


def test_reality_owner_and_per_csm_track_record(capsys, path):
    ws_args = ("--workspace", str(path), "--format", "csv")
    code, out, err = run(capsys, "reality", "--owner", "  ann ", *ws_args)
    assert code == 0 and pd.read_csv(io.StringIO(out))["account_id"].tolist() == ["A"]
    code, out, err = run(capsys, "reality", "--owner", "Anne", *ws_args)
    assert code == 1 and "did you mean Ann?" in err
    code, out, err = run(capsys, "reality", "--track-record", "--by-csm", *ws_args)
    assert code == 0, err
    assert out.splitlines()[0] == "csm,calls,accounts,churned,churn_rate,base_calls,base_churned,base_rate,lift"
    code, out, err = run(capsys, "reality", "--by-csm", *ws_args)
    assert code == 1 and "--track-record" in err


def test_flag_with_a_seen_version_refuses_after_someone_else_acted(capsys, path):
    ws_args = ("--workspace", str(path), "--format", "csv")
    assert run(capsys, "flag", "A", "--reason", "champion_left", "--user", "Dana Lee", *ws_args)[0] == 0
    code, out, err = run(capsys, "flag", "A", "--reason", "other", "--user", "Bob", "--seen-version", "0", *ws_args)
    assert code == 1 and "Dana Lee flagged this account just now: red, Champion left." in err
    code, out, err = run(capsys, "flag", "A", "--reason", "other", "--user", "Bob", "--seen-version", "0",
                         "--confirm", *ws_args)
    assert code == 0, err
    code, out, err = run(capsys, "flag", "A", "--reason", "competitor", "--user", "Bob", "--seen-version", "2",
                         *ws_args)
    assert code == 0, err  # nobody else acted since version 2
