"""Cohort matrices for every basis and grain against hand counts and the pandas reference."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import reference_retention as ref
from cs_analytics.charts import retention as charts
from cs_analytics.retention import cohorts as co
from cs_analytics.core.db import close_workspace
from cs_analytics.core.filters import AccountFilter
from factories import build_workspace
from retention_data import choose_as_of, contract_frames


@pytest.fixture
def cohort_ws(tmp_path):
    # Jan 2023 cohort: a (100, expands to 150 in Jun), c (80, churns in May, back in Sep at 90).
    # Feb 2023 cohort: b (50, churns in Apr), d (10, open-ended).
    # usage: a active Jan + Apr, b active Feb, d has only a zero-value row (never active).
    ws = build_workspace(
        tmp_path / "w.duckdb",
        contracts=pd.DataFrame({
            "account_id": ["a", "a", "b", "c", "c", "d"],
            "start_date": ["2023-01-15", "2023-06-01", "2023-02-01", "2023-01-01", "2023-09-01", "2023-02-10"],
            "end_date": ["2023-05-31", None, "2023-03-31", "2023-04-30", None, None],
            "mrr": [100.0, 150.0, 50.0, 80.0, 90.0, 10.0],
        }),
        usage=pd.DataFrame({"account_id": ["a", "a", "b", "d"],
                            "event_date": ["2023-01-20", "2023-04-10", "2023-02-10", "2023-03-03"],
                            "value": [1.0, 2.0, 1.0, 0.0]}),
        accounts=pd.DataFrame({"account_id": list("abcd"), "segment": ["SMB", "ENT", "SMB", "ENT"]}),
    )
    yield ws
    close_workspace(ws.path)


def cell(matrix, cohort, period):
    cells = matrix.cells.set_index(["cohort_label", "period"])
    return cells.loc[(cohort, period)]


def test_hand_logo_nrr_grr(cohort_ws):
    as_of = "2023-08-15"  # last complete month: July 2023
    logo = co.cohort_matrix(cohort_ws, "logo", as_of=as_of)
    assert logo.sizes.set_index("cohort_label")["cohort_size"].to_dict() == {"2023-01": 2, "2023-02": 2}
    assert cell(logo, "2023-01", 0).value == 1.0
    assert cell(logo, "2023-01", 4).value == 0.5  # c gone in May
    assert cell(logo, "2023-02", 2).value == 0.5  # b gone in April
    assert cell(logo, "2023-02", 6).censored and pd.isna(cell(logo, "2023-02", 6).value)  # Aug > Jul
    nrr = co.cohort_matrix(cohort_ws, "nrr", as_of=as_of)
    assert cell(nrr, "2023-01", 5).value == pytest.approx(150 / 180)
    assert cell(nrr, "2023-01", 5).retained == pytest.approx(150)
    grr = co.cohort_matrix(cohort_ws, "grr", as_of=as_of)
    assert cell(grr, "2023-01", 5).value == pytest.approx(100 / 180)
    assert cell(grr, "2023-02", 3).value == pytest.approx(10 / 60)


def test_period_zero_is_one_and_censored_cells_are_null_never_zero(cohort_ws):
    for basis in co.BASES:
        matrix = co.cohort_matrix(cohort_ws, basis, as_of="2023-08-15")
        zero = matrix.cells[matrix.cells["period"] == 0]
        assert (zero["value"] == 1.0).all(), basis
        censored = matrix.cells[matrix.cells["censored"]]
        assert len(censored) and censored["value"].isna().all() and censored["retained"].isna().all()
        observed = matrix.cells[~matrix.cells["censored"]]
        assert observed["value"].notna().all()
        assert (pd.to_datetime(observed["value_month"]) <= pd.Timestamp("2023-07-01")).all()


def test_activity_bounded_and_unbounded(cohort_ws):
    bounded = co.cohort_matrix(cohort_ws, "activity", as_of="2023-08-15")
    # d's only usage row has value 0: d is not in any activity cohort
    assert bounded.sizes.set_index("cohort_label")["cohort_size"].to_dict() == {"2023-01": 1, "2023-02": 1}
    assert cell(bounded, "2023-01", 1).value == 0.0 and cell(bounded, "2023-01", 3).value == 1.0
    unbounded = co.cohort_matrix(cohort_ws, "activity", unbounded=True, as_of="2023-08-15")
    assert cell(unbounded, "2023-01", 1).value == 1.0  # active again in April
    assert cell(unbounded, "2023-01", 4).value == 0.0
    assert unbounded.label == co.UNBOUNDED_ACTIVITY_LABEL


def test_quarter_grain_reads_blocks_of_each_accounts_own_timeline(cohort_ws):
    """metrics.md Time: period k = months s+3k .. s+3k+2 of each account; revenue read at s+3k."""
    matrix = co.cohort_matrix(cohort_ws, "logo", "quarter", as_of="2023-10-20")  # L = Sep 2023
    assert matrix.sizes["cohort_label"].tolist() == ["2023-Q1"]
    assert cell(matrix, "2023-Q1", 0).cohort_size == 4
    assert cell(matrix, "2023-Q1", 0).value == 1.0
    assert cell(matrix, "2023-Q1", 1).value == 0.75  # a, c read in April, d in May; b gone by May
    # b and d start in February: their period-2 block (Aug-Oct) ends after L, so the cell waits
    assert cell(matrix, "2023-Q1", 2).censored and np.isnan(cell(matrix, "2023-Q1", 2).value)
    assert matrix.complete_month("2023-Q1", 2) == dt.date(2023, 10, 1)
    assert matrix.cell_censored("2023-Q1", 2) and not matrix.cell_censored("2023-Q1", 1)
    feb = dt.date(2023, 2, 1)
    assert co.is_censored(dt.date(2023, 1, 1), 2, "quarter", dt.date(2023, 9, 1), last_start=feb)
    assert not co.is_censored(dt.date(2023, 1, 1), 1, "quarter", dt.date(2023, 9, 1), last_start=feb)
    assert co.cell_accounts(cohort_ws, "logo", "2023-Q1", 2, "quarter", as_of="2023-10-20").empty
    nrr = co.cohort_matrix(cohort_ws, "nrr", "quarter", as_of="2023-10-20")
    assert cell(nrr, "2023-Q1", 1).value == pytest.approx((100 + 80 + 10) / 240)
    later = co.cohort_matrix(cohort_ws, "nrr", "quarter", as_of="2023-10-31")  # L = Oct: complete
    assert cell(later, "2023-Q1", 2).value == pytest.approx((150 + 10) / 240)  # a in Jul, d in Aug


def test_weighted_average_uses_observed_cohorts_only(cohort_ws):
    logo = co.cohort_matrix(cohort_ws, "logo", as_of="2023-08-15")
    avg = logo.average_curve().set_index("period")
    assert avg.at[2, "value"] == pytest.approx((2 + 1) / 4)
    assert avg.at[6, "cohorts"] == 1 and avg.at[6, "value"] == pytest.approx(0.5)  # only Jan observed
    nrr = co.cohort_matrix(cohort_ws, "nrr", as_of="2023-08-15").average_curve().set_index("period")
    assert nrr.at[3, "value"] == pytest.approx((100 + 80 + 10) / (180 + 60))  # weights: starting MRR


def test_cell_drill_down_lists_retained_and_lost(cohort_ws):
    accounts = co.cell_accounts(cohort_ws, "logo", "2023-02", 2, as_of="2023-08-15")
    assert dict(zip(accounts["account_id"], accounts["status"])) == {"d": "retained", "b": "lost"}
    activity = co.cell_accounts(cohort_ws, "activity", "2023-01", 3, as_of="2023-08-15")
    assert dict(zip(activity["account_id"], activity["status"])) == {"a": "retained"}
    assert co.cell_accounts(cohort_ws, "logo", "2023-02", 6, as_of="2023-08-15").empty  # censored


def test_filter_and_long_form(cohort_ws):
    smb = co.cohort_matrix(cohort_ws, "logo", account_filter=AccountFilter.of(segment="SMB"), as_of="2023-08-15")
    assert smb.sizes["cohort_size"].sum() == 2  # a and c
    long = co.cohort_long(cohort_ws, "logo", as_of="2023-08-15")
    assert list(long.columns) == list(co.CLI_COLUMNS)
    assert not long["value"].isna().any()
    assert len(long) == 7 + 6  # censored cells omitted


def test_labels_and_parsing():
    assert co.parse_cohort("2024-Q2", "quarter") == dt.date(2024, 4, 1)
    assert co.parse_cohort("2024-05", "quarter") == dt.date(2024, 4, 1)
    assert co.cohort_label(dt.date(2024, 11, 1), "quarter") == "2024-Q4"
    assert co.value_month(dt.date(2024, 1, 1), 1, "quarter", last_start=dt.date(2024, 1, 1)) == dt.date(2024, 6, 1)
    assert co.value_month(dt.date(2024, 1, 1), 1, "quarter") == dt.date(2024, 8, 1)  # latest start: March
    with pytest.raises(ValueError):
        co.parse_cohort("March", "month")
    with pytest.raises(ValueError):
        co.cohort_matrix(None, "revenue")


def test_heatmap_blank_censored_cells_with_hover_text(cohort_ws):
    matrix = co.cohort_matrix(cohort_ws, "logo", as_of="2023-08-15")
    fig = charts.cohort_heatmap(matrix)
    trace = fig.data[0]
    assert trace.z[1][6] is None and trace.z[0][6] == pytest.approx(50.0)
    assert "not yet observed" in trace.hovertext[1][6]
    assert trace.y[0] == "2023-01 (n=2)"


def test_empty_workspace(tmp_workspace):
    matrix = co.cohort_matrix(tmp_workspace, "nrr")
    assert matrix.cells.empty and matrix.long().empty and matrix.average_curve().empty


# -- property: agreement with the pandas reference built from raw contracts and usage ----------

DRILL_DOWN_CELLS_PER_MATRIX = 3


def spread_cells(values: dict, count: int = DRILL_DOWN_CELLS_PER_MATRIX) -> list:
    """First, middle and last observed cells: a drill-down query per cell is the slow part, and
    fifty generated data sets times three cells cover the corners the matrix check does not."""
    cells = sorted(values)
    if len(cells) <= count:
        return cells
    step = (len(cells) - 1) / (count - 1)
    return [cells[round(i * step)] for i in range(count)]


def assert_drill_down_matches(ws, mrr, active, basis, unbounded, as_of, values) -> None:
    """Observed quarter cells (first, middle, last) list the reference's accounts with the same status."""
    for cohort, period in spread_cells(values):
        got = co.cell_accounts(ws, basis, cohort, period, "quarter", unbounded, as_of=as_of)
        expected = ref.cell_members(mrr, active, basis, "quarter", unbounded, cohort, period)
        assert dict(zip(got["account_id"], got["status"])) == expected, (basis, cohort, period)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=contract_frames())
