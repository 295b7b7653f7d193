"""Property tests: random and corrupted rows/bytes either load (accepted + quarantined = rows read)
or are refused whole with one sentence, previous data intact, never an uncaught exception."""
from __future__ import annotations

import io
import random

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.ingest.load import IngestRefused, ingest_file

BASE_ROWS = [["A", "K1", "2024-01-01", "", "100"], ["B", "K2", "2024-02-01", "2024-12-31", "200"]]
HEADERS = ["Customer ID", "Contract ID", "Start Date", "End Date", "MRR"]
cell = st.one_of(
    st.sampled_from(["", "A", "2024-01-31", "31/01/2024", "01/31/2024", "45000", "-5", "1,200.50", "nan",
                     "'); DROP TABLE contracts; --", "=cmd()", "\u00e9t\u00e9", "2024-13-45", "1e309"]),
    st.text(max_size=12),
)
row = st.lists(cell, min_size=3, max_size=7)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    path = tmp_path_factory.mktemp("prop") / "w.duckdb"
    workspace = open_workspace(path)
    yield workspace
    close_workspace(path)


def _baseline(ws):
    frame = pd.DataFrame(BASE_ROWS, columns=HEADERS)
    ingest_file(ws, "contracts", io.BytesIO(frame.to_csv(index=False).encode()), file_name="base.csv")
    return ws.query("SELECT * EXCLUDE (upload_id) FROM contracts ORDER BY contract_id")


def _check(ws, data: bytes, name: str):
    before = _baseline(ws)
    try:
        result = ingest_file(ws, "contracts", io.BytesIO(data), file_name=name, mode="append")
    except IngestRefused as exc:
        message = str(exc)
        assert message and "\n" not in message and name in message or "mapping" in message or "mixes" in message
        after = ws.query("SELECT * EXCLUDE (upload_id) FROM contracts ORDER BY contract_id")
        pd.testing.assert_frame_equal(before, after)
        return None
    assert result.rows_accepted + result.rows_quarantined == result.rows_read
    assert ws.row_count("contracts") == len(before) + result.rows_accepted
    return result


@pytest.mark.slow
@SETTINGS
@given(rows=st.lists(row, max_size=15))
def test_random_csv_rows(ws, rows):
    lines = [",".join(HEADERS)] + [",".join('"' + c.replace('"', '""') + '"' for c in r) for r in rows]
    _check(ws, ("\n".join(lines) + "\n").encode("utf-8"), "random.csv")


@pytest.mark.slow
@SETTINGS
@given(seed=st.integers(0, 10_000), cuts=st.integers(1, 40))
def test_corrupted_csv_bytes(ws, seed, cuts):
    rng = random.Random(seed)
    good = pd.DataFrame(BASE_ROWS * 5, columns=HEADERS).to_csv(index=False).encode()
    data = bytearray(good)
    for _ in range(cuts):
        pos = rng.randrange(len(data))
        data[pos] = rng.randrange(256)
    _check(ws, bytes(data), "corrupt.csv")


@pytest.mark.slow
@SETTINGS
@given(rows=st.lists(st.lists(cell, min_size=5, max_size=5), min_size=1, max_size=10), fmt=st.sampled_from(["xlsx", "parquet"]))
def test_random_excel_and_parquet(ws, rows, fmt):
    frame = pd.DataFrame(rows, columns=HEADERS)
    buffer = io.BytesIO()
    if fmt == "xlsx":  # control characters cannot be written to a worksheet at all
        frame = frame.apply(lambda col: col.str.replace(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", regex=True))
        frame.to_excel(buffer, index=False)
    else:
        frame.to_parquet(buffer, index=False)
    _check(ws, buffer.getvalue(), f"random.{fmt}")


@SETTINGS
@given(seed=st.integers(0, 10_000), fmt=st.sampled_from(["xlsx", "parquet"]))
def test_corrupted_binary_formats(ws, seed, fmt):
    rng = random.Random(seed)
    frame = pd.DataFrame(BASE_ROWS * 3, columns=HEADERS)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False) if fmt == "xlsx" else frame.to_parquet(buffer, index=False)
    data = bytearray(buffer.getvalue())
    for _ in range(rng.randint(1, 20)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    if rng.random() < 0.3:
        data = data[: rng.randrange(len(data))]
    _check(ws, bytes(data), f"corrupt.{fmt}")


@SETTINGS
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes(ws, data):
    _check(ws, data, "anything.csv")
