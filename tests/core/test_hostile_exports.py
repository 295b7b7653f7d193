"""The CLI's CSV output on hostile data parses back to one row per record, no formula cell."""
from __future__ import annotations

import csv
import io

import pandas as pd

import hostile
from cs_analytics.cli.main import main
from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.export import FORMULA_PREFIXES
from cs_analytics.ingest.load import ingest_file


def _csv_out(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def _check(text: str, expected_rows: int) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == expected_rows + 1
    back = pd.read_csv(io.StringIO(text, newline=""), dtype=str, keep_default_na=False)
    assert len(back) == expected_rows
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_PREFIXES), cell
    return rows


def test_cli_reality_and_health_csv_on_hostile_ids(tmp_path, capsys):
    path = tmp_path / "hostile.duckdb"
    hostile.build_hostile_workspace(path)
    close_workspace(path)
    rows = _check(_csv_out(capsys, "reality", "--workspace", str(path), "--format", "csv"), len(hostile.ACCOUNTS))
    ids = [r[rows[0].index("account_id")] for r in rows[1:]]
    assert hostile.CRLF_ID in ids and hostile.SPIKE_ID in ids
    health = _csv_out(capsys, "health", "--workspace", str(path), "--format", "csv")
    assert hostile.CRLF_ID in pd.read_csv(io.StringIO(health, newline=""), dtype=str)["account_id"].tolist()


def test_quarantine_csv_of_a_hostile_file(tmp_path, capsys):
    path = tmp_path / "q.duckdb"
    ws = open_workspace(path)
    body = ('contract_id,account_id,start_date,end_date,mrr\n'
            'C1,"CRMID\r=2+2",2024-01-01,,100\n'
            'C2,=HYPERLINK("x"),not a date,,100\n'
            'C3,"@A\n-1",2024-01-01,,-5\n').encode()
    ingest_file(ws, "contracts", io.BytesIO(body), file_name="q\r=evil.csv")  # a file name from an upload: anything
    expected = len(ws.query("SELECT * FROM quarantine"))
    close_workspace(path)
    assert expected >= 2
    _check(_csv_out(capsys, "quarantine", "--workspace", str(path), "--format", "csv"), expected)
