"""Who a CSM is among the owners: trimmed, case-insensitive matching and suggestions; hostile
names never break it."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from cs_analytics.core.owners import match_owner, owner_key, suggestion_sentence
from cs_analytics.views.reality import book_of

import pandas as pd

OWNERS = ["Priya Raman", "Marcus Chen", "Liam O'Connor", "Priya Shah"]


def test_names_match_ignoring_case_and_spaces():
    for typed in ("priya raman", "  PRIYA   raman ", "Priya Raman"):
        match = match_owner(typed, OWNERS)
        assert match.owner == "Priya Raman" and match.suggestions == ()


def test_no_match_suggests_the_closest_owners():
    assert sorted(match_owner("priya", OWNERS).suggestions) == ["Priya Raman", "Priya Shah"]
    assert match_owner("Marcus Chan", OWNERS).suggestions == ("Marcus Chen",)
    assert match_owner("liam oconnor", OWNERS).suggestions == ("Liam O'Connor",)
    nobody = match_owner("Zed", OWNERS)
    assert nobody.owner is None and nobody.suggestions == ()
    assert suggestion_sentence(match_owner("pria raman", OWNERS)) == (
        "No account is owned by “pria raman”; did you mean Priya Raman or Priya Shah?")


def test_my_book_is_case_insensitive():
    accounts = pd.DataFrame({"account_id": ["A", "B", "C"],
                             "csm_owner": ["Priya Raman", " priya raman", "Marcus Chen"]})
    assert book_of(accounts, "PRIYA RAMAN ") == ["A", "B"]
    assert book_of(accounts, "nobody") == []
    assert book_of(accounts, None) is None


@settings(max_examples=100, deadline=None)
@given(typed=st.text(max_size=60), owners=st.lists(st.text(max_size=30), max_size=8))
def test_hostile_names_never_break_matching(typed, owners):
    match = match_owner(typed, owners)
    assert len(match.suggestions) <= 3
    assert set(match.owners) <= set(owners) and set(match.suggestions) <= set(owners)
    if match.owner is not None:
        assert owner_key(match.owner) == owner_key(typed)
    assert owner_key(owner_key(typed)) == owner_key(typed)
    sentence = suggestion_sentence(match)
    assert "\n" not in sentence and "\r" not in sentence
