"""Score bins of the Reality quadrant (reality.quadrant_bins) against a plain-Python reference,
and the page's selection of bins: every account in a selected bin, no other."""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from cs_analytics.charts.reality import quadrant_bins_chart
from cs_analytics.reality.quadrant_bins import accounts_in_bins, quadrant_bins
from cs_analytics.reality.quadrants import QUADRANTS

SENTIMENTS = [None, "red", "yellow", "green"]


def quadrant_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["account_id", "quadrant", "csm_sentiment", "score", "mrr"])


def reference_bins(frame: pd.DataFrame, width: float) -> dict[tuple, tuple[int, float, list[str]]]:
    """(quadrant, sentiment, lo) -> (accounts, MRR, ids), one account at a time."""
    out: dict[tuple, list] = defaultdict(lambda: [0, 0.0, []])
    for row in frame.itertuples():
        if row.score is None or math.isnan(row.score):
            continue
        lo = math.floor(min(row.score, 100 - width / 2) / width) * width
        entry = out[(row.quadrant, row.csm_sentiment or "none", float(lo))]
        entry[0] += 1
        entry[1] += 0.0 if row.mrr is None or math.isnan(row.mrr) else row.mrr
        entry[2].append(row.account_id)
    return {key: tuple(value) for key, value in out.items()}


rows_strategy = st.lists(st.tuples(
    st.sampled_from(QUADRANTS), st.sampled_from(SENTIMENTS),
    st.one_of(st.floats(0, 100), st.just(float("nan")), st.sampled_from([0.0, 1.999, 2.0, 99.0, 100.0])),
    st.one_of(st.floats(0, 1e6), st.just(float("nan")))), max_size=60)


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.sampled_from([1, 2, 5]))
def test_bins_match_a_row_by_row_reference(rows, width):
    frame = quadrant_frame([(f"A{i}", q, s, score, mrr) for i, (q, s, score, mrr) in enumerate(rows)])
    expected = reference_bins(frame, width)
    bins = quadrant_bins(frame, width)
    got = {(r.quadrant, r.csm_sentiment, r.score_from): (r.accounts, r.mrr) for r in bins.itertuples()}
    assert set(got) == set(expected)
    for key, (accounts, mrr, ids) in expected.items():
        assert got[key][0] == accounts
        assert got[key][1] == np.float64(mrr) or math.isclose(got[key][1], mrr, rel_tol=1e-9)
        bin_id = bins.loc[(bins["quadrant"] == key[0]) & (bins["csm_sentiment"] == key[1])
                          & (bins["score_from"] == key[2]), "bin_id"].item()
        assert sorted(accounts_in_bins(frame, [bin_id], width)) == sorted(ids)
    assert (bins["score_to"] - bins["score_from"] == width).all()
    assert bins["accounts"].sum() == frame["score"].notna().sum()


def test_a_score_of_100_is_in_the_last_bin_and_the_chart_selects_by_bin_id():
    frame = quadrant_frame([("A", "agree_healthy", "green", 100.0, 10.0), ("B", "agree_healthy", "green", 98.5, 5.0),
                            ("C", "unassessed", None, 3.0, None), ("D", "unassessed", None, 97.0, 1.0)])
    bins = quadrant_bins(frame)
    assert bins.set_index("bin_id")["accounts"].to_dict() == {
        "agree_healthy|green|98": 2, "unassessed|none|2": 1, "unassessed|none|96": 1}
    assert sorted(accounts_in_bins(frame, ["agree_healthy|green|98"])) == ["A", "B"]
    fig = quadrant_bins_chart(bins)
    ids = {row[0] for trace in fig.data for row in trace.customdata}
    assert ids == set(bins["bin_id"])
    assert sum(len(trace.x) for trace in fig.data) == len(bins)
