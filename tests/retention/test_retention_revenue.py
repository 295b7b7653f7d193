"""MRR bridge, movements, 12m GRR/NRR/logo retention, KPIs and drill-down (metrics.md, Revenue)."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import reference_retention as ref
from cs_analytics.retention import revenue
from cs_analytics.core.db import close_workspace
from cs_analytics.core.filters import AccountFilter
from cs_analytics.retention.months import months_relation, window
from factories import build_workspace
from retention_data import choose_as_of, contract_frames

MOVEMENT_SIGNS = {"new": 1, "reactivation": 1, "expansion": 1, "contraction": -1, "churn": -1}


def assert_bridge_reconciles(bridge: pd.DataFrame) -> None:
    """MRR(M) = MRR(M-1) + new + reactivation + expansion - contraction - churn, every month."""
    previous = 0.0
    for row in bridge.itertuples():
        moved = sum(sign * getattr(row, m) for m, sign in MOVEMENT_SIGNS.items())
        assert row.mrr == pytest.approx(previous + moved, abs=1e-6), row.month
        previous = row.mrr


def contracts(*rows):
    return pd.DataFrame(rows, columns=["account_id", "start_date", "end_date", "mrr"])


@pytest.fixture
def hand_ws(tmp_path):
    # a: 100 from Jan 2023, expands to 150 from Jun 2023 (gap-free renewal), open-ended.
    # b: 50 Feb-Mar 2023, churns in April, never back.
    # c: 80 Jan-Apr 2023, churns in May, reactivates at 90 in Sep 2023 (open-ended).
    # d: 200 from Mar 2023, contracts to 120 from Jan 2024 (renewal).
    # e: starts and ends within March 2023 (never a customer at a month end).
    ws = build_workspace(tmp_path / "w.duckdb", contracts=contracts(
        ("a", "2023-01-15", "2023-05-31", 100.0),
        ("a", "2023-06-01", None, 150.0),
        ("b", "2023-02-01", "2023-03-31", 50.0),
        ("c", "2023-01-01", "2023-04-30", 80.0),
        ("c", "2023-09-01", None, 90.0),
        ("d", "2023-03-01", "2023-12-31", 200.0),
        ("d", "2024-01-01", "2024-12-31", 120.0),
        ("e", "2023-03-02", "2023-03-20", 999.0),
    ), accounts=pd.DataFrame({"account_id": list("abcde"), "segment": ["SMB", "SMB", "ENT", "ENT", "SMB"]}))
    yield ws
    close_workspace(ws.path)


def row(bridge, month):
    return bridge[bridge["month"] == pd.Timestamp(month)].iloc[0]


def test_hand_bridge_movements(hand_ws):
    bridge = revenue.mrr_bridge(hand_ws, as_of="2024-03-31")
    assert bridge["month"].min() == pd.Timestamp("2023-01-01")
    assert bridge["month"].max() == pd.Timestamp("2024-03-01")  # as_of is a month end: March complete
    jan = row(bridge, "2023-01-01")
    assert (jan.mrr, jan.customers, jan.new) == (180.0, 2, 180.0)
    mar = row(bridge, "2023-03-01")
    assert (mar.mrr, mar.new, mar.new_accounts) == (430.0, 200.0, 1)  # e is never a month-end customer
    assert row(bridge, "2023-04-01").churn == 50.0
    assert row(bridge, "2023-05-01").churn == 80.0
    assert row(bridge, "2023-06-01").expansion == 50.0
    sep = row(bridge, "2023-09-01")
    assert (sep.reactivation, sep.new) == (90.0, 0.0)
    jan24 = row(bridge, "2024-01-01")
    assert (jan24.contraction, jan24.mrr) == (80.0, 360.0)
    assert_bridge_reconciles(bridge)


def test_hand_trailing_12m_rates(hand_ws):
    bridge = revenue.mrr_bridge(hand_ws, as_of="2024-03-31")
    assert row(bridge, "2023-12-01")[["grr_12m", "nrr_12m", "logo_retention_12m"]].isna().all()
    # Jan 2024 vs Jan 2023: base {a: 100, c: 80}; now a 150, c 90.
    jan = row(bridge, "2024-01-01")
    assert jan.grr_12m == pytest.approx(180 / 180)
    assert jan.nrr_12m == pytest.approx(240 / 180)
    assert jan.logo_retention_12m == pytest.approx(1.0)
    assert jan.expansion_rate_12m == pytest.approx(60 / 180)
    # Mar 2024 vs Mar 2023: base {a 100, b 50, c 80, d 200} = 430; now a 150, b 0, c 90, d 120.
    mar = row(bridge, "2024-03-01")
    assert mar.grr_12m == pytest.approx((100 + 0 + 80 + 120) / 430)
    assert mar.nrr_12m == pytest.approx((150 + 90 + 120) / 430)
    assert mar.logo_retention_12m == pytest.approx(3 / 4)
    assert mar.base_accounts_12m == 4


def test_kpis_compare_with_a_year_before(hand_ws):
    table = revenue.kpis(hand_ws, as_of="2024-03-31").set_index("metric")
    assert table.at["mrr", "value"] == 360.0
    assert table.at["mrr", "year_before"] == 430.0
    assert table.at["mrr", "change"] == -70.0
    assert table.at["logo_churn_12m", "value"] == pytest.approx(0.25)
    assert pd.isna(table.at["grr_12m", "year_before"])  # no base in March 2022


def test_drill_down_lists_the_accounts_of_a_movement(hand_ws):
    reactivated = revenue.movement_accounts(hand_ws, "2023-09", "reactivation", as_of="2024-03-31")
    assert reactivated["account_id"].tolist() == ["c"]
    churned = revenue.movement_accounts(hand_ws, dt.date(2023, 4, 1), "churn", as_of="2024-03-31")
    assert churned[["account_id", "mrr_before", "mrr_after"]].values.tolist() == [["b", 50.0, 0.0]]
    assert revenue.movement_accounts(hand_ws, "2024-05", "churn", as_of="2024-03-31").empty  # censored
    with pytest.raises(ValueError):
        revenue.movement_accounts(hand_ws, "2023-09", "upsell")


def test_filter_and_as_of_are_honoured(hand_ws):
    smb = revenue.mrr_bridge(hand_ws, AccountFilter.of(segment="SMB"), as_of="2023-12-15")
    assert smb["month"].max() == pd.Timestamp("2023-11-01")  # Dec not complete on the 15th
    assert row(smb, "2023-03-01").mrr == 150.0  # a + b (e is SMB but has no month-end MRR)
    assert_bridge_reconciles(smb)


def test_later_as_of_runs_open_ended_contracts_on(hand_ws):
    data_as_of = window(hand_ws).as_of
    assert data_as_of == dt.date(2024, 1, 1)
    later = revenue.mrr_bridge(hand_ws, as_of="2024-06-30")
    assert later["month"].max() == pd.Timestamp("2024-06-01")
    assert row(later, "2024-06-01").mrr == 150 + 90 + 120  # open-ended a and c continue


def test_empty_workspace(tmp_workspace):
    assert revenue.mrr_bridge(tmp_workspace).empty
    assert revenue.kpis(tmp_workspace).empty
    assert list(revenue.mrr_table(tmp_workspace).columns) == list(revenue.CLI_COLUMNS)


# -- property: the bridge reconciles and agrees with the pandas reference from raw contracts -----

@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=contract_frames())
def test_bridge_matches_reference_on_generated_contracts(frames):
    contracts_df, usage_df, as_of_kind = frames
    as_of = choose_as_of(contracts_df, usage_df, as_of_kind)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.duckdb"
        ws = build_workspace(path, contracts=contracts_df, usage=usage_df if len(usage_df) else None)
        try:
            bridge = revenue.mrr_bridge(ws, as_of=as_of)
            effective = as_of or ref.data_as_of(contracts_df, usage_df).date()
            expected = ref.bridge(ref.month_end_mrr(contracts_df, usage_df, effective))
            assert_bridge_reconciles(bridge)
            assert len(bridge) == len(expected)
            if len(expected):
                cols = ["mrr", "customers", "new", "reactivation", "expansion", "contraction", "churn",
                        "grr_12m", "nrr_12m", "logo_retention_12m", "expansion_rate_12m"]
                assert (bridge["month"].values == pd.to_datetime(expected["month"]).values).all()
                np.testing.assert_allclose(bridge[cols].to_numpy(float), expected[cols].to_numpy(float),
                                           rtol=1e-9, atol=1e-9)
            # the derived account_month and the raw computation agree wherever both apply
            win = window(ws, as_of)
            if win is not None and not win.from_raw:
                sql, params = months_relation(win)
                raw_sql, raw_params = months_relation(window(ws, as_of, force_raw=True))
                a = ws.query(f"SELECT * FROM ({sql}) ORDER BY 1, 2", params)
                b = ws.query(f"SELECT * FROM ({raw_sql}) ORDER BY 1, 2", raw_params)
                pd.testing.assert_frame_equal(a, b, check_dtype=False)
        finally:
            close_workspace(path)


def test_bridge_reconciles_on_the_demo(demo_ws):
    bridge = revenue.mrr_bridge(demo_ws)
    assert len(bridge) > 24
    assert_bridge_reconciles(bridge)
    assert bridge["churn"].sum() > 0 and bridge["reactivation"].sum() > 0
    assert bridge["grr_12m"].dropna().between(0, 1).all()
    for segment in ("SMB", "Enterprise"):
        assert_bridge_reconciles(revenue.mrr_bridge(demo_ws, AccountFilter.of(segment=segment)))


def test_demo_bridge_matches_the_reference_from_raw_contracts(demo_ws):
    contracts_df = demo_ws.query("SELECT account_id, start_date, end_date, mrr FROM contracts")
    usage_df = demo_ws.query("SELECT account_id, min(event_date) AS event_date FROM usage GROUP BY 1")
    as_of = window(demo_ws).as_of
    mrr = ref.month_end_mrr(contracts_df, usage_df, as_of)
    expected_total = mrr.sum(axis=0)
    bridge = revenue.mrr_bridge(demo_ws).set_index("month")
    np.testing.assert_allclose(bridge["mrr"].to_numpy(), expected_total.to_numpy(), rtol=1e-9)
    np.testing.assert_array_equal(bridge["customers"].to_numpy(), (mrr > 0).sum(axis=0).to_numpy())
