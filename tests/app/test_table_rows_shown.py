"""An account table shows its first config.TABLE_ROWS_SHOWN rows and offers every row for download."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def table_app(rows: int, max_rows: int):
    def script(rows, max_rows):
        import pandas as pd
        from ui.tables import show_accounts_table

        frame = pd.DataFrame({"account_id": [f"A{i:05d}" for i in range(rows)], "mrr": range(rows)})
        show_accounts_table(frame, {}, "t", max_rows=max_rows)

    return AppTest.from_function(script, kwargs={"rows": rows, "max_rows": max_rows}).run()


def test_a_long_table_shows_its_first_rows_with_a_caption_and_a_download_of_all():
    at = table_app(rows=25, max_rows=10)
    shown = at.dataframe[0].value
    assert len(shown) == 10 and list(shown["mrr"]) == list(range(10))
    assert "first 10 of 25 accounts" in at.caption[0].value
    assert [d.label for d in at.get("download_button")] == ["Download all 25 (CSV)"]


def test_a_short_table_is_shown_whole_without_a_download():
    at = table_app(rows=10, max_rows=10)
    assert len(at.dataframe[0].value) == 10
    assert not at.caption and not at.get("download_button")