def test_matrix_matches_reference_on_generated_data(frames):
    contracts_df, usage_df, as_of_kind = frames
    as_of = choose_as_of(contracts_df, usage_df, as_of_kind)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.duckdb"
        ws = build_workspace(path, contracts=contracts_df, usage=usage_df if len(usage_df) else None)
        try:
            effective = as_of or ref.data_as_of(contracts_df, usage_df).date()
            mrr = ref.month_end_mrr(contracts_df, usage_df, effective)
            active = ref.activity(usage_df, mrr, effective)
            for basis in co.BASES:
                totals = {}
                for grain in co.GRAINS:
                    for unbounded in ((False, True) if basis == "activity" else (False,)):
                        matrix = co.cohort_matrix(ws, basis, grain, unbounded, as_of=as_of)
                        values, sizes = ref.cohort_matrix(mrr, active, basis, grain, unbounded)
                        got = {(r.cohort, r.period): r.value for r in matrix.long().itertuples()}
                        assert got.keys() == values.keys(), (basis, grain)
                        for key, value in values.items():
                            assert got[key] == pytest.approx(value, abs=1e-9), (basis, grain, key)
                        assert matrix.sizes.set_index("cohort_label")["cohort_size"].to_dict() == sizes
                        censored = matrix.cells[matrix.cells["censored"]]
                        assert censored["value"].isna().all()
                        totals[grain] = int(matrix.sizes["cohort_size"].sum())
                        if grain == "quarter" and basis in ("logo", "activity"):
                            assert_drill_down_matches(ws, mrr, active, basis, unbounded, as_of, values)
                assert totals["quarter"] == totals["month"], basis  # no account is lost at quarter grain
        finally:
            close_workspace(path)


