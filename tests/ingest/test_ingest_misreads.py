"""Issue 9, "Silent misreads", "Replace with nothing", zero-width ids, future dates, clearing.

Every value is read as written or quarantined (or the file refused in one sentence), never
guessed (data-contract.md, "Bad input"); usage/assessment/NPS rows after the upload day are
quarantined, booked contracts are kept (metrics.md, "Time").
"""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cs_analytics.cli.main import main
from cs_analytics.reality.flags import flag_account
from cs_analytics.core.ids import normalise_id
from cs_analytics.ingest.clear import clear_table
from cs_analytics.ingest.load import IngestRefused, ingest_dataframe, ingest_file
from cs_analytics.ingest.log import quarantine_rows, upload_history
from cs_analytics.core.settings import get_setting, set_setting

CONTRACTS = "account_id,start_date,mrr\nA1,2024-01-01,100\nA2,2024-02-01,200\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def reasons(ws, table: str) -> dict[int, str]:
    frame = quarantine_rows(ws, table)
    return dict(zip(frame["line"].astype(int), frame["reason"]))


# -- silent misreads -------------------------------------------------------------------------------

def test_stray_quote_is_quarantined_not_stored(tmp_workspace, tmp_path):
    path = write(tmp_path, "u.csv", "account_id,event_date,metric,value\nR1,2024-01-01,login,1\n"
                                    "R2,2024-01-02,login,2\nR3,2024-01-03,\"login,3\nR4,2024-01-04,login,4\n")
    result = ingest_file(tmp_workspace, "usage", path)
    metrics = tmp_workspace.query("SELECT DISTINCT metric FROM usage")["metric"].tolist()
    assert metrics == ["login"]
    assert result.rows_accepted == 3 and result.rows_quarantined == 1
    assert reasons(tmp_workspace, "usage")[4] == 'stray quote in metric: "login'


@pytest.mark.parametrize("amount, symbol", [("€1.000", "€"), ("$100", "$"), ("€100", "€"), ("£100", "£"),
                                            ("100 EUR", "EUR"), ("USD 1,200.50", "USD")])
def test_currency_in_amount_is_quarantined_naming_it(tmp_workspace, amount, symbol):
    frame = pd.DataFrame({"account_id": ["A", "B"], "start_date": ["2024-01-01"] * 2,
                          "mrr": [amount, "1,200.50"]})
    result = ingest_dataframe(tmp_workspace, "contracts", frame, file_name="c.csv")
    assert tmp_workspace.query("SELECT account_id, mrr FROM contracts").values.tolist() == [["B", 1200.5]]
    assert result.rows_quarantined == 1
    reason = reasons(tmp_workspace, "contracts")[2]
    assert reason.startswith(f"currency {symbol} in the amount") and reason.endswith(amount)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=st.decimals(min_value=0, max_value=10**6, places=2),
       sign=st.sampled_from(list("$€£¥₹")), after=st.booleans(), space=st.sampled_from(["", " "]))
def test_an_amount_with_a_currency_sign_is_never_stored(tmp_workspace, amount, sign, after, space):
    written = f"{amount}{space}{sign}" if after else f"{sign}{space}{amount}"
    frame = pd.DataFrame({"account_id": ["A", "B"], "start_date": ["2024-01-01"] * 2, "mrr": [written, f"{amount}"]})
    result = ingest_dataframe(tmp_workspace, "contracts", frame, file_name="c.csv", rebuild_derived=False)
    assert result.rows_quarantined == 1
    assert tmp_workspace.query("SELECT account_id, mrr FROM contracts").values.tolist() == [["B", float(amount)]]
    assert reasons(tmp_workspace, "contracts")[2].startswith(f"currency {sign} in the amount")


def test_three_currencies_in_one_column_are_not_three_hundreds(tmp_workspace, tmp_path):
    path = write(tmp_path, "c.csv", "account_id,start_date,mrr\nA,2024-01-01,$100\nB,2024-01-01,€100\n"
                                    "C,2024-01-01,£100\nD,2024-01-01,100\n")
    ingest_file(tmp_workspace, "contracts", path)
    assert tmp_workspace.query("SELECT account_id FROM contracts")["account_id"].tolist() == ["D"]
    assert sorted(r.split()[1] for r in reasons(tmp_workspace, "contracts").values()) == ["$", "£", "€"]


