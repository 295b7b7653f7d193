"""Hostile metric and attribute names (any text) are bound values: the measure computes the right
number, the table survives, and a candidate's generated name is always a valid measure name."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cs_analytics.core.db import close_workspace, open_workspace
from cs_analytics.core.derived import rebuild
from cs_analytics.health.candidates import candidate_definitions, slug
from cs_analytics.health.definitions import MeasureDefinition, compute_raw_values

T = dt.date(2026, 5, 31)
NAMES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "ws.duckdb"
    workspace = open_workspace(path)
    yield workspace
    close_workspace(path)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(metric=NAMES, attribute=NAMES, value=st.integers(1, 1000))
def test_any_name_is_a_bound_value(ws, metric, attribute, value):
    if not metric.strip() or not attribute.strip():
        return
    with ws.transaction() as cur:
        cur.execute("DELETE FROM usage")
        cur.execute("DELETE FROM account_attributes")
        cur.executemany("INSERT INTO usage (account_id, event_date, metric, value) VALUES (?, ?, ?, ?)",
                        [("A", T, metric, float(value)), ("A", T - dt.timedelta(days=3), metric, 1.0),
                         ("A", T, metric + "x", 5.0), ("A", T + dt.timedelta(days=1), metric, 1e6)])
        cur.execute("INSERT INTO account_attributes VALUES ('A', ?, ?)", [attribute, str(value)])
        rebuild(cur, today=T)  # as every data write does: the measures read the derived usage tables
    defs = [MeasureDefinition("s", "usage", metric=metric, window_days=7),
            MeasureDefinition("d", "usage", metric=metric, aggregation="days_since_last"),
            MeasureDefinition("a", "attribute", attribute=attribute, aggregation="value")]
    row = compute_raw_values(ws, defs, [T]).iloc[0]
    assert (row["s"], row["d"], row["a"]) == (value + 1.0, 0.0, float(value))
    names = [d.name for d in candidate_definitions(ws)]
    # (2 metrics + all metrics together) x 4 aggregations (no user_id here) + 1 attribute
    assert len(set(names)) == len(names) == (2 + 1) * 4 + 1
    for name in names:
        MeasureDefinition(name, "usage")  # a valid measure name
    assert ws.scalar("SELECT count(*) FROM usage") == 4


@given(NAMES)
def test_slug_is_always_a_measure_name(text):
    MeasureDefinition(slug(text), "usage")
