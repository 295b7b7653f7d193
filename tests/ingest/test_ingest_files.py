"""Readers, mapping and ingest_file: formats, encodings, delimiters, ragged rows, refusals, CLI."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from cs_analytics.core import config
from cs_analytics.cli.main import main
from cs_analytics.ingest.load import IngestRefused, ingest_file
from cs_analytics.ingest.log import quarantine_rows, upload_history
from cs_analytics.ingest.mapping import guess_table, map_headers, parse_mapping
from cs_analytics.ingest.readers import read_table_file

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
CONTRACTS_CSV = "Customer ID,Contract ID,Start Date,MRR\nA,K1,2024-01-01,100\nB,K2,2024-02-01,200\n"


def write(tmp_path, name, content) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_csv_any_delimiter(tmp_path, delim):
    path = write(tmp_path, "c.csv", CONTRACTS_CSV.replace(",", delim))
    raw = read_table_file(path)
    assert raw.headers == ["Customer ID", "Contract ID", "Start Date", "MRR"]
    assert raw.frame["MRR"].tolist() == ["100", "200"] and raw.lines.tolist() == [2, 3]


def test_tsv_quoted_fields_bom_and_latin1(tmp_path):
    tsv = write(tmp_path, "c.tsv", "a\tb\n\"x, y\"\t\"say \"\"hi\"\"\"\n")
    assert read_table_file(tsv).frame.values.tolist() == [["x, y", 'say "hi"']]
    bom = write(tmp_path, "bom.csv", b"\xef\xbb\xbfCustomer ID,x\nA,1\n")
    assert read_table_file(bom).headers == ["Customer ID", "x"]
    latin = write(tmp_path, "l.csv", "name,x\nSoci\xe9t\xe9 G\xe9n\xe9rale,1\n".encode("latin-1"))
    raw = read_table_file(latin)
    assert raw.frame["name"].tolist() == ["Société Générale"] and "Latin-1" in raw.notes[0]


def test_ragged_rows_quarantined_with_line(tmp_workspace, tmp_path):
    path = write(tmp_path, "c.csv", CONTRACTS_CSV + "C,K3,2024-03-01\nD,K4,2024-03-01,1,extra\nE,K5,2024-04-01,50\n")
    result = ingest_file(tmp_workspace, "contracts", path)
    assert (result.rows_read, result.rows_accepted, result.rows_quarantined) == (5, 3, 2)
    q = result.quarantined.set_index("line")
    assert sorted(q.index) == [4, 5] and "wrong number of fields" in q.loc[4, "reason"]
    assert json.loads(q.loc[5, "raw"])["_line_text"] == "D,K4,2024-03-01,1,extra"
    # rows after the ragged ones keep their true line numbers
    bad = pd.DataFrame({"account_id": ["E"], "contract_id": ["K1"], "start_date": ["2024-01-01"], "mrr": ["-1"]})
    path2 = write(tmp_path, "d.csv", CONTRACTS_CSV + "x\nE,K9,2024-01-01,-1\n")
    result2 = ingest_file(tmp_workspace, "contracts", path2)
    assert sorted(result2.quarantined["line"]) == [4, 5]
    assert bad is not None


@pytest.mark.parametrize("content, match", [
    (b"", "is empty"),
    (bytes(range(256)) * 20, "binary data"),
    (b"1,2,3\n4,5,6\n", "no header row"),
    (b"\x00\x01garbage\x02" * 50, "binary data"),
])
def test_unreadable_files_refused_with_one_sentence(tmp_workspace, tmp_path, content, match):
    ingest_file(tmp_workspace, "contracts", write(tmp_path, "good.csv", CONTRACTS_CSV))
    path = write(tmp_path, "bad.csv", content)
    with pytest.raises(IngestRefused, match=match) as info:
        ingest_file(tmp_workspace, "contracts", path)
    assert "bad.csv" in str(info.value) and "\n" not in str(info.value)
    assert tmp_workspace.row_count("contracts") == 2
    assert upload_history(tmp_workspace)["status"].iloc[0] == "refused"


def test_wrong_format_claims_refused(tmp_workspace, tmp_path):
    with pytest.raises(IngestRefused, match="not a Parquet file"):
        ingest_file(tmp_workspace, "usage", write(tmp_path, "u.parquet", CONTRACTS_CSV))
    with pytest.raises(IngestRefused, match="not an Excel .xlsx file|not a readable"):
        ingest_file(tmp_workspace, "usage", write(tmp_path, "u.xlsx", CONTRACTS_CSV))
    with pytest.raises(IngestRefused, match="not a readable Excel"):
        ingest_file(tmp_workspace, "usage", write(tmp_path, "u.xlsx", b"PK\x03\x04broken zip"))


def test_size_limit(tmp_workspace, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(IngestRefused, match="larger than the upload limit of 10 bytes"):
        ingest_file(tmp_workspace, "contracts", write(tmp_path, "c.csv", CONTRACTS_CSV))


def test_parquet_excel_jsonl(tmp_workspace, tmp_path):
    frame = pd.DataFrame({"Account ID": ["A", "B"], "Date": pd.to_datetime(["2024-01-02", "2024-01-03"]),
                          "Count": [3, 4]})
    frame.to_parquet(tmp_path / "u.parquet")
    assert ingest_file(tmp_workspace, "usage", tmp_path / "u.parquet").rows_accepted == 2
    frame.to_excel(tmp_path / "u.xlsx", index=False)
    raw = read_table_file(tmp_path / "u.xlsx")
    assert raw.frame["Date"].tolist() == ["2024-01-02", "2024-01-03"] and raw.lines.tolist() == [2, 3]
    result = ingest_file(tmp_workspace, "usage", tmp_path / "u.xlsx", mode="append")
    assert result.rows_accepted == 2 and tmp_workspace.row_count("usage") == 4
    lines = '{"account_id": "A", "event_date": "2024-01-01"}\n\n{broken\n{"account_id": "B", "event_date": "2024-01-02", "value": 2}\n'
    result = ingest_file(tmp_workspace, "usage", write(tmp_path, "u.jsonl", lines))
    assert (result.rows_accepted, result.rows_quarantined) == (2, 1)
    assert result.quarantined["line"].tolist() == [3]


def test_excel_sheet_choice_and_serial_dates(tmp_workspace, tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame({"Customer": ["A"], "Date": [45382]}).to_excel(writer, sheet_name="Usage", index=False)
    result = ingest_file(tmp_workspace, "usage", path, sheet="Usage")
    assert result.rows_accepted == 1
    assert str(tmp_workspace.scalar("SELECT event_date FROM usage")) == "2024-03-31"
    with pytest.raises(IngestRefused, match="no sheet 'Nope'"):
        ingest_file(tmp_workspace, "usage", path, sheet="Nope")


def test_mapping_synonyms_overrides_and_guess():
    headers = ["Customer ID", "Ref", "Start Date", "End Date", "ARR", "Notes"]
    mapping = map_headers(headers, "contracts")
    assert mapping.columns == {"Customer ID": "account_id", "Start Date": "start_date",
                               "End Date": "end_date", "ARR": "arr"}
    assert mapping.unknown == ["Ref", "Notes"] and mapping.missing == []
    mapping = map_headers(headers, "contracts", overrides={"Ref": "contract_id", "ARR": ""})
    assert mapping.columns["Ref"] == "contract_id" and mapping.missing == ["mrr"]
    # Two headers matching one column: no silent "first wins" (data-contract.md, Bad input).
    both = map_headers(["customer_id", "AccountId"], "accounts")
    assert both.conflicts == {"account_id": ["customer_id", "AccountId"]} and both.columns == {}
    with pytest.raises(IngestRefused, match="'customer_id' and 'AccountId'"):
        both.check("a.csv")
    assert map_headers(["Contract #"], "contracts").columns == {"Contract #": "contract_id"}
    assert guess_table(headers)[0] == "contracts"
    assert guess_table(["Account ID", "Timestamp", "Event", "User ID"])[0] == "usage"
    assert guess_table(["Account", "Assessment Date", "CSM Health"])[0] == "assessments"
    assert guess_table(["foo", "bar"])[0] is None
    with pytest.raises(IngestRefused, match="not a contracts column"):
        map_headers(headers, "contracts", overrides={"ARR": "revenue"})
    with pytest.raises(IngestRefused, match="does not have"):
        map_headers(headers, "contracts", overrides={"Nope": "mrr"})


def test_parse_mapping_inline_file_and_errors(tmp_path):
    assert parse_mapping('{"A": "mrr", "date_order": "mdy"}') == {"A": "mrr", "date_order": "mdy"}
    path = write(tmp_path, "m.json", '{"A": "arr"}')
    assert parse_mapping(str(path)) == {"A": "arr"}
    with pytest.raises(IngestRefused, match="not valid JSON"):
        parse_mapping("{oops")
    with pytest.raises(IngestRefused, match="neither inline JSON nor an existing file"):
        parse_mapping("missing.json")


def test_samples_load_with_two_quarantined_contracts(tmp_workspace):
    expected = {"accounts.csv": ("accounts", 0), "contracts.csv": ("contracts", 2),
                "usage.parquet": ("usage", 0), "assessments.xlsx": ("assessments", 0), "nps.jsonl": ("nps", 0)}
    for name, (table, bad) in expected.items():
        raw = read_table_file(SAMPLES / name)
        assert guess_table(raw.headers, name)[0] == table
        result = ingest_file(tmp_workspace, table, SAMPLES / name)
        assert result.rows_quarantined == bad and result.rows_accepted > 0, name
    q = quarantine_rows(tmp_workspace, "contracts")
    assert q["line"].tolist() == [12, 19] and q["column"].tolist() == ["end_date", "mrr"]
    assert tmp_workspace.row_count("account_attributes") == 24


def test_upload_logged_with_size_and_sha(tmp_workspace, tmp_path):
    path = write(tmp_path, "c.csv", CONTRACTS_CSV)
    ingest_file(tmp_workspace, "contracts", io.BytesIO(path.read_bytes()), file_name="c.csv", user="ana")
    row = upload_history(tmp_workspace).iloc[0]
    import hashlib
    assert row["size_bytes"] == len(CONTRACTS_CSV) and row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (row["user"], row["mode"], row["status"], row["rows_accepted"]) == ("ana", "replace", "loaded", 2)


def test_header_injection_in_file(tmp_workspace, tmp_path):
    evil = "'); DROP TABLE usage; --"
    path = write(tmp_path, "u.csv", f'Account ID,Date,"{evil}"\n"{evil}",2024-01-01,"{evil}"\n')
    result = ingest_file(tmp_workspace, "usage", path)
    assert result.rows_accepted == 1 and tmp_workspace.table_exists("usage")
    assert any(evil in n for n in result.notes)


# -- CLI -------------------------------------------------------------------------------------------

def test_cli_ingest_and_quarantine(tmp_path, capsys):
    ws = str(tmp_path / "w.duckdb")
    assert main(["ingest", "contracts", str(SAMPLES / "contracts.csv"), "--workspace", ws, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["table,file,accepted,quarantined,stored", "contracts,contracts.csv,24,2,24"]
    assert main(["quarantine", "contracts", "--workspace", ws, "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "table,file,line,column,reason,raw" and len(out) == 3


def test_cli_mapping_option(tmp_path, capsys):
    ws = str(tmp_path / "w.duckdb")
    path = write(tmp_path, "c.csv", "who,when,amount\nA,01/02/2024,120\n")
    mapping = '{"who": "account_id", "when": "start_date", "amount": "arr", "date_order": "mdy"}'
    assert main(["ingest", "contracts", str(path), "--mapping", mapping, "--workspace", ws, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["accepted"] == 1


@pytest.mark.parametrize("argv, code, message", [
    (["ingest", "contracts", "NOFILE.csv"], 1, "NOFILE.csv was not found."),
    (["ingest", "usage", str(SAMPLES / "contracts.csv")], 1, "no column for the required usage column event_date"),
    (["ingest", "contracts", str(SAMPLES / "contracts.csv"), "--mapping", "{bad"], 1, "not valid JSON"),
    (["ingest", "bogus", "x.csv"], 2, "invalid choice"),
    (["ingest", "contracts", "x.csv", "--mode", "merge"], 2, "invalid choice"),
])
def test_cli_errors(tmp_path, capsys, argv, code, message):
    ws = str(tmp_path / "w.duckdb")
    if code == 2:
        with pytest.raises(SystemExit) as info:
            main(argv + ["--workspace", ws])
        assert info.value.code == 2
    else:
        assert main(argv + ["--workspace", ws]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_truncated_uploaded_parquet_is_refused_naming_the_users_file(tmp_workspace, tmp_path):
    good = tmp_path / "usage.parquet"
    pd.DataFrame({"account_id": ["A"], "event_date": ["2024-01-01"], "metric": ["m"], "value": [1]}).to_parquet(good)
    upload = io.BytesIO(good.read_bytes()[:60])  # an upload: the reader stages it in a temporary file
    with pytest.raises(IngestRefused) as refused:
        ingest_file(tmp_workspace, "usage", upload, file_name="usage_export.parquet")
    message = str(refused.value)
    assert message.startswith("usage_export.parquet could not be read as Parquet")
    assert "cs_upload_" not in message and "/tmp" not in message