def test_mixed_date_orders_refused_in_one_sentence(tmp_workspace, tmp_path):
    ingest_file(tmp_workspace, "usage", write(tmp_path, "old.csv", "account_id,event_date\nOLD,2024-01-01\n"))
    path = write(tmp_path, "u.csv", "account_id,event_date\nA,31/03/2024\nB,03/31/2024\nC,04/05/2024\n")
    with pytest.raises(IngestRefused) as refused:
        ingest_file(tmp_workspace, "usage", path)
    message = str(refused.value)
    assert "31/03/2024 on line 2" in message and "03/31/2024 on line 3" in message
    assert message.count(". ") == 0 and message.endswith(".")
    assert tmp_workspace.query("SELECT account_id FROM usage")["account_id"].tolist() == ["OLD"]
    assert upload_history(tmp_workspace)["status"].iloc[0] == "refused"


def test_mixed_date_orders_load_with_an_explicit_order(tmp_workspace, tmp_path):
    path = write(tmp_path, "u.csv", "account_id,event_date\nA,31/03/2024\nB,03/31/2024\nC,04/05/2024\n")
    result = ingest_file(tmp_workspace, "usage", path, mapping={"date_order": "mdy"})
    stored = tmp_workspace.query("SELECT account_id, event_date FROM usage ORDER BY account_id")
    assert stored["account_id"].tolist() == ["B", "C"]
    assert stored["event_date"].dt.date.tolist() == [dt.date(2024, 3, 31), dt.date(2024, 4, 5)]
    assert result.rows_quarantined == 1 and reasons(tmp_workspace, "usage")[2] == "not a date: 31/03/2024"


