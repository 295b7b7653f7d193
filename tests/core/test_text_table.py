"""The CLI's table text (cli/text_table.py) is pandas' `to_string(index=False)` exactly, whatever
the frame: floats of every magnitude, missing values, infinities, integers, booleans and text."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_analytics.cli.main import render
from cs_analytics.cli.text_table import text_table

FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(min_value=-1e7, max_value=1e7),
    st.integers(min_value=-10**6, max_value=10**6).map(lambda n: n / 1000),  # few decimals: zeros to trim
    st.integers(min_value=0, max_value=100).map(float),
    st.just(float("nan")),
)
TEXT = st.one_of(st.none(), st.text(max_size=60), st.sampled_from(["ACC-1", "green", "a\tb", "x\ny"]))


@st.composite
def frames(draw):
    rows = draw(st.integers(min_value=1, max_value=30))
    kinds = draw(st.lists(st.sampled_from(["float", "int", "bool", "text", "label"]), min_size=1, max_size=6))
    data = {}
    for i, kind in enumerate(kinds):
        name = draw(st.sampled_from(["score", "x", "a_much_longer_column_label", "raw"])) + str(i)
        if kind == "float":
            data[name] = pd.Series(draw(st.lists(FLOATS, min_size=rows, max_size=rows)), dtype="float64")
        elif kind == "int":
            data[name] = pd.Series(draw(st.lists(st.integers(-10**12, 10**12), min_size=rows, max_size=rows)),
                                   dtype="int64")
        elif kind == "bool":
            data[name] = pd.Series(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), dtype=bool)
        else:
            data[name] = pd.Series(draw(st.lists(TEXT, min_size=rows, max_size=rows)), dtype=object)
    return pd.DataFrame(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_text_table_is_pandas_to_string(frame):
    assert text_table(frame) == frame.to_string(index=False)


def test_scores_and_raw_values_like_a_health_table(monkeypatch):
    """Written here, not handed to pandas (90k rows took pandas 80 s of CPU at 100M usage rows,
    where the NPS columns were all missing), and the same text."""
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({
        "account_id": [f"ACC-{i:06d}" for i in range(2000)],
        "score": rng.uniform(0, 100, 2000).round(4),
        "band": rng.choice(["green", "yellow", "red"], 2000),
        "trend_raw": np.where(rng.random(2000) < 0.1, np.nan, rng.normal(1, 0.5, 2000)),
        "users_raw": rng.integers(0, 50, 2000).astype(float),
        "mrr": rng.uniform(0, 5e6, 2000).round(4),  # the CLI rounds to 4 decimals
        "nps_raw": np.full(2000, np.nan),
    })
    expected = frame.to_string(index=False)
    monkeypatch.setattr(pd.DataFrame, "to_string", lambda *a, **k: pytest.fail("fell back to pandas"))
    assert text_table(frame) == expected
    assert render(frame, "table") == expected


def test_columns_pandas_writes_in_scientific_notation_stay_pandas():
    frame = pd.DataFrame({"tiny": [1e-9, 0.5], "huge": [1.5e12, 2.25], "inf": [np.inf, 1.0]})
    assert text_table(frame) == frame.to_string(index=False)
    assert "e-09" in text_table(frame)
