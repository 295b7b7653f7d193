"""The Account page's typed result: one account scored, its override, its choices."""
from __future__ import annotations

import pytest

from cs_analytics.core.filters import AccountFilter, NO_FILTER
from cs_analytics.core.workspace import resolve_as_of
from cs_analytics.health.scoring import score_accounts
from cs_analytics.reality.flags import flag_account
from cs_analytics.views.account import SIGNAL_COLUMNS, account_options, account_view


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
    everyone = account_options(demo_ws)
    inside = set(account_options(demo_ws, smb).ids)
    outside = next(a for a in everyone.ids if a not in inside)
    linked = account_options(demo_ws, smb, None, outside + "\u200b")
    assert linked.wanted == outside and linked.ids[0] == outside and linked.index == 0
    unknown = account_options(demo_ws, smb, None, "NO-SUCH-ACCOUNT")
    assert unknown.unknown == "NO-SUCH-ACCOUNT" and unknown.wanted is None
