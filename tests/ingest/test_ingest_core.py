"""ingest_dataframe: validation rules, quarantine, replace/append, atomicity, flags untouched."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from cs_analytics.core import derived

from cs_analytics.ingest import load as ingest
from cs_analytics.ingest.load import IngestRefused, ingest_dataframe
from cs_analytics.ingest.log import quarantine_rows, upload_history


def contracts_frame(**overrides):
    base = {
        "account_id": ["A", "B", "C"],
        "contract_id": ["K1", "K2", "K3"],
        "start_date": ["2024-01-01", "2024-02-01", "2024-03-01"],
        "end_date": [None, "2024-12-31", None],
        "mrr": ["100", "200", "300"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_contracts_load_and_derived(tmp_workspace):
    result = ingest_dataframe(tmp_workspace, "contracts", contracts_frame(), file_name="c.csv")
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (3, 3, 0)
    stored = tmp_workspace.query("SELECT contract_id, mrr, end_date FROM contracts ORDER BY contract_id")
    assert stored["mrr"].tolist() == [100.0, 200.0, 300.0]
    assert tmp_workspace.row_count("account_month") > 0
    assert set(tmp_workspace.query("SELECT account_id FROM accounts")["account_id"]) == {"A", "B", "C"}


def test_row_problems_are_quarantined_with_line_column_reason(tmp_workspace):
    frame = pd.DataFrame({
        "account_id": ["A", "", "C", "D", "E", "F", "A"],
        "contract_id": ["K1", "K2", "K3", "K4", "K5", "K6", "K1"],
        "start_date": ["2024-01-01", "2024-01-01", "not a date", "2024-05-01", "2024-01-01", "2024-01-01", "2024-01-01"],
        "end_date": [None, None, None, "2024-04-30", None, None, None],
        "mrr": ["10", "10", "10", "10", "-5", "ten", "10"],
    })
    result = ingest_dataframe(tmp_workspace, "contracts", frame, file_name="bad.csv")
    assert result.rows_accepted == 1 and result.rows_quarantined == 6
    q = result.quarantined.set_index("line")
    assert q.loc[3, "column"] == "account_id" and q.loc[3, "reason"] == "empty account_id"
    assert q.loc[4, "column"] == "start_date" and "not a date" in q.loc[4, "reason"]
    assert q.loc[5, "column"] == "end_date" and "before start_date" in q.loc[5, "reason"]
    assert q.loc[6, "column"] == "mrr" and "negative" in q.loc[6, "reason"]
    assert q.loc[7, "column"] == "mrr" and "not a number" in q.loc[7, "reason"]
    assert q.loc[8, "column"] == "contract_id" and "duplicate contract_id K1 (first on line 2)" == q.loc[8, "reason"]
    assert json.loads(q.loc[7, "raw"])["mrr"] == "ten"
    assert len(quarantine_rows(tmp_workspace, "contracts")) == 6


def test_arr_becomes_mrr_and_missing_contract_id_generated(tmp_workspace):
    frame = pd.DataFrame({"account_id": ["A", "B"], "start_date": ["2024-01-01", "2024-01-01"],
                          "arr": ["1,200", "2400"]})
    ingest_dataframe(tmp_workspace, "contracts", frame, file_name="c.csv")
    stored = tmp_workspace.query("SELECT contract_id, mrr FROM contracts ORDER BY account_id")
    assert stored["mrr"].tolist() == [100.0, 200.0]
    assert stored["contract_id"].notna().all() and stored["contract_id"].is_unique


def test_missing_required_column_refused_with_closest_header(tmp_workspace):
    frame = pd.DataFrame({"account_id": ["A"], "start": ["2024-01-01"], "mrr": ["1"]})
    with pytest.raises(IngestRefused, match="start_date.*headers found: account_id, start, mrr.*'start'"):
        ingest_dataframe(tmp_workspace, "contracts", frame, file_name="c.csv")
    assert tmp_workspace.row_count("contracts") == 0
    assert upload_history(tmp_workspace)["status"].tolist() == ["refused"]


def test_mixed_currencies_refused_unless_converted(tmp_workspace):
    ingest_dataframe(tmp_workspace, "contracts", contracts_frame(), file_name="first.csv")
    mixed = contracts_frame(currency=["EUR", "usd", "EUR"], contract_id=["X1", "X2", "X3"])
    with pytest.raises(IngestRefused, match=r"mixes 2 currencies \(EUR, USD\)"):
        ingest_dataframe(tmp_workspace, "contracts", mixed, file_name="mixed.csv")
    assert tmp_workspace.query("SELECT contract_id FROM contracts ORDER BY 1")["contract_id"].tolist() == ["K1", "K2", "K3"]
    result = ingest_dataframe(tmp_workspace, "contracts", mixed, file_name="mixed.csv", amounts_converted=True)
    assert result.rows_accepted == 3


def test_replace_vs_append_and_duplicates_against_existing(tmp_workspace):
    ws = tmp_workspace
    ingest_dataframe(ws, "contracts", contracts_frame(), file_name="a.csv")
    more = contracts_frame(contract_id=["K3", "K4", "K5"])
    result = ingest_dataframe(ws, "contracts", more, file_name="b.csv", mode="append")
    assert result.rows_accepted == 2
    assert "K3 is already loaded" in result.quarantined["reason"].iloc[0]
    assert ws.row_count("contracts") == 5
    ingest_dataframe(ws, "contracts", more, file_name="c.csv", mode="replace")
    assert sorted(ws.query("SELECT contract_id FROM contracts")["contract_id"]) == ["K3", "K4", "K5"]
    assert len(quarantine_rows(ws, "contracts")) == 0  # the replaced upload's quarantine went with it


def test_flags_untouched_by_uploads(tmp_workspace):
    ws = tmp_workspace
    ws.execute("INSERT INTO flags (account_id, action, user_name, created_at) VALUES ('A', 'flag', 'u', now())")
    for mode in ("replace", "append"):
        for table, frame in [("contracts", contracts_frame()), ("accounts", pd.DataFrame({"account_id": ["A"]}))]:
            ingest_dataframe(ws, table, frame, file_name="x.csv", mode=mode)
    assert ws.row_count("flags") == 1


def test_failure_mid_load_leaves_previous_data(tmp_workspace, monkeypatch):
    ws = tmp_workspace
    ingest_dataframe(ws, "contracts", contracts_frame(), file_name="good.csv")
    before = ws.query("SELECT * FROM contracts ORDER BY contract_id")
    months_before = ws.row_count("account_month")

    def boom(cur, **_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(derived, "rebuild", boom)
    with pytest.raises(RuntimeError):
        ingest_dataframe(ws, "contracts", contracts_frame(contract_id=["Z1", "Z2", "Z3"], mrr=["1", "2", "3"]),
                         file_name="new.csv")
    pd.testing.assert_frame_equal(before, ws.query("SELECT * FROM contracts ORDER BY contract_id"))
    assert ws.row_count("account_month") == months_before
    assert ws.row_count("uploads") == 1 and ws.row_count("quarantine") == 0


def test_usage_defaults_and_timestamps_to_utc_dates(tmp_workspace):
    frame = pd.DataFrame({
        "account_id": ["A", "A", "A", "A"],
        "event_date": ["2024-03-31T23:30:00-05:00", "2024-03-31T12:00:00Z", "2024-03-31 08:00:00", "45382"],
        "value": [None, "3", "0", "-1"],
    })
    result = ingest_dataframe(ws := tmp_workspace, "usage", frame, file_name="u.csv")
    assert result.rows_quarantined == 1 and "negative value" in result.quarantined["reason"].iloc[0]
    stored = ws.query("SELECT event_date, metric, value FROM usage ORDER BY value, event_date")
    assert stored["metric"].unique().tolist() == ["activity"]
    by_day = dict(zip(pd.to_datetime(stored["event_date"]).dt.date, stored["value"]))
    # stored as daily facts: the two events of 31 March (3 and 0) are one row of value 3
    assert by_day == {dt.date(2024, 3, 31): 3.0, dt.date(2024, 4, 1): 1.0}
    assert result.rows_accepted == 3 and result.rows_stored == 2


def test_usage_typed_frame(tmp_workspace):
    frame = pd.DataFrame({"account_id": ["A", "B"], "event_date": pd.to_datetime(["2024-01-05", "2024-02-01"]),
                          "value": [2.5, 4.0], "_line": [10, 11]})
    ingest_dataframe(tmp_workspace, "usage", frame, file_name="u.parquet")
    assert tmp_workspace.query("SELECT sum(value) AS s FROM usage")["s"].iloc[0] == 6.5


@pytest.mark.parametrize("values, expected_order, note_word", [
    (["31/01/2024", "01/02/2024"], "dmy", None),
    (["01/31/2024", "02/01/2024"], "mdy", "month-first"),
    (["01/02/2024", "03/04/2024"], "dmy", "ambiguous"),
])
def test_day_month_order_decided_per_column(tmp_workspace, values, expected_order, note_word):
    frame = pd.DataFrame({"account_id": ["A", "B"], "event_date": values})
    result = ingest_dataframe(tmp_workspace, "usage", frame, file_name="u.csv")
    assert result.rows_accepted == 2
    got = tmp_workspace.query("SELECT event_date FROM usage ORDER BY account_id")["event_date"].dt.date.tolist()
    second = got[1]
    if expected_order == "dmy" and values[1] == "01/02/2024":
        assert second == dt.date(2024, 2, 1)
    if expected_order == "mdy":
        assert second == dt.date(2024, 2, 1) and got[0] == dt.date(2024, 1, 31)
    if note_word:
        assert any(note_word in n for n in result.notes)


def test_explicit_date_order_from_mapping(tmp_workspace):
    frame = pd.DataFrame({"account_id": ["A"], "event_date": ["01/02/2024"]})
    ingest_dataframe(tmp_workspace, "usage", frame, file_name="u.csv", date_order="mdy")
    assert tmp_workspace.query("SELECT event_date FROM usage")["event_date"].dt.date.tolist() == [dt.date(2024, 1, 2)]


def test_excel_serial_dates(tmp_workspace):
    frame = pd.DataFrame({"account_id": ["A"], "event_date": ["45382"]})
    ingest_dataframe(tmp_workspace, "usage", frame, file_name="u.xlsx")
    assert tmp_workspace.query("SELECT event_date FROM usage")["event_date"].dt.date.tolist() == [dt.date(2024, 3, 31)]


@pytest.mark.parametrize("raw, expected", [
    (["Green", "YELLOW", "red", "amber"], ["green", "yellow", "red", "yellow"]),
    (["1", "2", "3", "5"], ["red", "red", "yellow", "green"]),
    (["10", "39", "40", "70"], ["red", "red", "yellow", "green"]),
])
def test_sentiment_normalised_raw_kept(tmp_workspace, raw, expected):
    frame = pd.DataFrame({"account_id": list("ABCD"), "assessed_at": ["2024-01-01"] * 4, "sentiment": raw})
    ingest_dataframe(tmp_workspace, "assessments", frame, file_name="a.csv")
    stored = tmp_workspace.query("SELECT sentiment, sentiment_raw FROM assessments ORDER BY account_id")
    assert stored["sentiment"].tolist() == expected and stored["sentiment_raw"].tolist() == raw


def test_bad_sentiment_and_nps_quarantined(tmp_workspace):
    a = pd.DataFrame({"account_id": ["A", "B"], "assessed_at": ["2024-01-01"] * 2, "sentiment": ["green", "purple"]})
    assert ingest_dataframe(tmp_workspace, "assessments", a, file_name="a.csv").rows_quarantined == 1
    n = pd.DataFrame({"account_id": list("ABCDE"), "responded_at": ["2024-01-01"] * 5,
                      "score": ["9", "10.0", "11", "7.5", "x"]})
    result = ingest_dataframe(tmp_workspace, "nps", n, file_name="n.csv")
    assert result.rows_accepted == 2 and set(result.quarantined["column"]) == {"score"}
    assert tmp_workspace.query("SELECT score FROM nps ORDER BY score")["score"].tolist() == [9, 10]


def test_accounts_extra_columns_become_attributes(tmp_workspace):
    frame = pd.DataFrame({"account_id": ["A", "B", "A"], "segment": ["SMB", "Ent", "SMB"],
                          "Employees": ["10", None, "12"]})
    result = ingest_dataframe(tmp_workspace, "accounts", frame, file_name="acc.csv")
    assert result.rows_quarantined == 1 and "duplicate account_id" in result.quarantined["reason"].iloc[0]
    attrs = tmp_workspace.query("SELECT account_id, name, value FROM account_attributes")
    assert attrs.values.tolist() == [["A", "Employees", "10"]]


def test_accounts_append_upgrades_implicit_account(tmp_workspace):
    ws = tmp_workspace
    ingest_dataframe(ws, "contracts", contracts_frame(), file_name="c.csv")
    assert ws.scalar("SELECT implicit FROM accounts WHERE account_id = 'A'")
    ingest_dataframe(ws, "accounts", pd.DataFrame({"account_id": ["A"], "account_name": ["Acme"]}),
                     file_name="acc.csv", mode="append")
    assert ws.query("SELECT account_name, implicit FROM accounts WHERE account_id = 'A'").values.tolist() == [["Acme", False]]


def test_injection_in_values_and_headers_is_inert(tmp_workspace):
    ws = tmp_workspace
    evil = "'); DROP TABLE usage; --"
    frame = pd.DataFrame({"account_id": [evil, "B"], "event_date": ["2024-01-01", evil],
                          'x"); DROP TABLE usage; --': ["1", "2"]})
    result = ingest_dataframe(ws, "usage", frame, file_name=evil)
    assert ws.table_exists("usage")
    assert result.rows_accepted == 1 and ws.query("SELECT account_id FROM usage")["account_id"].tolist() == [evil]
    assert result.quarantined["column"].tolist() == ["event_date"]
    acc = pd.DataFrame({"account_id": ["Z"], 'x"); DROP TABLE accounts; --': [evil]})
    ingest_dataframe(ws, "accounts", acc, file_name="a.csv")
    assert ws.query("SELECT name, value FROM account_attributes").values.tolist() == [['x"); DROP TABLE accounts; --', evil]]


def test_unknown_table_and_mode_refused(tmp_workspace):
    with pytest.raises(IngestRefused, match="Unknown table"):
        ingest_dataframe(tmp_workspace, "users; drop", pd.DataFrame({"a": [1]}), file_name="x")
    with pytest.raises(IngestRefused, match="Unknown mode"):
        ingest_dataframe(tmp_workspace, "usage", pd.DataFrame({"a": [1]}), file_name="x", mode="merge")


def test_progress_and_no_rebuild(tmp_workspace):
    seen = []
    ingest_dataframe(tmp_workspace, "contracts", contracts_frame(), file_name="c.csv",
                     rebuild_derived=False, progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert tmp_workspace.row_count("account_month") == 0
    assert isinstance(ingest.IngestResult, type)


def test_single_currency_contracts_load_in_replace_mode(tmp_workspace):
    """Regression: one currency in many rows is not 'mixed currencies'."""
    frame = pd.DataFrame({"account_id": [f"a{i}" for i in range(2500)], "start_date": "2024-01-01",
                          "mrr": "10", "currency": ["usd", "USD"] * 1250})
    result = ingest_dataframe(tmp_workspace, "contracts", frame, file_name="one_currency.csv", mode="replace")
    assert (result.rows_accepted, result.rows_quarantined) == (2500, 0)
