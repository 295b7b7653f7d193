"""The Account page's typed result: one account scored, its override, its choices."""
from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cs_analytics.core.filters import AccountFilter, NO_FILTER
from cs_analytics.core.ids import normalise_id
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.scoring import score_accounts
from cs_analytics.reality.flags import flag_account
from cs_analytics.views.account import ACCOUNT_MATCH_LIMIT, SIGNAL_COLUMNS, account_options, account_view


def _top_account(ws) -> str:
    return score_accounts(ws).sort_values("score", ascending=False).iloc[0]["account_id"]


def test_view_scores_the_one_account_as_the_portfolio_does(demo_ws):
    account = _top_account(demo_ws)
    as_of = resolve_as_of(demo_ws)
    view = account_view(demo_ws, NO_FILTER, as_of, account)
    row = score_accounts(demo_ws, as_of).set_index("account_id").loc[account]
    assert view.explanation.score == pytest.approx(row["score"])
    assert view.explanation.band == row["band"]
    assert view.header["Account ID"] == account and view.name
    assert list(view.signals.columns) == SIGNAL_COLUMNS
    assert not view.contracts.empty and not view.month_end_mrr.empty


def test_flag_shows_as_an_override_with_both_values(demo_workspace):
    account = _top_account(demo_workspace)
    flag_account(demo_workspace, account, reason="champion_left", user="Dana", note="champion left")
    view = account_view(demo_workspace, NO_FILTER, resolve_as_of(demo_workspace), account)
    assert view.override.label.startswith("CSM override: red (metric: green")
    assert view.override.effective_band == "red"
    assert view.override.flag["user_name"] == "Dana" and view.override.flag["status"] == "active"
    assert view.signals.iloc[0]["action"] == "flag"


def test_choices_offer_a_linked_account_outside_the_filter_and_refuse_an_unknown_one(demo_ws):
    smb = AccountFilter.of(segment="SMB")
    everyone = account_options(demo_ws, limit=None)
    inside = set(account_options(demo_ws, smb, limit=None).ids)
    outside = next(a for a in everyone.ids if a not in inside)
    linked = account_options(demo_ws, smb, None, outside + "\u200b")
    assert linked.wanted == outside and linked.ids[0] == outside and linked.index == 0
    unknown = account_options(demo_ws, smb, None, "NO-SUCH-ACCOUNT")
    assert unknown.unknown == "NO-SUCH-ACCOUNT" and unknown.wanted is None


def test_search_offers_the_top_matches_by_id_or_name_and_keeps_the_linked_account_first(demo_ws):
    from cs_analytics.core.accounts import account_choices

    every = account_choices(demo_ws)
    default = account_options(demo_ws)
    assert default.ids == tuple(every["account_id"].head(ACCOUNT_MATCH_LIMIT))  # customers first, as before
    assert default.truncated and default.matched == default.total == len(every)
    # a name fragment: every account whose id or name contains it, case-blind (pandas reference)
    fragment = every["name"].iloc[7][1:5].upper()
    expected = every[every["name"].str.lower().str.contains(fragment.lower(), regex=False)
                     | every["account_id"].str.lower().str.contains(fragment.lower(), regex=False)]
    found = account_options(demo_ws, search=fragment, limit=None)
    assert set(found.ids) == set(expected["account_id"]) and found.matched == len(expected)
    # an exact id (as a user types it, with stray spaces) comes first; the linked account stays first
    target, linked = every["account_id"].iloc[-1], every["account_id"].iloc[0]
    typed = account_options(demo_ws, NO_FILTER, None, linked, f"  {target.lower()} ")
    assert typed.ids[:2] == (linked, target) and typed.index == 0 and typed.names[target]
    none = account_options(demo_ws, search="no account has this text")
    assert none.ids == () and none.matched == 0
    only_linked = account_options(demo_ws, NO_FILTER, None, linked, "no account has this text")
    assert only_linked.ids == (linked,)


def test_flag_form_offers_the_top_matches_and_keeps_the_chosen_account():
    from cs_analytics.views.flags import offered_choices

    choices = {f"A{i:04d}": ("Acme " if i % 7 == 0 else "Beta ") + str(i) for i in range(300)}
    ids, matched = offered_choices(choices, "")
    assert ids == list(choices)[:ACCOUNT_MATCH_LIMIT] and matched == 300
    ids, matched = offered_choices(choices, "acme")
    expected = [a for a, name in choices.items() if "acme" in name.lower()]  # reference: a plain loop
    assert ids == expected[:ACCOUNT_MATCH_LIMIT] and matched == len(expected) == 43
    ids, _ = offered_choices(choices, "acme", keep="A0299")  # chosen before the search: still offered
    assert ids[0] == "A0299" and ids[1:] == expected[:ACCOUNT_MATCH_LIMIT]
    assert offered_choices(choices, "a0123") == (["A0123"], 1)
    assert offered_choices(choices, "nothing", keep="NOT-A-CHOICE") == ([], 0)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=12))
@example("\xad")  # only an invisible character (a soft hyphen): no id left, so every account (found in CI)
def test_any_typed_text_searches_as_plain_text(text):
    import pandas as pd

    from cs_analytics.views.account import search_accounts

    options = pd.DataFrame({"account_id": ["A-1", "a.2", "B[3]", "(x)*"], "name": ["Acme", "", "Beta+", "^Zed$"]})
    found = search_accounts(options, text)
    assert set(found["account_id"]) <= set(options["account_id"])
    needle = text.strip().casefold()
    expected = {a for a, n in zip(options["account_id"], options["name"])  # reference: plain substring tests
                if not needle or needle in n.casefold() or (normalise_id(text) or "").casefold() in a.casefold()}
    assert set(found["account_id"]) == expected
