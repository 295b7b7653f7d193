"""The flag form shared by the Reality and Account pages: shows the account's flags in force
before saving, carries the flag-history version it was rendered with, warns and asks to confirm
when someone else flagged or withdrew meanwhile, clears after a save and says what was saved;
and the withdraw form (one flag at a time; someone else's needs an override reason)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from cs_analytics.core import config
from cs_analytics.reality.flags import FlagConflict, flag_account, withdraw_flag
from cs_analytics.views.account import ACCOUNT_MATCH_LIMIT
from cs_analytics.views.flags import FlagPanel, flag_panel, offered_choices
from ui.cache import cached_view
from ui.common import current_filter
from ui.text import md

FLASH_KEY = "flag_form_flash"


def _panel(ws, account_id: str) -> FlagPanel:
    return cached_view(flag_panel, ws, current_filter(), None, account_id)


def show_flash() -> None:
    """The last save's message (kept across the rerun that clears the form)."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)


def show_flags_in_force(panel: FlagPanel) -> None:
    """Every flag in force on the account, who made it, when, why, until when."""
    if panel.flags.empty:
        st.caption("No flag in force on this account.")
        return
    st.caption(f"Flags in force on {md(panel.account_id)} (the most severe overrides the metric):")
    for line in panel.sentences():
        st.caption(f"⚑ {md(line)}")


def _seen_version(prefix: str, panel: FlagPanel) -> int:
    """The version this form showed when the account was first shown in it (kept until a save)."""
    seen = st.session_state.setdefault(f"{prefix}_seen", {})
    return seen.setdefault(panel.account_id, panel.version)


def _reset_after_save(prefix: str, fixed_account: bool) -> None:
    if st.session_state.pop(f"{prefix}_reset", False):
        for name in ("note",) if fixed_account else ("account", "search", "note"):
            st.session_state.pop(f"{prefix}_{name}", None)


def _choose_account(prefix: str, labels: dict[str, str]) -> str | None:
    """The account to flag: a search box and the top matches (not every account: 20,000 options
    cost seconds on every rerun), the one already chosen kept in the list."""
    search = st.text_input("Find an account", key=f"{prefix}_search", placeholder="account id or name")
    ids, matched = offered_choices(labels, search, st.session_state.get(f"{prefix}_account"))
    chosen = st.selectbox("Account", ids, key=f"{prefix}_account", index=None,
                          format_func=lambda a: f"{labels.get(a, '')} ({a})" if labels.get(a) else a,
                          placeholder="Choose an account")
    if matched > ACCOUNT_MATCH_LIMIT:
        st.caption(f"Offering the first {ACCOUNT_MATCH_LIMIT} of {matched:,} matching accounts; "
                   "type in the search box to narrow the list.")
    return chosen


def flag_form(ws, user: str | None, prefix: str, *, choices: dict[str, str] | None = None,
              account_id: str | None = None) -> None:
    """The flag form: an account chosen from `choices` ({id: name}) or the fixed `account_id`."""
    _reset_after_save(prefix, account_id is not None)
    st.markdown("**Flag an account as at risk**" if account_id is None else "**Flag this account as at risk**")
    if account_id is None:
        account_id = _choose_account(prefix, choices or {})
    panel = _panel(ws, account_id) if account_id else None
    seen = None
    if panel is not None:
        show_flags_in_force(panel)
        seen = _seen_version(prefix, panel)
    reason = st.selectbox("Reason", config.FLAG_REASON_CODES, key=f"{prefix}_reason",
                          format_func=config.reason_label)
    sentiment = st.radio("Your call", ("red", "yellow"), key=f"{prefix}_sentiment", horizontal=True)
    note = st.text_area("Note", key=f"{prefix}_note", placeholder="What do you know that the data doesn't?")
    review_by = st.date_input("Review by", key=f"{prefix}_review_by",
                              value=dt.date.today() + dt.timedelta(days=config.DEFAULT_FLAG_REVIEW_DAYS),
                              min_value=dt.date.today())
    request = dict(reason=reason, note=note, review_by=review_by, sentiment=sentiment)
    pending = st.session_state.get(f"{prefix}_pending")
    if pending and pending["account_id"] == account_id:
        _confirm_conflict(ws, user, prefix, pending)
    if not st.button("Flag", key=f"{prefix}_submit", type="primary"):
        return
    if not user:
        st.error("Enter your name (or sign in) at the top of the page first: every flag records who made it.")
    elif not account_id:
        st.error("Choose an account to flag.")
    else:
        _save(ws, user, prefix, account_id, request, seen)


