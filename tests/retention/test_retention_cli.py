"""`mrr`, `cohorts` and `survival` on the command line: columns, formats, exit codes."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from cs_analytics.cli.main import main
from cs_analytics.core.db import close_workspace
from factories import build_workspace


@pytest.fixture
def ws_path(tmp_path):
    path = tmp_path / "w.duckdb"
    build_workspace(
        path,
        contracts=pd.DataFrame({
            "account_id": ["a", "a", "b", "c", "c", "d"],
            "start_date": ["2023-01-15", "2023-06-01", "2023-02-01", "2023-01-01", "2023-09-01", "2023-02-10"],
            "end_date": ["2023-05-31", None, "2023-03-31", "2023-04-30", None, "2024-06-30"],
            "mrr": [100.0, 150.0, 50.0, 80.0, 90.0, 10.0],
        }),
        usage=pd.DataFrame({"account_id": ["a", "b"], "event_date": ["2023-01-20", "2024-03-15"]}),
        accounts=pd.DataFrame({"account_id": list("abcd"), "segment": ["SMB", "ENT", "SMB", "ENT"],
                               "plan": ["pro", "basic", "pro", "=HYPERLINK()"]}),
    )
    close_workspace(path)
    return str(path)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_mrr_csv_columns_months_and_fractions(ws_path, capsys):
    code, out, err = run(capsys, "mrr", "--workspace", ws_path, "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["month", "mrr", "customers", "new", "reactivation", "expansion",
                                   "contraction", "churn", "grr_12m", "nrr_12m", "logo_retention_12m"]
    assert frame["month"].iloc[0] == "2023-01" and frame["month"].iloc[-1] == "2024-02"  # as_of 2024-03-15
    jan24 = frame.set_index("month").loc["2024-01"]
    assert jan24["nrr_12m"] == pytest.approx((150 + 90) / 180)
    assert frame["grr_12m"].dropna().between(0, 1).all()
    reconciled = frame["mrr"].shift(fill_value=0) + frame["new"] + frame["reactivation"] + frame["expansion"] \
        - frame["contraction"] - frame["churn"]
    assert (reconciled - frame["mrr"]).abs().max() < 1e-9


def test_mrr_as_of_and_where(ws_path, capsys):
    code, out, _ = run(capsys, "mrr", "--workspace", ws_path, "--format", "json", "--as-of", "2023-06-30",
                       "--where", "segment=SMB")
    assert code == 0
    rows = json.loads(out)
    assert rows[-1]["month"] == "2023-06"
    assert rows[0]["mrr"] == 180.0


def test_cohorts_long_form_without_censored_cells(ws_path, capsys):
    code, out, err = run(capsys, "cohorts", "--basis", "nrr", "--workspace", ws_path, "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["cohort", "period", "cohort_size", "value"]
    assert frame["value"].notna().all()
    jan = frame[frame["cohort"] == "2023-01"]
    assert jan["period"].max() == 13  # Jan 2023 .. Feb 2024
    assert frame[frame["cohort"] == "2023-02"]["period"].max() == 12
    code, out, _ = run(capsys, "cohorts", "--basis", "logo", "--grain", "quarter", "--where", "segment=ENT",
                       "--workspace", ws_path, "--format", "csv")
    quarter = pd.read_csv(io.StringIO(out))
    assert code == 0 and quarter["cohort"].unique().tolist() == ["2023-Q1"]
    assert quarter["cohort_size"].iloc[0] == 2


def test_survival_by_segment(ws_path, capsys):
    code, out, err = run(capsys, "survival", "--by", "segment", "--workspace", ws_path, "--format", "csv")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["group", "month", "at_risk", "churned", "survival"]
    assert set(frame["group"]) == {"SMB", "ENT"}
    assert frame.groupby("group")["survival"].apply(lambda s: s.is_monotonic_decreasing).all()


def test_user_errors_exit_1_with_one_sentence(ws_path, capsys):
    code, _, err = run(capsys, "survival", "--by", "shoe_size", "--workspace", ws_path)
    assert code == 1 and err.startswith("error: Unknown account column or attribute") and "Traceback" not in err
    code, _, err = run(capsys, "cohorts", "--basis", "logo", "--where", "segment", "--workspace", ws_path)
    assert code == 1 and "COL=VALUE" in err
    code, _, err = run(capsys, "cohorts", "--basis", "nrr", "--activity-unbounded", "--workspace", ws_path)
    assert code == 1 and "activity" in err


def test_usage_errors_exit_2(ws_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["cohorts", "--basis", "revenue", "--workspace", ws_path])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["cohorts", "--workspace", ws_path])
    assert exc.value.code == 2


def test_empty_workspace_prints_no_rows(tmp_path, capsys):
    path = str(tmp_path / "empty.duckdb")
    for args in (["mrr"], ["cohorts", "--basis", "logo"], ["survival"]):
        code, out, _ = run(capsys, *args, "--workspace", path)
        assert code == 0 and "(no rows)" in out