def test_nested_json_value_is_quarantined(tmp_workspace, tmp_path):
    lines = [{"account_id": "J1", "event_date": "2024-01-01", "meta": {"k": 1}},
             {"account_id": {"id": "J2"}, "event_date": "2024-01-02"},
             {"account_id": "J3", "event_date": "2024-01-03", "metric": ["a", "b"]}]
    path = write(tmp_path, "u.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    result = ingest_file(tmp_workspace, "usage", path)
    # An unmapped nested value (meta) is ignored; a mapped one is never stored as text.
    assert tmp_workspace.query("SELECT account_id FROM usage")["account_id"].tolist() == ["J1"]
    assert result.rows_quarantined == 2
    got = reasons(tmp_workspace, "usage")
    assert got[2].startswith("nested JSON value") and '{"id": "J2"}' in got[2]
    assert got[3].startswith("nested JSON value") and "metric" in quarantine_rows(tmp_workspace)["column"].tolist()


@pytest.mark.parametrize("name, content", [
    ("c.csv", "account_id,mrr,mrr,start_date\nA,10,20,2024-01-01\n"),
    ("c.tsv", "account_id\tmrr\tmrr\tstart_date\nA\t10\t20\t2024-01-01\n"),
])
def test_repeated_header_refused_naming_the_real_headers(tmp_workspace, tmp_path, name, content):
    with pytest.raises(IngestRefused) as refused:
        ingest_file(tmp_workspace, "contracts", write(tmp_path, name, content))
    message = str(refused.value)
    assert message == (f"{name} has the header 'mrr' twice (columns 2 and 3); rename or remove one so "
                       "that every column has its own name.")
    assert "mrr_1" not in upload_history(tmp_workspace)["message"].iloc[0]


def test_two_headers_matching_one_column_refused(tmp_workspace, tmp_path):
    path = write(tmp_path, "c.csv", "account_id,start_date,MRR,monthly amount\nA,2024-01-01,10,20\n")
    with pytest.raises(IngestRefused, match=r"'MRR' and 'monthly amount'"):
        ingest_file(tmp_workspace, "contracts", path)
    ingest_file(tmp_workspace, "contracts", path, mapping={"monthly amount": ""})
    assert tmp_workspace.query("SELECT mrr FROM contracts")["mrr"].tolist() == [10.0]


# -- ids ---------------------------------------------------------------------------------------------

def test_zero_width_id_does_not_create_a_look_alike_account(tmp_workspace):
    accounts = pd.DataFrame({"account_id": ["ACC-00001"], "account_name": ["Acme"]})
    ingest_dataframe(tmp_workspace, "accounts", accounts, file_name="a.csv")
    contracts = pd.DataFrame({"account_id": ["ACC\u200b-00001", "\ufeffＡＣＣ-00001\u00a0"],
                              "contract_id": ["C\u200d1", "C2"],
                              "start_date": ["2024-01-01", "2024-02-01"], "mrr": ["10", "20"]})
    ingest_dataframe(tmp_workspace, "contracts", contracts, file_name="c.csv")
    assert tmp_workspace.query("SELECT account_id FROM accounts")["account_id"].tolist() == ["ACC-00001"]
    assert set(tmp_workspace.query("SELECT account_id FROM contracts")["account_id"]) == {"ACC-00001"}
    assert sorted(tmp_workspace.query("SELECT contract_id FROM contracts")["contract_id"]) == ["C1", "C2"]


def test_an_id_typed_with_an_invisible_character_finds_the_stored_account(tmp_workspace, app_test):
    """The CLI, the library and an Account link normalise a typed id the way ingest stored it."""
    accounts = pd.DataFrame({"account_id": ["ACC-00001", "ACC-00002"], "account_name": ["Acme", "Beta"]})
    ingest_dataframe(tmp_workspace, "accounts", accounts, file_name="a.csv")
    contracts = pd.DataFrame({"account_id": ["ACC-00001", "ACC-00002"], "start_date": ["2024-01-01"] * 2,
                              "mrr": ["10", "20"]})
    ingest_dataframe(tmp_workspace, "contracts", contracts, file_name="c.csv")
    flag_account(tmp_workspace, "ACC\u200b-00001", reason="other", user="Dana")
    stored = tmp_workspace.query("SELECT account_id FROM flags")["account_id"].tolist()
    assert stored == ["ACC-00001"]
    assert main(["unflag", "\ufeffACC-00001", "--user", "Dana", "--workspace", str(tmp_workspace.path)]) == 0
    at = app_test("app_pages/account.py", tmp_workspace.path, query={"account": "ACC-00002\u200b"})
    assert not at.exception
    assert [w.value for w in at.warning] == []
    assert at.selectbox[0].value == "ACC-00002"


def test_an_id_of_only_invisible_characters_is_empty(tmp_workspace):
    frame = pd.DataFrame({"account_id": ["\u200b\u200c", "A"], "event_date": ["2024-01-01"] * 2})
    result = ingest_dataframe(tmp_workspace, "usage", frame, file_name="u.csv")
    assert result.rows_quarantined == 1 and reasons(tmp_workspace, "usage")[2] == "empty account_id"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_normalise_id_is_idempotent_and_leaves_no_format_character(text):
    once = normalise_id(text)
    assert normalise_id(once) == once
    if once is not None:
        assert once == once.strip() and once
        assert not any(unicodedata.category(ch) == "Cf" for ch in once)
    if text.isascii():
        assert once == (text.strip() or None)


# -- time ----------------------------------------------------------------------------------------------

def test_future_usage_assessment_and_nps_quarantined_booked_contracts_kept(tmp_workspace):
    tomorrow = (dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=2)).isoformat()
    usage = pd.DataFrame({"account_id": ["A", "A", "A"], "event_date": ["2024-01-01", "2062-01-01", tomorrow]})
    result = ingest_dataframe(tmp_workspace, "usage", usage, file_name="u.csv")
    assert result.rows_accepted == 1 and result.rows_quarantined == 2
    assert reasons(tmp_workspace, "usage")[3].startswith("in the future (after the upload day ")
    assessments = pd.DataFrame({"account_id": ["A", "A"], "assessed_at": ["2024-01-01", "2062-01-01"],
                                "sentiment": ["green", "red"]})
    assert ingest_dataframe(tmp_workspace, "assessments", assessments, file_name="a.csv").rows_quarantined == 1
    nps = pd.DataFrame({"account_id": ["A", "A"], "responded_at": ["2062-01-01", "2024-01-01"], "score": [9, 3]})
    assert ingest_dataframe(tmp_workspace, "nps", nps, file_name="n.csv").rows_quarantined == 1
    contracts = pd.DataFrame({"account_id": ["A", "B"], "start_date": ["2024-01-01", "2099-01-01"], "mrr": [1, 2]})
    assert ingest_dataframe(tmp_workspace, "contracts", contracts, file_name="c.csv").rows_accepted == 2