def test_demo_matrices(demo_ws):
    for basis in co.BASES:
        matrix = co.cohort_matrix(demo_ws, basis)
        assert len(matrix.sizes) >= 24
        observed = matrix.cells[~matrix.cells["censored"]]
        assert (observed[observed["period"] == 0]["value"] == 1.0).all()
        assert matrix.cells[matrix.cells["censored"]]["value"].isna().all()
        if basis in ("logo", "grr"):
            assert observed["value"].between(0, 1).all()
    quarter = co.cohort_matrix(demo_ws, "nrr", "quarter")
    assert len(quarter.sizes) >= 8


def test_quarter_grain_keeps_every_account_and_period_zero_is_one(tmp_path):
    """metrics.md Time: no account is lost. x is a customer at the end of February only, y starts
    in February at 100 and expands to 150 in March, z runs January to May: all three are 2023-Q1,
    starting MRR is MRR at the start month (x 50, y 100, z 80)."""
    ws = build_workspace(
        tmp_path / "q.duckdb",
        contracts=pd.DataFrame({
            "account_id": ["x", "y", "y", "z"],
            "start_date": ["2023-02-01", "2023-02-01", "2023-03-01", "2023-01-01"],
            "end_date": ["2023-02-28", "2023-02-28", None, "2023-05-31"],
            "mrr": [50.0, 100.0, 150.0, 80.0],
        }),
        usage=pd.DataFrame({"account_id": ["z"], "event_date": ["2023-12-31"]}),
    )
    for basis in ("logo", "grr", "nrr"):
        matrix = co.cohort_matrix(ws, basis, "quarter")
        assert cell(matrix, "2023-Q1", 0).cohort_size == 3, basis
        assert cell(matrix, "2023-Q1", 0).value == 1.0, basis
    nrr = co.cohort_matrix(ws, "nrr", "quarter")
    assert cell(nrr, "2023-Q1", 1).value == pytest.approx((0 + 150 + 80) / 230)  # x May, y May, z Apr
    assert cell(nrr, "2023-Q1", 2).value == pytest.approx(150 / 230)  # z gone by July
    grr = co.cohort_matrix(ws, "grr", "quarter")
    assert cell(grr, "2023-Q1", 1).value == pytest.approx((0 + 100 + 80) / 230)
    close_workspace(ws.path)


