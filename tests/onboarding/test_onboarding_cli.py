"""`activation` and `settings activation_rule` on the command line: formats, the rule for one
run, the saved rule, exit codes (docs/spec/cli.md)."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from cs_analytics.cli.main import main
from cs_analytics.core.db import close_workspace
from factories import build_workspace
from onboarding_cases import ACCOUNTS, CONTRACTS, USAGE

AS_OF = "2025-12-31"


@pytest.fixture
def ws_path(tmp_path):
    path = tmp_path / "w.duckdb"
    build_workspace(path, accounts=ACCOUNTS, contracts=CONTRACTS, usage=USAGE)
    close_workspace(path)
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_has_the_spec_keys_and_the_hand_values(capsys, ws_path):
    code, out, _ = run(capsys, "activation", "--workspace", ws_path, "--as-of", AS_OF, "--format", "json")
    assert code == 0
    data = json.loads(out)
    for key in ("rule", "accounts", "activated_within_30_days", "activated_within_60_days",
                "activated_within_90_days", "not_activated_by_window", "of_those_activated_later",
                "median_days_to_activation", "by_cohort"):
        assert key in data
    assert data["rule"] == {"metric": "any", "kind": "active_days", "threshold": 2.0, "window_days": 90}
    assert data["accounts"] == 6 and data["not_activated_by_window"] == 3 and data["of_those_activated_later"] == 2
    assert data["activated_within_90_days"] == pytest.approx(0.4) and data["median_days_to_activation"] == 45.0
    assert [row["cohort"] for row in data["by_cohort"]] == ["2024-01", "2024-02", "2025-11"]
    assert data["by_cohort"][-1]["activated_within_90_days"] is None  # censored: JSON null


def test_csv_gives_the_cohort_rows_and_rule_applies_to_one_run(capsys, ws_path):
    code, out, _ = run(capsys, "activation", "--workspace", ws_path, "--as-of", AS_OF, "--format", "csv",
                       "--grain", "quarter", "--rule", '{"window_days": 91}')
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame["cohort"]) == ["2024-Q1", "2025-Q4"]
    assert frame.loc[0, "activated_within_90_days"] == pytest.approx(2 / 5)  # b's day 90 is not within 90 days
    assert frame.loc[0, "median_days_to_activation"] == 89  # days 1, 89 and b's 90 (< W = 91)
    code, out, _ = run(capsys, "settings", "activation_rule", "--workspace", ws_path)
    assert json.loads(out.splitlines()[1].split(None, 1)[1])["window_days"] == 90  # not saved


def test_saved_rule_is_used_and_bad_rules_exit_1(capsys, ws_path):
    code, _, _ = run(capsys, "settings", "activation_rule", '{"kind": "users", "threshold": 2}', "--workspace", ws_path)
    assert code == 0
    code, out, _ = run(capsys, "activation", "--workspace", ws_path, "--as-of", AS_OF, "--format", "json")
    assert json.loads(out)["rule"]["kind"] == "users"
    code, out, err = run(capsys, "activation", "--workspace", ws_path, "--rule", '{"kind": "nope"}')
    assert code == 1 and "kind must be one of" in err and out == ""
    code, _, err = run(capsys, "settings", "activation_rule", "not json", "--workspace", ws_path)
    assert code == 1 and "JSON object" in err


def test_find_on_a_tiny_workspace_explains(capsys, ws_path):
    code, _, err = run(capsys, "activation", "--workspace", ws_path, "--find")
    assert code == 1 and "at least" in err


def test_find_on_the_demo_prints_the_winner(capsys, demo_workspace_path):
    code, out, _ = run(capsys, "activation", "--workspace", str(demo_workspace_path), "--find", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["winner"]["window_days"] in (7, 14, 30, 60, 90) and data["holds_on_later_cohorts"] is True
    assert data["winner_scores"]["fit_separation"] >= data["rule_in_force_scores"]["fit_separation"]


def test_where_keeps_one_segment(capsys, ws_path):
    code, out, _ = run(capsys, "activation", "--workspace", ws_path, "--as-of", AS_OF, "--format", "json",
                       "--where", "segment=ENT")
    assert code == 0
    data = json.loads(out)
    assert data["accounts"] == 2 and data["not_activated_by_window"] == 1  # d activated, g not
