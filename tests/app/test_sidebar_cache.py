"""The sidebar's status and filter values are cached on the workspace generation: equal to the
direct queries, and current again after any write (a new segment appears, the row count moves)."""
from __future__ import annotations

import pandas as pd

from cs_analytics.core.db import close_workspace
from cs_analytics.core.filters import filter_options
from cs_analytics.core.workspace import status
from cs_analytics.views.sidebar import sidebar_filter_options, sidebar_status
from conftest import assert_no_exception
from factories import build_workspace, insert_canonical
from cs_analytics.core.derived import rebuild


def accounts(ids, segment):
    return pd.DataFrame({"account_id": ids, "account_name": ids, "segment": segment, "csm_owner": "ana",
                         "plan": "pro", "created_at": "2024-01-01"})


def test_sidebar_views_are_the_direct_queries(tmp_path):
    ws = build_workspace(tmp_path / "w.duckdb", accounts=accounts(["A1", "A2"], "SMB"))
    assert sidebar_filter_options(ws, None, None) == filter_options(ws)
    assert sidebar_status(ws, None, None) == status(ws)
    close_workspace(tmp_path / "w.duckdb")


def test_a_write_refreshes_the_cached_sidebar(tmp_path, app_test):
    path = tmp_path / "w.duckdb"
    build_workspace(path, accounts=accounts(["A1", "A2"], "SMB"))
    close_workspace(path)
    at = app_test(workspace=path)
    assert_no_exception(at)
    segment = next(m for m in at.sidebar.multiselect if m.label == "Segment")
    assert segment.options == ["SMB"]
    assert any("No data yet" in c.value for c in at.sidebar.caption)  # accounts only: no contracts

    from cs_analytics.core.db import open_workspace
    ws = open_workspace(path)
    with ws.transaction() as cur:
        insert_canonical(cur, "accounts", accounts(["B1"], "Enterprise"))
        insert_canonical(cur, "contracts", pd.DataFrame({"account_id": ["B1"], "start_date": ["2024-01-01"],
                                                         "mrr": [100.0]}))
        rebuild(cur)
    at.run()
    assert_no_exception(at)
    segment = next(m for m in at.sidebar.multiselect if m.label == "Segment")
    assert sorted(segment.options) == ["Enterprise", "SMB"]
    assert not any("No data yet" in c.value for c in at.sidebar.caption)
    assert any("3 accounts" in c.value and "1 contract" in c.value for c in at.sidebar.caption)
