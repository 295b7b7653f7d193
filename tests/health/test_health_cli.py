"""CLI: health, explain, backtest (columns exactly as docs/spec/cli.md)."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from cs_analytics.cli.main import main
from cs_analytics.core.db import close_workspace
from cs_analytics.health.scorecard import default_scorecard
from health_cases import T, backtest_case, measures_case


@pytest.fixture
def case_path(tmp_path):
    path = tmp_path / "m.duckdb"
    measures_case(path)
    close_workspace(path)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_health_csv_columns(case_path, capsys):
    code, out, err = run(capsys, "health", "--workspace", case_path, "--format", "csv", "--as-of", T)
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    expected = ["account_id", "score", "band"]
    for m in default_scorecard().measure_names:
        expected += [f"{m}_raw", f"{m}_score", f"{m}_points"]
    assert frame.columns.tolist() == expected
    assert frame["account_id"].tolist() == ["A", "B"]
    assert frame.loc[0, "usage_trend_raw"] == 2.0


def test_health_with_scorecard_file_and_where(case_path, tmp_path, capsys):
    sc = default_scorecard()
    sc.green_min, sc.yellow_min = 99.9, 99.0
    path = tmp_path / "strict.json"
    path.write_text(sc.to_json())
    code, out, err = run(capsys, "health", "--workspace", case_path, "--format", "json", "--as-of", T,
                         "--scorecard", path, "--where", "segment=SMB")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["account_id"] for r in rows] == ["A"] and rows[0]["band"] == "red"


def test_bad_scorecard_file_is_a_user_error(case_path, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"measures": [{"name": "vibes"}]}')
    code, out, err = run(capsys, "health", "--workspace", case_path, "--scorecard", bad)
    assert code == 1 and "Unknown measure" in err and "Traceback" not in err
    code, out, err = run(capsys, "health", "--workspace", case_path, "--scorecard", tmp_path / "none.json")
    assert code == 1 and "does not exist" in err


def test_explain(case_path, capsys):
    code, out, err = run(capsys, "explain", "A", "--workspace", case_path, "--format", "csv", "--as-of", T)
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert frame.columns.tolist() == ["measure", "raw", "score", "weight", "points", "vs_portfolio", "definition", "unit"]
    assert frame["points"].sum() == pytest.approx(
        pd.read_csv(io.StringIO(run(capsys, "health", "--workspace", case_path, "--format", "csv",
                                    "--as-of", T)[1])).set_index("account_id").loc["A", "score"], abs=1e-3)
    code, out, err = run(capsys, "explain", "Z", "--workspace", case_path, "--as-of", T)
    assert code == 1 and "not a customer" in err


def test_backtest_json(tmp_path, capsys):
    path = tmp_path / "b.duckdb"
    backtest_case(path)
    close_workspace(path)
    code, out, err = run(capsys, "backtest", "--workspace", path, "--horizon-days", 90)
    assert code == 0, err
    data = json.loads(out)
    for key in ("auc", "model_auc", "model_auc_interval", "evaluation", "offered", "per_band",
                "suggested_weights", "too_small"):
        assert key in data
    assert data["evaluation"] == "cv" and data["offered"] is False  # one snapshot, too few churned
    assert set(data["per_band"]["red"]) == {"accounts", "churned", "churn_rate"}
    code, out, err = run(capsys, "backtest", "--workspace", path, "--horizon-days", 0)
    assert code == 1


def test_empty_workspace_is_a_user_error(tmp_path, capsys):
    code, out, err = run(capsys, "health", "--workspace", tmp_path / "empty.duckdb")
    assert code == 1 and "no data" in err
