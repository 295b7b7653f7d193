"""Who is using the app, so every flag records who made it.

- When `.streamlit/secrets.toml` has an `[auth]` section, Streamlit's built-in OpenID Connect
  login is used (`st.login` / `st.user`); the user's name (else email) is the identity.
- Otherwise the CSM picks their name from the account owners (matched trimmed and
  case-insensitively, with suggestions) or types a new one. It is remembered in the URL query
  parameter `as_user` (bookmark the link to keep it across reloads) and in the session. It is a
  label, not a proof of identity.
"""
from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from cs_analytics.core.owners import match_owner, owner_names, suggestion_sentence
from ui.text import md

DISPLAY_NAME_KEY = "reality_display_name"
AS_USER_PARAM = "as_user"
MAX_NAME_CHARS = 120


def auth_section() -> Mapping | None:
    """The `[auth]` section of secrets.toml, or None when login is not configured."""
    try:
        if "auth" in st.secrets:
            return st.secrets["auth"]
    except Exception:  # no secrets file at all
        return None
    return None


def auth_configured() -> bool:
    return bool(auth_section())


def login_providers() -> list[str | None]:
    """[None] for a single provider configured directly under [auth], else the named ones."""
    section = auth_section() or {}
    if "client_id" in section:
        return [None]
    return [name for name, value in section.items() if isinstance(value, Mapping)]


def _clean_name(name: object) -> str | None:
    text = " ".join(str(name or "").split())[:MAX_NAME_CHARS]
    return text or None


def _remember(name: str | None) -> None:
    """Keep the display name in the session and in the link (`?as_user=`)."""
    if name:
        st.session_state[DISPLAY_NAME_KEY] = name
        if st.query_params.get(AS_USER_PARAM) != name:
            st.query_params[AS_USER_PARAM] = name
    else:
        st.session_state.pop(DISPLAY_NAME_KEY, None)
        if AS_USER_PARAM in st.query_params:
            del st.query_params[AS_USER_PARAM]


def current_user() -> str | None:
    """The signed-in user's name (login wins), else the name in the link (`?as_user=`), else this
    session's display name (written back into the link); None if unknown."""
    if auth_configured():
        if getattr(st.user, "is_logged_in", False):
            name = st.user.get("name") or st.user.get("email")
            return str(name) if name else None
        return None
    name = _clean_name(st.query_params.get(AS_USER_PARAM)) or st.session_state.get(DISPLAY_NAME_KEY)
    _remember(name)
    return name or None


def _login_box(key_prefix: str) -> str | None:
    user = current_user()
    if user:
        cols = st.columns([4, 1])
        cols[0].caption(f"Signed in as **{md(user)}**; flags are recorded under this name.")
        if cols[1].button("Log out", key=f"{key_prefix}_logout"):
            st.logout()
        return user
    st.caption("Sign in to flag accounts: every flag records who made it.")
    for provider in login_providers() or [None]:
        label = "Log in" if provider is None else f"Log in with {provider}"
        if st.button(label, key=f"{key_prefix}_login_{provider or 'default'}"):
            st.login(provider) if provider else st.login()
    return None


def identity_box(key_prefix: str = "identity", ws=None) -> str | None:
    """Show who is working (with Change name), or let them pick their name from the account owners
    or type a new one. Returns the user."""
    if auth_configured():
        return _login_box(key_prefix)
    user = current_user()
    if user:
        identity_note(key_prefix)
        cols = st.columns([4, 1])
        cols[0].caption(f"Flagging as **{md(user)}**: remembered in this link (as_user); bookmark it.")
        if cols[1].button("Change name", key=f"{key_prefix}_change"):
            _remember(None)
            st.rerun()
        return user
    owners = _owners(ws)
    cols = st.columns([2, 2, 1])
    picked = cols[0].selectbox("Pick your name", owners, index=None, key=f"{key_prefix}_pick",
                               placeholder="Choose from the account owners")
    typed = cols[1].text_input("Your name (recorded with every flag you make)", key=f"{key_prefix}_name_input",
                               placeholder="or type it: e.g. priya raman")
    cols[2].write("")
    if cols[2].button("Use this name", key=f"{key_prefix}_set_name"):
        name = _clean_name(typed) or _clean_name(picked)
        if name:
            match = match_owner(name, owners)
            if not match.owner and owners:
                st.session_state[f"{key_prefix}_note"] = suggestion_sentence(match)
            _remember(match.owner or name)
            st.rerun()
    return None


def identity_note(key_prefix: str = "identity") -> None:
    """After a name that owns no account was chosen: the closest owners, once."""
    note = st.session_state.pop(f"{key_prefix}_note", None)
    if note:
        st.info(md(note))


def _owners(ws) -> list[str]:
    if ws is None:
        from ui.common import get_workspace

        ws = get_workspace()
    try:
        return owner_names(ws)
    except Exception:  # no accounts table yet: a name can still be typed
        return []
