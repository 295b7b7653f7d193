"""The Onboarding view: the cohort table as read (blank when censored), notes, the finder's sentences."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cs_analytics.core.db import close_workspace
from cs_analytics.core.filters import NO_FILTER
from cs_analytics.views import onboarding as vo
from factories import build_workspace
from onboarding_cases import ACCOUNTS, CONTRACTS, USAGE

AS_OF = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def view_ws(tmp_path_factory):
    path = tmp_path_factory.mktemp("onb_view") / "w.duckdb"
    ws = build_workspace(path, accounts=ACCOUNTS, contracts=CONTRACTS, usage=USAGE)
    yield ws
    close_workspace(path)


def test_cohort_table_reads_share_of_observed_and_blanks_censored_cells(view_ws):
    view = vo.build(view_ws, NO_FILTER, AS_OF, None, "month")
    table = view.cohort_table.set_index("Cohort")
    assert table.loc["2024-01", "Within 90 days"] == "25% of 4"  # a of a, b, c, g
    assert table.loc["2024-02", "Within 30 days"] == "100% of 1" and table.loc["2024-02", "Median days"] == "1"
    assert table.loc["2025-11", "Within 60 days"] == "0% of 1"
    assert table.loc["2025-11", "Within 90 days"] == "" and table.loc["2025-11", "Median days"] == ""
    assert list(view.not_yet_activated["account_id"]) == ["e", "b", "c", "g"]  # newest start first
    assert view.notes == () and view.survival is not None


def test_unknown_metric_and_bad_grain(view_ws):
    view = vo.build(view_ws, NO_FILTER, AS_OF, '{"metric": "clicks"}')
    assert "has no usage rows" in view.notes[0] and view.summary["activated_within_30_days"] == 0.0
    with pytest.raises(ValueError, match="month or quarter"):
        vo.build(view_ws, NO_FILTER, AS_OF, None, "week")


def test_finder_sentences_state_both_halves(demo_ws):
    result = vo.finder(demo_ws, NO_FILTER, None)
    lines = vo.finder_sentences(result)
    assert lines[0].startswith("Best rule: ") and "Fitted on starts" in lines[1] and "Checked on starts" in lines[2]
    assert ("it holds" in lines[2]) == result.holds
    assert "The rule in force separates" in lines[3]
    assert isinstance(vo.finder_table(result), pd.DataFrame) and len(vo.finder_table(result)) == 10
