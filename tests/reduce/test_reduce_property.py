"""Hostile values and dates: the DuckDB reduction never crashes, never loses a row, and types
exactly what an independent Python reading of the data contract accepts."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Context, localcontext, Decimal, InvalidOperation, ROUND_HALF_UP

import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from cs_analytics.reduce.duckdb_engine import reduce_with_duckdb
from test_reduce_duckdb import read

NUMBER = re.compile(r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?")
LIMIT = Decimal(10) ** 29

values = st.one_of(
    st.none(), st.just(""), st.just(" "),
    st.decimals(min_value=-10**6, max_value=10**12, allow_nan=False, allow_infinity=False, places=4).map(str),
    st.integers(min_value=-10**30, max_value=10**31).map(str),
    st.from_regex(r"[0-9 .,eE+_\-xa]{1,8}", fullmatch=True),
    st.text(max_size=6),
)


def expected_value(text: str | None) -> Decimal | None:
    """The contract read in Python: blank -> 1; a decimal number >= 0 below 1e29 -> it; else None."""
    if text is None or not text.strip(" "):
        return Decimal(1)
    stripped = text.strip(" ")
    if not NUMBER.fullmatch(stripped):
        return None
    try:
        # 29 integer digits + 9 decimals: beyond the default 28-digit context, as DECIMAL(38, 9) is
        number = Decimal(stripped).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP, context=Context(prec=60))
    except InvalidOperation:
        return None
    return number if 0 <= number < LIMIT else None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(values, min_size=1, max_size=12))
def test_every_row_is_either_summed_or_rejected(tmp_path_factory, texts):
    tmp = tmp_path_factory.mktemp("prop")
    frame = pd.DataFrame({"account_id": "A", "event_date": "2024-05-01T23:59:59-01:00", "value": texts}, dtype=object)
    frame.to_parquet(tmp / "e.parquet")
    summary = reduce_with_duckdb(str(tmp / "e.parquet"), str(tmp / "out"))
    accepted = [v for v in map(expected_value, texts) if v is not None]
    assert summary.rows_in == len(texts)
    assert summary.rejected == len(texts) - len(accepted)
    facts = read(tmp / "out" / "facts.parquet")
    if accepted:
        assert facts["event_date"].tolist() == [dt.date(2024, 5, 2)]
        with localcontext(Context(prec=60)):  # an exact sum, as DECIMAL(38, 9) is
            total = sum(accepted)
        assert facts["value"].tolist() == [total]
    else:
        assert facts.empty
    assert len(read(tmp / "out" / "rejected.parquet")) == summary.rejected