# -- replace with nothing ----------------------------------------------------------------------------

def _previous(ws, tmp_path) -> None:
    ingest_file(ws, "contracts", write(tmp_path, "old.csv", CONTRACTS))


def test_header_only_replace_refused_previous_rows_kept(tmp_workspace, tmp_path):
    _previous(tmp_workspace, tmp_path)
    with pytest.raises(IngestRefused, match="header but no data rows, so the replace was refused"):
        ingest_file(tmp_workspace, "contracts", write(tmp_path, "empty.csv", "account_id,start_date,mrr\n"))
    assert tmp_workspace.row_count("contracts") == 2
    log = upload_history(tmp_workspace)
    assert log["status"].tolist()[:2] == ["refused", "loaded"] and log["file"].iloc[0] == "empty.csv"


def test_replace_with_every_row_quarantined_refused(tmp_workspace, tmp_path):
    _previous(tmp_workspace, tmp_path)
    path = tmp_path / "ints.parquet"
    pd.DataFrame({"account_id": ["X", "Y"], "start_date": [20240101, 20240201], "mrr": [5.0, 6.0]}).to_parquet(path)
    with pytest.raises(IngestRefused) as refused:
        ingest_file(tmp_workspace, "contracts", path)
    assert "none of its 2 rows was accepted (2 would be quarantined; line 2: " in str(refused.value)
    assert sorted(tmp_workspace.query("SELECT account_id FROM contracts")["account_id"]) == ["A1", "A2"]
    assert len(quarantine_rows(tmp_workspace)) == 0
    # Appending nothing empties nothing: it is loaded and logged as such.
    assert ingest_file(tmp_workspace, "contracts", path, mode="append").rows_accepted == 0