def _save(ws, user: str, prefix: str, account_id: str, request: dict, seen: int | None,
          confirm: bool = False) -> None:
    try:
        flag_id = flag_account(ws, account_id, user=user, seen_version=seen, confirm=confirm, **request)
    except FlagConflict as conflict:
        st.session_state[f"{prefix}_pending"] = {"account_id": account_id, "request": request,
                                                 "message": str(conflict), "version": conflict.version}
        st.rerun()
    except ValueError as exc:
        st.error(md(exc))
    else:
        st.session_state.pop(f"{prefix}_pending", None)
        st.session_state.setdefault(f"{prefix}_seen", {}).pop(account_id, None)
        st.session_state[f"{prefix}_reset"] = True
        st.session_state[FLASH_KEY] = (
            f"Flagged {md(account_id)} {request['sentiment']} (flag {flag_id}) by {md(user)}: "
            f"{config.reason_label(request['reason'])}; review by {request['review_by']:%Y-%m-%d}. "
            "The form is cleared for the next one.")
        st.rerun()


def _confirm_conflict(ws, user, prefix: str, pending: dict) -> None:
    """The conflict warning, with Save anyway (both flags stay in the history) or Cancel."""
    st.warning(f"{md(pending['message'])} Save your flag anyway? Both stay in the history, and the "
               "account shows every flag in force.")
    cols = st.columns(2)
    if cols[0].button("Save anyway", key=f"{prefix}_confirm", type="primary"):
        _save(ws, user, prefix, pending["account_id"], pending["request"], pending["version"], confirm=True)
    if cols[1].button("Cancel", key=f"{prefix}_cancel"):
        st.session_state.pop(f"{prefix}_pending", None)
        st.session_state.setdefault(f"{prefix}_seen", {}).pop(pending["account_id"], None)
        st.rerun()


def withdraw_form(ws, user: str | None, prefix: str, *, accounts: tuple[str, ...] = (),
                  account_id: str | None = None) -> None:
    """Withdraw one flag: of an account chosen from `accounts`, or of the fixed `account_id`."""
    st.markdown("**Withdraw a flag**")
    if account_id is None:
        if not accounts:
            st.caption("No account is flagged.")
            return
        account_id = st.selectbox("Flagged account", list(accounts), key=f"{prefix}_account")
    panel = _panel(ws, account_id)
    choices = panel.withdraw_choices()
    if not choices:
        st.caption("No flag in force on this account.")
        return
    own = panel.own_flag(user)
    ids = list(choices)
    flag_id = st.selectbox("Which flag", ids, key=f"{prefix}_flag", format_func=choices.get,
                           index=ids.index(own) if own in ids else 0)
    override = None
    if not panel.is_own(flag_id, user):
        override = st.text_input("Override reason (required: this is someone else's flag; recorded)",
                                 key=f"{prefix}_override")
    note = st.text_input("Why withdraw?", key=f"{prefix}_note")
    if not st.button("Withdraw", key=f"{prefix}_submit"):
        return
    if not user:
        st.error("Enter your name (or sign in) at the top of the page first.")
        return
    try:
        withdraw_flag(ws, account_id, user=user, note=note, flag_id=flag_id, override_reason=override)
    except ValueError as exc:
        st.error(md(exc))
    else:
        whose = "your" if override is None else "the"
        st.session_state[FLASH_KEY] = f"Withdrew {whose} flag {flag_id} on {md(account_id)}" + (
            f" (override reason: {md(override)})." if override else ".")
        st.rerun()
