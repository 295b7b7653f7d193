"""View state in links (cs_analytics.core.view_state) and the sidebar's filter options (filters)."""
from __future__ import annotations

import datetime as dt
import urllib.parse

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_analytics.core.db import close_workspace
from cs_analytics.core.filters import AccountFilter, filter_options, matching_accounts
from cs_analytics.core.dates import as_of_in_force, last_complete_month, month_end, partial_month_note
from cs_analytics.core.view_state import (
    View, decode_view, is_view_param, view_params,
)
from factories import build_workspace

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
NAMES = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)
FILTERS = st.dictionaries(NAMES, st.lists(TEXT, min_size=1, max_size=4, unique=True), max_size=4).map(
    lambda where: AccountFilter({k: tuple(v) for k, v in where.items()}))
DATES = st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))
VIEWS = st.builds(View, st.none() | DATES, FILTERS)


def through_a_url(params: dict[str, list[str]]) -> dict[str, list[str]]:
    """The parameters as a browser gets them back from a link's query string."""
    query = urllib.parse.urlencode(params, doseq=True)
    return urllib.parse.parse_qs(query, keep_blank_values=True)


@given(VIEWS)
@settings(max_examples=300, deadline=None)
def test_any_view_survives_encode_then_decode(view):
    decoded = decode_view(view_params(view))
    assert decoded.view == view and decoded.notes == ()


@given(VIEWS, st.dictionaries(st.sampled_from(["basis", "grain", "cohort", "period", "account"]), TEXT))
@settings(max_examples=200, deadline=None)
def test_any_view_survives_a_real_query_string_next_to_page_params(view, page_params):
    options = {name: list(values) for name, values in view.account_filter.where.items()}
    params = through_a_url({**{k: [v] for k, v in page_params.items()}, **view_params(view)})
    decoded = decode_view(params, options)
    assert decoded.view == view and decoded.notes == ()
    assert not any(is_view_param(k) for k in page_params)


@given(st.dictionaries(TEXT, st.lists(TEXT, max_size=3) | TEXT, max_size=6))
@settings(max_examples=300, deadline=None)
def test_any_link_decodes_without_error_to_offered_values_only(params):
    options = {"segment": ["SMB", "Enterprise"], "plan": ["Pro"]}
    decoded = decode_view(params, options)
    for name, values in decoded.view.account_filter.where.items():
        assert name in options and set(values) <= set(options[name])
    assert all(isinstance(n, str) and n for n in decoded.notes)


def test_unknown_filters_values_and_dates_are_ignored_with_a_note():
    options = {"segment": ["SMB", "Enterprise"]}
    decoded = decode_view({"f.segment": ["SMB", "Galactic"], "f.crm_id": ["X1"], "as_of": ["2024-02-30"],
                           "basis": ["nrr"]}, options)
    assert decoded.view == View(None, AccountFilter.of(segment=["SMB"]))
    text = " ".join(decoded.notes)
    assert "'Galactic'" in text and "'crm_id'" in text and "'2024-02-30'" in text
    assert len(decoded.notes) == 3


@pytest.mark.parametrize("text", ["²⁰²⁴-01-31", "٢٠٢٤-٠١-٣١", "20240131", "2024-1-31", "2024-01-31T00:00",
                                  " 2024-01-31", "2024-13-01", ""])
def test_as_of_in_a_link_is_strictly_yyyy_mm_dd(text):
    decoded = decode_view({"as_of": text})
    assert decoded.view.as_of is None and len(decoded.notes) == 1


@given(DATES)
def test_partial_month_note_exactly_when_as_of_is_not_a_month_end(day):
    note = partial_month_note(day)
    if day == month_end(day):
        assert note is None
    else:
        assert note.startswith(f"The last complete month is {last_complete_month(day):%B %Y};")
        last_day = month_end(last_complete_month(day))
        assert f"churn dated {last_day:%Y-%m-%d} or later" in note
        assert f"shows once {day:%B %Y} is complete (as of {month_end(day):%Y-%m-%d})" in note


def test_partial_month_note_for_the_telco_case():
    assert partial_month_note(dt.date(2024, 12, 1)) == (
        "The last complete month is November 2024; churn dated 2024-11-30 or later (a contract ending on "
        "November's last day is lost in December) shows once December 2024 is complete (as of 2024-12-31).")


def test_as_of_in_force_link_then_workspace_then_data():
    link, setting, data = dt.date(2024, 6, 30), dt.date(2024, 9, 30), dt.date(2024, 12, 1)
    assert (as_of_in_force(link, setting, data).day, as_of_in_force(link, setting, data).source) == (link, "link")
    assert as_of_in_force(None, setting, data).source == "workspace"
    in_force = as_of_in_force(None, None, data)
    assert (in_force.day, in_force.source, in_force.override) == (data, "data", None)
    assert as_of_in_force(None, setting, data).override == setting


# -- filter options --------------------------------------------------------------------------

@pytest.fixture
def attribute_workspace(tmp_path):
    n = 60
    accounts = pd.DataFrame({
        "account_id": [f"A{i:03d}" for i in range(n)],
        "segment": ["SMB" if i % 2 else "Enterprise" for i in range(n)],
        "plan": ["Pro" if i % 3 else "Basic" for i in range(n)],
        "csm_owner": [f"csm{i}" for i in range(n)],  # one owner per account: still offered
        "industry": [f"ind{i}" for i in range(n)],  # unique per account: not offered
    })
    ws = build_workspace(tmp_path / "ws.duckdb", accounts=accounts)
    rows = []
    for i in range(n):
        rows += [(f"A{i:03d}", "crm_id", f"CRM-{i}"),            # an id: unique per account
                 (f"A{i:03d}", "tier", f"T{i % 4}"),             # 4 values: offered
                 (f"A{i:03d}", "seats", str(i % 55))]             # 55 distinct values: too many
        if i < 30:
            rows.append((f"A{i:03d}", "amount", str(i * 10)))  # 30 values over 30 accounts
    frame = pd.DataFrame(rows, columns=["account_id", "name", "value"])
    with ws.transaction() as cur:
        cur.register("_attrs", frame)
        cur.execute("INSERT INTO account_attributes (account_id, name, value) SELECT * FROM _attrs")
        cur.unregister("_attrs")
    yield ws
    close_workspace(tmp_path / "ws.duckdb")


def test_ids_amounts_and_many_valued_attributes_are_not_offered(attribute_workspace):
    options = filter_options(attribute_workspace)
    assert set(options) == {"segment", "plan", "csm_owner", "tier"}
    assert options["tier"] == ["T0", "T1", "T2", "T3"]
    assert len(options["csm_owner"]) == 60


def test_matching_accounts_counts_the_filter(attribute_workspace):
    assert matching_accounts(attribute_workspace, AccountFilter()) == 60
    assert matching_accounts(attribute_workspace, AccountFilter.of(segment="SMB")) == 30
    assert matching_accounts(attribute_workspace, AccountFilter.of(segment="SMB", plan="Basic", tier="T0")) == 0
