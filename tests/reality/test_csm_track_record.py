"""The per-CSM track record (issue 11) against an independent pandas reference, and the track
record following My book."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cs_analytics.core import config
from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.filters import NO_FILTER, AccountFilter
from cs_analytics.reality.flags import flag_account
from cs_analytics.reality.track_record import (
    CSM_RECORD_COLUMNS, csm_track_record, track_record, track_record_inputs,
)
from cs_analytics.views.reality import reality_track_records


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    from cs_analytics.demo.build import write_demo

    path = tmp_path_factory.mktemp("csm_record") / "demo.duckdb"
    workspace = open_workspace(path)
    write_demo(workspace, accounts=200, seed=3)
    greens = workspace.query("SELECT account_id FROM accounts ORDER BY account_id LIMIT 3")["account_id"]
    # In-app flags made in the past count in past snapshots; one CSM's name written two ways.
    when = dt.datetime(2025, 6, 3, 10)
    flag_account(workspace, greens[0], reason="champion_left", user="Dana Lee", now=when,
                 review_by=dt.date(2026, 1, 1))
    flag_account(workspace, greens[1], reason="budget_cut", user=" dana lee", now=when,
                 review_by=dt.date(2026, 1, 1))
    yield workspace
    close_workspace(path)


def reference(scores_long, sentiment, outcomes) -> pd.DataFrame:
    """Written from metrics.md, independently of the library's grouping."""
    day = lambda f: f.assign(as_of=pd.to_datetime(f["as_of"]).dt.date)  # noqa: E731
    frame = day(scores_long[["as_of", "account_id", "band"]]).merge(
        day(outcomes[["as_of", "account_id", "churned"]]), on=["as_of", "account_id"])
    frame = frame.merge(day(sentiment[["as_of", "account_id", "csm_sentiment", "flagged", "assessed_by"]]),
                        on=["as_of", "account_id"], how="left")
    flagged = frame["flagged"].astype("boolean").fillna(False).astype(bool)
    green = frame["band"] == "green"
    call = green & ((frame["csm_sentiment"] == "red") | ((frame["csm_sentiment"] == "yellow") & flagged))
    base = frame[green & ~((frame["csm_sentiment"] == "red") | flagged)]
    base_rate = base["churned"].astype(bool).mean()
    calls = frame[call & frame["assessed_by"].notna()].copy()
    calls["who"] = calls["assessed_by"].str.strip().str.lower()
    rows = []
    for who, group in calls.groupby("who"):
        churned = int(group["churned"].astype(bool).sum())
        rate = churned / len(group)
        rows.append({"who": who, "calls": len(group), "accounts": group["account_id"].nunique(),
                     "churned": churned, "churn_rate": rate, "base_calls": len(base),
                     "base_churned": int(base["churned"].astype(bool).sum()), "base_rate": base_rate,
                     "lift": rate / base_rate if base_rate else None})
    return pd.DataFrame(rows).sort_values(["calls", "who"], ascending=[False, True]).reset_index(drop=True)


def test_per_csm_record_matches_a_pandas_reference(ws):
    inputs = track_record_inputs(ws, config.DEFAULT_HORIZON_DAYS, None, NO_FILTER,
                                 config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS)
    got = csm_track_record(ws)
    want = reference(*inputs)
    assert list(got.columns) == CSM_RECORD_COLUMNS
    assert len(got) >= 3 and got["calls"].sum() > 0
    assert got["csm"].str.strip().str.lower().tolist() == want["who"].tolist()
    pd.testing.assert_frame_equal(got.drop(columns="csm"), want.drop(columns="who"), check_dtype=False)
    # The calls of all CSMs are the pooled record's green-but-failing account-snapshots.
    assert got["calls"].sum() == track_record(ws).green_but_failing.accounts
    # "Dana Lee" and " dana lee" are one CSM.
    assert (got["csm"].str.strip().str.lower() == "dana lee").sum() <= 1


def test_track_record_follows_my_book_whatever_the_case(ws):
    owner = ws.query("SELECT csm_owner FROM accounts GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").iloc[0, 0]
    mine = reality_track_records(ws, NO_FILTER, None, config.DEFAULT_ASSESSMENT_MAX_AGE_DAYS,
                                 f"  {owner.upper()} ")
    want = track_record(ws, account_filter=AccountFilter.of(csm_owner=owner))
    assert mine.record.to_dict() == want.to_dict()
    everyone = reality_track_records(ws, NO_FILTER, None)
    assert mine.record.green_no_red.accounts < everyone.record.green_no_red.accounts
    assert mine.by_csm["calls"].sum() == mine.record.green_but_failing.accounts
