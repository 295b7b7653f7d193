"""The Reality page's typed result: the same numbers as reality.quadrants, My book as one filter."""
from __future__ import annotations

import pandas as pd

from cs_analytics.core.filters import AccountFilter
from cs_analytics.reality.quadrants import GREEN_BUT_FAILING, quadrant_counts, quadrants
from cs_analytics.reality.track_record import track_record
from cs_analytics.views.reality import (
    LIST_COLUMNS,
    account_list,
    book_of,
    in_book,
    reality_track_record,
    reality_view,
    reason_text,
)


def test_view_agrees_with_quadrants(demo_ws):
    view = reality_view(demo_ws)
    frame = quadrants(demo_ws)
    assert view.counts == quadrant_counts(frame)
    assert view.counts[GREEN_BUT_FAILING] > 0
    gbf = frame[frame["quadrant"] == GREEN_BUT_FAILING]
    assert list(view.green_but_failing.columns) == LIST_COLUMNS
    assert sorted(view.green_but_failing["account_id"]) == sorted(gbf["account_id"])
    assert view.green_but_failing["mrr"].is_monotonic_decreasing
    assert len(view.unassessed) + len(view.stale) >= int((frame["quadrant"] == "unassessed").sum())


def test_stale_list_shows_the_old_sentiment(demo_ws):
    view = reality_view(demo_ws, max_age_days=30)
    assert len(view.stale) > 0
    old = view.accounts.set_index("account_id")["last_sentiment"]
    assert view.stale["csm_sentiment"].tolist() == old.loc[view.stale["account_id"]].tolist()


def test_my_book_restricts_every_list_to_the_owner(demo_ws):
    everyone = reality_view(demo_ws)
    owner = everyone.accounts["csm_owner"].value_counts().index[0]
    mine = reality_view(demo_ws, owner=owner)
    book = set(everyone.accounts.loc[everyone.accounts["csm_owner"] == owner, "account_id"])
    assert set(mine.accounts["account_id"]) == book
    assert sum(mine.counts.values()) == len(book) < sum(everyone.counts.values())
    for part in (mine.green_but_failing, mine.red_but_fine, mine.stale, mine.flags, mine.spikes):
        assert set(part["account_id"]) <= book
    assert mine.flagged_accounts == everyone.flagged_accounts  # a flag can be withdrawn from anywhere


def test_book_helpers():
    frame = pd.DataFrame({"account_id": ["A", "B", "C"], "csm_owner": ["Ann", "Bob", "Ann"]})
    assert book_of(frame, None) is None and book_of(frame, "") is None
    assert book_of(frame, "Ann") == ["A", "C"]
    assert in_book(frame, None) is frame
    assert in_book(frame, ["B"])["account_id"].tolist() == ["B"]


def test_selected_rows_are_listed_largest_first(demo_ws):
    view = reality_view(demo_ws)
    ids = view.accounts["account_id"].head(5).tolist()
    chosen = view.selected(ids)
    assert sorted(chosen["account_id"]) == sorted(ids)
    assert chosen.equals(account_list(view.accounts[view.accounts["account_id"].isin(ids)]))


def test_filter_and_track_record_are_the_library_s(demo_ws):
    enterprise = AccountFilter.of(segment="Enterprise")
    view = reality_view(demo_ws, enterprise)
    assert set(view.accounts["segment"]) == {"Enterprise"}
    record = reality_track_record(demo_ws, enterprise, None)
    assert record.to_dict() == track_record(demo_ws, account_filter=enterprise).to_dict()


def test_reason_codes_read_as_words_and_missing_stays_text():
    # One label map (config.FLAG_REASON_LABELS) for pages, CLI and exports; a CRM's own reason
    # text reads with spaces for underscores.
    assert reason_text(pd.Series(["champion_left", None, "price_too_high"])).tolist() == [
        "Champion left", None, "price too high"]
    assert reason_text(pd.Series([None, None])).dtype == object


def test_download_reads_reason_labels_not_codes(demo_ws):
    from cs_analytics.core import config

    exported = reality_view(demo_ws).export_frame()["reason"].dropna()
    assert len(exported) and not set(exported) & set(config.FLAG_REASON_CODES)
    assert set(exported) & set(config.FLAG_REASON_LABELS.values())