def test_cli_refused_replace_exit_1_one_sentence(tmp_path, capsys):
    ws = str(tmp_path / "w.duckdb")
    assert main(["ingest", "contracts", str(write(tmp_path, "old.csv", CONTRACTS)), "--workspace", ws]) == 0
    empty = write(tmp_path, "empty.csv", "account_id,start_date,mrr\n")
    capsys.readouterr()
    assert main(["ingest", "contracts", str(empty), "--workspace", ws]) == 1
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1 and "replace was refused" in err
    assert main(["quarantine", "--workspace", ws, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


# -- clearing ------------------------------------------------------------------------------------------

def test_clear_table_is_logged_keeps_flags_and_settings(tmp_workspace, tmp_path):
    path = write(tmp_path, "c.csv", CONTRACTS + "A3,not a date,5\n")
    ingest_file(tmp_workspace, "contracts", path)
    flag_account(tmp_workspace, "A1", reason=_reason(), user="ann")
    set_setting(tmp_workspace, "target_grr", "0.8", "ann")
    result = clear_table(tmp_workspace, "contracts", user="bob")
    assert (result.rows_deleted, result.quarantined_deleted) == (2, 1)
    assert tmp_workspace.row_count("contracts") == 0 and quarantine_rows(tmp_workspace).empty
    assert tmp_workspace.row_count("account_month") == 0
    assert tmp_workspace.row_count("flags") == 1 and get_setting(tmp_workspace, "target_grr") == "0.8"
    entry = upload_history(tmp_workspace).iloc[0]
    assert (entry["mode"], entry["status"], entry["user"], entry["table"]) == ("clear", "cleared", "bob", "contracts")
    assert entry["message"] == "Cleared 2 rows and 1 quarantined from contracts."


def test_clear_is_one_transaction(tmp_workspace, tmp_path, monkeypatch):
    ingest_file(tmp_workspace, "contracts", write(tmp_path, "c.csv", CONTRACTS))
    from cs_analytics.core import derived

    def broken(cur, **_):
        raise RuntimeError("rebuild failed")

    monkeypatch.setattr(derived, "rebuild", broken)
    with pytest.raises(RuntimeError):
        clear_table(tmp_workspace, "contracts", user="bob")
    assert tmp_workspace.row_count("contracts") == 2
    assert (upload_history(tmp_workspace)["mode"] != "clear").all()


def test_cli_clear_needs_matching_confirm(tmp_path, capsys):
    ws = str(tmp_path / "w.duckdb")
    assert main(["ingest", "contracts", str(write(tmp_path, "c.csv", CONTRACTS)), "--workspace", ws]) == 0
    capsys.readouterr()
    for confirm in ([], ["--confirm", "usage"]):
        assert main(["clear", "contracts", "--workspace", ws, *confirm]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "--confirm contracts" in err
    assert main(["clear", "contracts", "--confirm", "contracts", "--workspace", ws, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["rows_deleted"] == 2
    assert main(["clear", "contracts", "--confirm", "contracts", "--workspace", ws, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["rows_deleted"] == 0


def _reason() -> str:
    from cs_analytics.core import config

    return config.FLAG_REASON_CODES[0]


def test_repeated_json_key_quarantined_not_last_wins(tmp_workspace, tmp_path):
    path = write(tmp_path, "u.jsonl", '{"account_id": "A", "event_date": "2024-01-01"}\n'
                                      '{"account_id": "B", "account_id": "C", "event_date": "2024-01-02"}\n')
    result = ingest_file(tmp_workspace, "usage", path)
    assert tmp_workspace.query("SELECT account_id FROM usage")["account_id"].tolist() == ["A"]
    assert result.rows_quarantined == 1
    assert reasons(tmp_workspace, "usage")[2] == "the key 'account_id' appears twice in this object"


def test_repeated_excel_header_refused(tmp_workspace, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["account_id", "start_date", "mrr", "mrr"])
    sheet.append(["A", "2024-01-01", 10, 20])
    book.save(tmp_path / "c.xlsx")
    with pytest.raises(IngestRefused, match=r"the header 'mrr' twice \(columns 3 and 4\)"):
        ingest_file(tmp_workspace, "contracts", tmp_path / "c.xlsx")


def test_preview_refuses_mixed_date_orders_like_the_load(tmp_path):
    from cs_analytics.ingest.preview import preview
    from cs_analytics.ingest.mapping import map_headers
    from cs_analytics.ingest.readers import read_table_file

    raw = read_table_file(write(tmp_path, "u.csv", "account_id,event_date\nA,31/03/2024\nB,03/31/2024\n"))
    with pytest.raises(IngestRefused, match="mixes day-first dates"):
        preview(raw, map_headers(raw.headers, "usage"))
    shown = preview(raw, map_headers(raw.headers, "usage", overrides={"date_order": "dmy"}))
    assert shown["problem"].tolist() == ["", "not a date: 03/31/2024"]


def test_preview_shows_a_failed_number_blank_not_as_the_default(tmp_path):
    from cs_analytics.ingest.preview import preview
    from cs_analytics.ingest.mapping import map_headers
    from cs_analytics.ingest.readers import read_table_file

    raw = read_table_file(write(tmp_path, "u.csv", "account_id,event_date,value\nA,2024-03-01,abc\nB,2024-03-02,\n"))
    shown = preview(raw, map_headers(raw.headers, "usage"))
    assert shown["problem"].tolist() == ["not a number: abc", ""]
    assert pd.isna(shown["value"].iloc[0])  # not 1, the default of a missing value
    assert shown["value"].iloc[1] == 1.0  # a row that loads shows what is stored
