"""The Data page: AppTest (files through session_state, since AppTest cannot drive st.file_uploader)
and a real browser upload through the uploader's <input type=file>."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import assert_no_exception, wait_for_app
from cs_analytics.core.db import close_workspace, open_workspace

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
PAGE = "app_pages/data.py"


def _with_files(app_test, workspace, files):
    at = app_test(workspace=workspace)
    at.session_state["data_page_files"] = files
    at.switch_page(PAGE)
    at.run()
    assert_no_exception(at)
    return at


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_empty_workspace_renders(app_test, tmp_path):
    at = app_test(PAGE, workspace=tmp_path / "w.duckdb")
    assert_no_exception(at)
    assert at.title[0].value == "Data"
    assert any("No uploads yet" in c.value for c in at.caption)


def test_upload_sample_contracts_shows_quarantine(app_test, tmp_path):
    path = tmp_path / "w.duckdb"
    at = _with_files(app_test, path, [("contracts.csv", (SAMPLES / "contracts.csv").read_bytes())])
    assert at.selectbox[0].value == "contracts"
    assert _button(at, "Load").disabled  # no mode chosen yet: no default surprise
    at.radio[0].set_value("replace")
    at.run()
    _button(at, "Load").click()
    at.run()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Rows read": "26", "Accepted": "24", "Quarantined": "2"}
    assert any(d.label.startswith("Download quarantined rows") for d in at.get("download_button"))
    close_workspace(path)
    ws = open_workspace(path)
    assert ws.row_count("contracts") == 24 and ws.row_count("quarantine") == 2


def test_mapping_editor_autofilled_and_missing_column_named(app_test, tmp_path):
    """The editor is auto-filled from the synonyms; a missing required column is named."""
    content = b"Customer ID,began,MRR\nA,2024-01-01,100\n"
    at = _with_files(app_test, tmp_path / "w.duckdb", [("deals.csv", content)])
    at.selectbox[0].set_value("contracts")
    at.run()
    editor = at.data_editor[0].value
    assert editor["source header"].tolist() == ["Customer ID", "began", "MRR"]
    assert editor["canonical column"].tolist() == ["account_id", "", "mrr"]
    assert any("required contracts column start_date" in w.value and "began" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label == "Load"]


def test_refused_file_shows_one_sentence(app_test, tmp_path):
    at = _with_files(app_test, tmp_path / "w.duckdb", [("junk.csv", bytes(range(256)) * 10)])
    assert any("junk.csv is not a text CSV file" in e.value for e in at.error)


def test_demo_button_needs_confirmation(app_test, tmp_path, monkeypatch):
    calls = []

    def fake_write_demo(ws, progress=None, **kwargs):
        calls.append(ws.path)
        if progress:
            progress(1.0, "done")

    import cs_analytics.demo.build as demo
    monkeypatch.setattr(demo, "write_demo", fake_write_demo)
    at = app_test(PAGE, workspace=tmp_path / "w.duckdb")
    assert _button(at, "Load demo data").disabled
    at.checkbox(key="demo_confirm").check()
    at.run()
    _button(at, "Load demo data").click()
    at.run()
    assert_no_exception(at)
    assert len(calls) == 1


@pytest.mark.browser
def test_browser_upload_of_sample_contracts(app_server, browser_page, tmp_path):
    server = app_server(tmp_path / "w.duckdb")
    page = browser_page
    page.goto(server.url + "/data")
    wait_for_app(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(SAMPLES / "contracts.csv"))
    page.get_by_text("Replace the table's rows").wait_for()
    wait_for_app(page)
    page.get_by_text("Replace the table's rows").click()
    wait_for_app(page)
    page.get_by_role("button", name="Load", exact=True).click()
    page.get_by_text("Loaded 24 rows into contracts").wait_for(timeout=60_000)
    wait_for_app(page)
    metrics = page.locator("[data-testid='stMetric']").all_inner_texts()
    assert any("Accepted" in m and "24" in m for m in metrics)
    assert any("Quarantined" in m and "2" in m for m in metrics)


def test_mapping_correction_through_the_editor_state(app_test, tmp_path):
    """The user maps the unknown header 'began' to start_date in the mapping editor; Load appears."""
    content = b"Customer ID,began,MRR\nA,2024-01-01,100\nB,2024-02-01,50\n"
    at = _with_files(app_test, tmp_path / "w.duckdb", [("deals.csv", content)])
    at.selectbox[0].set_value("contracts")
    at.run()
    editor_key = at.data_editor[0].key
    at.session_state[editor_key] = {
        "edited_rows": {1: {"canonical column": "start_date"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert_no_exception(at)
    assert not at.warning
    at.radio[0].set_value("replace")
    at.run()
    _button(at, "Load").click()
    at.run()
    assert_no_exception(at)
    assert {m.label: m.value for m in at.metric}["Accepted"] == "2"


def _log(path):
    from cs_analytics.ingest.log import upload_history

    close_workspace(path)
    return upload_history(open_workspace(path))


def test_app_refusals_are_logged_like_the_cli(app_test, tmp_path):
    """An unreadable file and a mapping missing a required column are refused on the page and
    logged (status 'refused', size, sha256), once per file and message however often the page reruns."""
    path = tmp_path / "w.duckdb"
    junk = bytes(range(256)) * 10
    at = _with_files(app_test, path, [("junk.csv", junk), ("deals.csv", b"Customer ID,began,MRR\nA,2024-01-01,100\n")])
    at.selectbox[0].set_value("contracts")
    at.run()
    at.run()
    assert_no_exception(at)
    log = _log(path)
    assert sorted(log["file"]) == ["deals.csv", "junk.csv"] and (log["status"] == "refused").all()
    junk_row = log[log["file"] == "junk.csv"].iloc[0]
    assert junk_row["size_bytes"] == len(junk) and junk_row["message"].startswith("junk.csv is not a text CSV file")
    deals_row = log[log["file"] == "deals.csv"].iloc[0]
    assert deals_row["table"] == "contracts" and "required contracts column start_date" in deals_row["message"]


def test_clear_button_needs_the_typed_table_name(app_test, tmp_path):
    path = tmp_path / "w.duckdb"
    ws = open_workspace(path)
    from cs_analytics.ingest.load import ingest_file

    ingest_file(ws, "contracts", SAMPLES / "contracts.csv")
    close_workspace(path)
    at = app_test(PAGE, workspace=path)
    assert _button(at, "Clear table").disabled
    at.selectbox(key="clear_table").set_value("contracts")
    at.text_input(key="clear_confirm").input("usage")
    at.run()
    assert _button(at, "Clear table").disabled
    at.text_input(key="clear_confirm").input("contracts")
    at.run()
    _button(at, "Clear table").click()
    at.run()
    assert_no_exception(at)
    assert any("Cleared contracts: 24 rows" in s.value for s in at.success)
    log = _log(path)
    assert (log["mode"].iloc[0], log["status"].iloc[0]) == ("clear", "cleared")
    assert open_workspace(path).row_count("contracts") == 0
