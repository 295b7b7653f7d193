"""The as-of rule (metrics.md, Time): the data's as-of, the workspace setting in force, the partial
last month, and the telco case (churners ending on 2024-11-30, a contract starting 2024-12-01)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_analytics.cli import main as cli

from cs_analytics.retention import cohorts

from cs_analytics.retention import revenue

from cs_analytics.retention import survival
from cs_analytics.core.db import close_workspace
from cs_analytics.retention.months import months_relation, window
from cs_analytics.core.settings import latest_as_of, set_setting
from cs_analytics.core.workspace import as_of_notice, data_as_of, resolve_as_of
from factories import build_workspace

D = dt.date


def telco_frames(extra_contracts=(), extra_usage=(), nps=None):
    """T0..T9 customers at 100 from 2023-01-01; T0..T2 end on 2024-11-30; N1 starts 2024-12-01;
    usage through 2024-11-30."""
    rows = [(f"T{i}", "2023-01-01", "2024-11-30" if i < 3 else None, 100.0) for i in range(10)]
    rows += [("N1", "2024-12-01", None, 100.0), *extra_contracts]
    contracts = pd.DataFrame(rows, columns=["account_id", "start_date", "end_date", "mrr"])
    usage = pd.DataFrame(
        [(f"T{i}", day) for i in range(10) for day in ("2024-10-15", "2024-11-30")] + list(extra_usage),
        columns=["account_id", "event_date"])
    return {"contracts": contracts, "usage": usage, "nps": nps}


@pytest.fixture
def telco(tmp_path):
    ws = build_workspace(tmp_path / "telco.duckdb", **telco_frames())
    yield ws
    close_workspace(ws.path)


def last_row(bridge: pd.DataFrame) -> pd.Series:
    return bridge.iloc[-1]


def test_default_as_of_is_the_data_and_says_the_last_month_is_partial(telco):
    assert data_as_of(telco) == D(2024, 12, 1)
    assert resolve_as_of(telco, None) == D(2024, 12, 1)
    bridge = revenue.mrr_bridge(telco)
    assert last_row(bridge)["month"] == pd.Timestamp("2024-11-01")
    assert last_row(bridge)["churn"] == 0  # true as defined: the churn is dated in December
    notice = as_of_notice(telco)
    assert notice.source == "data" and notice.is_partial
    assert notice.partial_month == D(2024, 12, 1) and notice.last_complete_month == D(2024, 11, 1)
    assert "2024-11-30" in notice.message and "December 2024" in notice.message
    assert "2024-12-31" in notice.message


def test_setting_the_as_of_to_the_month_end_shows_the_churn_everywhere(telco):
    set_setting(telco, "as_of", "2024-12-31", user="lead")
    assert resolve_as_of(telco, None) == D(2024, 12, 31)
    assert data_as_of(telco) == D(2024, 12, 1)  # the data's own as-of is unchanged
    notice = as_of_notice(telco)
    assert notice.source == "setting" and not notice.is_partial
    assert "December 2024" in notice.message and "the data's last date is 2024-12-01" in notice.message
    win = window(telco)
    assert not win.from_raw  # the derived tables were rebuilt through the setting: fast path
    dec = last_row(revenue.mrr_bridge(telco))
    assert dec["month"] == pd.Timestamp("2024-12-01")
    assert dec["churn"] == pytest.approx(300.0) and dec["churn_accounts"] == 3
    assert dec["new"] == pytest.approx(100.0)
    assert dec["grr_12m"] == pytest.approx(0.7) and dec["nrr_12m"] == pytest.approx(0.7)
    assert dec["logo_retention_12m"] == pytest.approx(0.7)
    life = survival.lifetimes(telco)
    churned = life[life["churned"]]
    assert sorted(churned["account_id"]) == ["T0", "T1", "T2"]
    assert set(churned["duration_months"]) == {23}
    logo = cohorts.cohort_long(telco, "logo")
    cell = logo[(logo["cohort"] == "2023-01") & (logo["period"] == 23)]
    assert cell["value"].tolist() == [pytest.approx(0.7)]


def test_derived_tables_built_through_the_setting_match_the_raw_computation(telco):
    set_setting(telco, "as_of", "2024-12-31")
    fast = window(telco)
    raw = window(telco, force_raw=True)
    cols = ["account_id", "month", "mrr", "active"]
    a = telco.query(*months_relation(fast)).sort_values(cols[:2]).reset_index(drop=True)[cols]
    b = telco.query(*months_relation(raw)).sort_values(cols[:2]).reset_index(drop=True)[cols]
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert a["month"].max() == pd.Timestamp("2024-12-01")


def test_an_explicit_as_of_still_wins_and_data_resets(telco):
    set_setting(telco, "as_of", "2024-12-31")
    assert resolve_as_of(telco, "2024-12-01") == D(2024, 12, 1)
    assert last_row(revenue.mrr_bridge(telco, as_of="2024-12-01"))["churn"] == 0
    assert as_of_notice(telco, "2024-12-01").source == "explicit"
    set_setting(telco, "as_of", "data")
    assert resolve_as_of(telco, None) == D(2024, 12, 1)
    assert last_row(revenue.mrr_bridge(telco))["month"] == pd.Timestamp("2024-11-01")


def test_booked_contracts_and_future_rows_never_move_the_as_of(tmp_path):
    ws = build_workspace(tmp_path / "future.duckdb", **telco_frames(
        extra_contracts=[("F1", "2099-01-01", None, 1e6)],
        extra_usage=[("T5", "2062-01-01")]))
    try:
        assert data_as_of(ws) == D(2024, 12, 1)
        nov = last_row(revenue.mrr_bridge(ws))
        assert nov["month"] == pd.Timestamp("2024-11-01") and nov["mrr"] == pytest.approx(1000.0)
    finally:
        close_workspace(ws.path)


def test_nps_dates_count_towards_the_data_as_of(tmp_path):
    nps = pd.DataFrame({"account_id": ["T4"], "responded_at": ["2024-12-20"], "score": [9]})
    ws = build_workspace(tmp_path / "nps.duckdb", **telco_frames(nps=nps))
    try:
        assert data_as_of(ws) == D(2024, 12, 20)
    finally:
        close_workspace(ws.path)


def run_cli(capsys, ws_path, *argv):
    code = cli.main([*argv, "--workspace", str(ws_path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_settings_shows_sets_resets_and_refuses(telco, capsys):
    path = telco.path
    code, out, _ = run_cli(capsys, path, "settings", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "key,value" and "as_of,data" in out and "target_grr,0.9" in out
    code, out, _ = run_cli(capsys, path, "settings", "as_of", "2024-12-31", "--format", "csv")
    assert code == 0 and out.strip().splitlines() == ["key,value", "as_of,2024-12-31"]
    code, out, _ = run_cli(capsys, path, "mrr", "--format", "csv")
    assert code == 0 and out.strip().splitlines()[-1].startswith("2024-12,")
    code, out, _ = run_cli(capsys, path, "mrr", "--format", "csv", "--as-of", "2024-12-01")
    assert code == 0 and out.strip().splitlines()[-1].startswith("2024-11,")
    code, out, _ = run_cli(capsys, path, "settings", "as_of", "data", "--format", "csv")
    assert code == 0 and out.strip().splitlines() == ["key,value", "as_of,data"]
    code, out, _ = run_cli(capsys, path, "settings", "target_nrr", "--format", "csv")
    assert code == 0 and out.strip().splitlines() == ["key,value", "target_nrr,1.1"]
    for bad in (["as_of", "31/12/2024"], ["target_grr", "lots"], ["nonsense", "1"]):
        code, out, err = run_cli(capsys, path, "settings", *bad)
        assert code == 1 and out == ""
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_overview_customers_scored_follow_the_as_of_in_force(telco):
    from cs_analytics.views.overview import overview_summary

    partial = overview_summary(telco)
    assert partial.last_complete_month == D(2024, 11, 1)
    assert partial.scored_accounts == 8  # customers on 2024-12-01: T3..T9 and N1
    assert "December 2024 (partial)" in partial.scored_note and "November 2024" in partial.scored_note
    set_setting(telco, "as_of", "2024-12-31")
    full = overview_summary(telco)
    dec = last_row(revenue.mrr_bridge(telco))
    assert full.as_of == D(2024, 12, 31) and full.last_complete_month == D(2024, 12, 1)
    assert full.scored_accounts == dec["customers"] == 8
    assert "partial" not in full.scored_note
    assert full.kpi("grr_12m").value == pytest.approx(0.7)


def test_account_choices_mark_customers_of_the_last_complete_month_in_force(telco):
    from cs_analytics.core.accounts import account_choices

    def customers():
        choices = account_choices(telco)
        return set(choices.loc[choices["is_customer"], "account_id"])

    assert customers() == {f"T{i}" for i in range(10)}  # November
    set_setting(telco, "as_of", "2024-12-31")
    assert customers() == {f"T{i}" for i in range(3, 10)} | {"N1"}  # December


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=12), st.dates().map(dt.date.isoformat)))
def test_as_of_setting_takes_a_date_or_data_and_refuses_the_rest_in_one_sentence(telco, text):
    try:
        stored = set_setting(telco, "as_of", text)
    except ValueError as exc:
        assert "\n" not in str(exc) and "as_of" in str(exc)
        try:
            assert dt.date.fromisoformat(text.strip()) > latest_as_of()  # parsed, but too late
        except ValueError:
            pass  # not a date
        return
    if stored == "data":
        assert text.strip().lower() == "data" and resolve_as_of(telco, None) == D(2024, 12, 1)
    else:
        assert resolve_as_of(telco, None) == dt.date.fromisoformat(text.strip())
        assert window(telco).from_raw is False


def test_an_as_of_after_this_month_is_refused(telco):
    too_late = latest_as_of() + dt.timedelta(days=1)
    with pytest.raises(ValueError, match="cannot be after"):
        set_setting(telco, "as_of", too_late.isoformat())
    assert set_setting(telco, "as_of", latest_as_of().isoformat()) == latest_as_of().isoformat()
    assert latest_as_of(D(2024, 12, 1)) == D(2024, 12, 31) and latest_as_of(D(2024, 2, 10)) == D(2024, 2, 29)


def test_a_rebuild_binds_the_load_day_and_keeps_the_setting(telco):
    from cs_analytics.core.derived import rebuild_workspace
    from cs_analytics.core.workspace import built_as_of

    assert rebuild_workspace(telco, today=D(2024, 11, 15)) == D(2024, 10, 15)  # later rows wait
    assert data_as_of(telco) == D(2024, 10, 15)
    set_setting(telco, "as_of", "2024-12-31")
    rebuild_workspace(telco)  # what every load does
    assert data_as_of(telco) == D(2024, 12, 1) and built_as_of(telco) == D(2024, 12, 31)
    assert not window(telco).from_raw
