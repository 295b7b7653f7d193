"""Every page on a hostile workspace (markdown, links, images, HTML, ' · ', CR/LF, formulas in
ids, names, CSM owners, notes, attribute headers; hostile URL parameters): no exception, and
every text that reaches markdown (bodies, titles, alerts, widget/metric/expander labels) carries
no live link, image or HTML; hostile values read back literally."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import element_tree as et

import hostile
from conftest import assert_no_exception
from cs_analytics.core.db import close_workspace
from cs_analytics.core.text import unescape_markdown

PAGES = ["app_pages/overview.py", "app_pages/revenue.py", "app_pages/cohorts.py", "app_pages/health.py",
         "app_pages/reality.py", "app_pages/account.py", "app_pages/data.py", "app_pages/renewals.py",
         "app_pages/onboarding.py"]
MARKDOWN_BODIES = (et.Markdown, et.HeadingBase, et.AlertBase)
LIVE = re.compile(r"\]\(|<a\b|<img\b|://|www\.|\w@\w", re.IGNORECASE)


@pytest.fixture
def hostile_path(tmp_path):
    path = tmp_path / "hostile.duckdb"
    hostile.build_hostile_workspace(path)
    close_workspace(path)
    return path


def _rendered(markdown: str) -> str:
    """What markdown syntax remains once backslash-escaped characters are taken out."""
    return re.sub(r"\\[!-/:-@\[-`{-~]", "", markdown)


def markdown_texts(node) -> list[str]:
    """Every string of the tree that Streamlit renders as markdown (bodies and labels)."""
    found: list[str] = []
    if isinstance(node, MARKDOWN_BODIES) and isinstance(getattr(node, "value", None), str):
        found.append(node.value)
    if not isinstance(node, et.Code):
        proto_label = getattr(getattr(node, "proto", None), "label", None)
        if isinstance(proto_label, str) and proto_label:
            found.append(proto_label)
    for child in getattr(node, "children", {}).values():
        found += markdown_texts(child)
    return found


def assert_no_live_markup(at) -> list[str]:
    texts = markdown_texts(at._tree)
    live = [t for t in texts if LIVE.search(_rendered(t))]
    assert not live, f"markdown with a live link/image/HTML: {live[:5]}"
    return texts


def shown(at) -> list[str]:
    """The markdown texts as a reader sees them."""
    return [unescape_markdown(t) for t in markdown_texts(at._tree)]


# the pages whose tabs draw only when open (?tab=): each tab's text is checked too
TABS = [("app_pages/reality.py", tab) for tab in ("Flags", "Track record", "Spikes before renewal")] + [
    ("app_pages/health.py", tab) for tab in ("Scorecard", "Does it predict churn?", "Which signals predict churn?")]


@pytest.mark.parametrize("page, tab", [(page, None) for page in PAGES] + TABS)
def test_every_page_renders_hostile_text_as_text(app_test, hostile_path, page, tab):
    at = app_test(page, workspace=hostile_path, timeout=180, query={"tab": tab} if tab else None)
    assert_no_exception(at)
    assert_no_live_markup(at)
    # the attribute header is a sidebar filter label, shown literally
    assert hostile.ATTRIBUTE_HEADER in shown(at)


def test_reality_spike_for_an_id_with_the_separator(app_test, hostile_path):
    at = app_test("app_pages/reality.py", workspace=hostile_path, timeout=180,
                  query={"tab": "Spikes before renewal"})
    assert_no_exception(at)
    chooser = at.selectbox(key="spike_choice")
    assert chooser.format_func(chooser.value).startswith(hostile.SPIKE_ID + " · 2024-03-31")
    assert_no_live_markup(at)


def test_account_page_shows_hostile_names_literally(app_test, hostile_path):
    at = app_test("app_pages/account.py", workspace=hostile_path, query={"account": hostile.SPIKE_ID},
                  timeout=180)
    assert_no_exception(at)
    assert_no_live_markup(at)
    assert hostile.LINK_NAME in [unescape_markdown(s.value) for s in at.subheader]
    texts = " ".join(shown(at))
    assert f"CSM owner: {hostile.CSM}" in texts
    assert f"by {hostile.CSM} on" in texts and f"“{hostile.NOTE}”" in texts  # the flag caption


@pytest.mark.parametrize("account", [
    "[Your session expired - log in again](https://evil.example)",
    "![t](https://evil.example/t.png)", "CRMID\r=2+2", "<img src=https://evil.example/x.png>",
])
def test_account_parameter_is_text(app_test, hostile_path, account):
    at = app_test("app_pages/account.py", workspace=hostile_path, query={"account": account}, timeout=180)
    assert_no_exception(at)
    assert_no_live_markup(at)
    if account in hostile.ACCOUNTS:
        assert hostile.ACCOUNTS[account].replace("\r\n", " ").replace("\n", " ") in shown(at)
    else:
        warning = next(unescape_markdown(w.value) for w in at.warning if "There is no account" in w.value)
        assert account.replace("\r", " ") in warning


@pytest.mark.parametrize("query", [
    {"basis": "logo", "grain": "month", "cohort": "2023-01", "period": "²"},
    {"basis": "nrr", "grain": "quarter", "cohort": "2023-Q1", "period": "٣"},
    {"basis": "[x](https://evil.example)", "grain": "<b>", "cohort": "[x](https://evil.example)", "period": "-1"},
    {"cohort": "0000-01", "period": "99999999999999999999999"},
])
def test_cohorts_url_parameters_never_raise(app_test, hostile_path, query):
    at = app_test("app_pages/cohorts.py", workspace=hostile_path, query=query, timeout=180)
    assert_no_exception(at)
    assert_no_live_markup(at)


def test_data_page_hostile_file_name_and_headers(app_test, hostile_path):
    at = app_test("app_pages/data.py", workspace=hostile_path, timeout=180)
    name = "[report](https://evil.example/f) ![i](https://evil.example/i.png).csv"
    body = f"account_id,account_name,{hostile.ATTRIBUTE_HEADER}\nA1,{hostile.IMAGE_NAME},x\n".encode()
    at.session_state["data_page_files"] = [(name, body)]
    at.run()
    assert_no_exception(at)
    assert_no_live_markup(at)
    assert name in shown(at)


def test_hostile_identity_and_conflict_warning_are_text(app_test, hostile_path):
    """Issue 11: the name from the link (?as_user=) and another CSM's name in the conflict
    warning are shown as text."""
    from cs_analytics.core.db import open_workspace
    from cs_analytics.reality.flags import flag_account

    me = f"[me](https://{hostile.EVIL}/u) <b>x</b>"
    at = app_test("app_pages/reality.py", workspace=hostile_path, query={"as_user": me, "tab": "Flags"}, timeout=180)
    assert_no_exception(at)
    at.text_input(key="flag_search").set_value(hostile.SPIKE_ID).run()
    at.selectbox(key="flag_account").select(hostile.SPIKE_ID).run()
    flag_account(open_workspace(hostile_path), hostile.SPIKE_ID, reason="other", user=f"![x](https://{hostile.EVIL}/p.png)")
    at.button(key="flag_submit").click().run()
    assert_no_exception(at)
    texts = assert_no_live_markup(at)
    assert any("flagged this account just now" in unescape_markdown(t) for t in texts)
    assert any(f"Flagging as **{me}**" in unescape_markdown(t) for t in texts)
