"""Account choices: current customers first, filter honoured."""
from __future__ import annotations

import pandas as pd

from cs_analytics.core.accounts import account_choices
from cs_analytics.core.filters import AccountFilter
from factories import build_workspace


def test_customers_first_and_filter(tmp_path):
    ws = build_workspace(
        tmp_path / "w.duckdb",
        accounts=pd.DataFrame({"account_id": ["a", "b", "c"], "account_name": ["A", None, "C"],
                               "segment": ["SMB", "SMB", "Enterprise"]}),
        contracts=pd.DataFrame({"account_id": ["a", "b", "c"],
                                "start_date": ["2024-01-01", "2024-01-01", "2024-01-01"],
                                "end_date": ["2024-02-29", None, None], "mrr": [10.0, 20.0, 30.0]}),
        usage=pd.DataFrame({"account_id": ["b"], "event_date": ["2024-06-30"]}),
    )
    choices = account_choices(ws)
    assert choices["account_id"].tolist() == ["b", "c", "a"]
    assert choices["name"].tolist() == ["b", "C", "A"]
    smb = account_choices(ws, AccountFilter.of(segment="SMB"))
    assert smb["account_id"].tolist() == ["b", "a"]