def test_a_purchase_log_starting_in_one_quarter_is_one_quarter_cohort(tmp_path):
    """The issue's case: every customer starts in Q1 1997 (any day, some gone within weeks, some
    buying only once); the quarter grain holds all of them in 1997-Q1 and no other cohort."""
    rng = np.random.default_rng(7)
    rows, usage = [], []
    for i in range(40):
        start = pd.Timestamp("1997-01-01") + pd.Timedelta(days=int(rng.integers(0, 90)))
        days = int(rng.choice([5, 40, 200, 700]))
        rows.append((f"P{i}", start.date(), (start + pd.Timedelta(days=days)).date(), 10.0))
        usage.append((f"P{i}", start.date()))
    ws = build_workspace(
        tmp_path / "p.duckdb",
        contracts=pd.DataFrame(rows, columns=["account_id", "start_date", "end_date", "mrr"]),
        usage=pd.DataFrame(usage + [("P0", dt.date(1998, 6, 30))], columns=["account_id", "event_date"]))
    for basis in co.BASES:
        month = co.cohort_matrix(ws, basis, "month").sizes["cohort_size"].sum()
        quarter = co.cohort_matrix(ws, basis, "quarter").sizes
        assert quarter["cohort_label"].tolist() == ["1997-Q1"], basis
        assert quarter["cohort_size"].sum() == month, basis
    assert co.cohort_matrix(ws, "activity", "quarter").sizes["cohort_size"].sum() == 40
    close_workspace(ws.path)
