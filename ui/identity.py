"""Who is using the app, so every flag records who made it.

- When `.streamlit/secrets.toml` has an `[auth]` section, Streamlit's built-in OpenID Connect
  login is used (`st.login` / `st.user`); the user's name (else email) is the identity.
- Otherwise the app asks for a display name once per browser session (kept in
  `st.session_state`) before the first flag. It is a label, not a proof of identity.
"""
from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from ui.text import md

DISPLAY_NAME_KEY = "reality_display_name"


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


def current_user() -> str | None:
    """The signed-in user's name (login) or this session's display name; None if unknown."""
    if auth_configured():
        if getattr(st.user, "is_logged_in", False):
            name = st.user.get("name") or st.user.get("email")
            return str(name) if name else None
        return None
    name = st.session_state.get(DISPLAY_NAME_KEY)
    return name or None


def identity_box() -> str | None:
    """Show who is signed in (with log out / change name), or ask for it. Returns the user."""
    if auth_configured():
        user = current_user()
        if user:
            cols = st.columns([4, 1])
            cols[0].caption(f"Signed in as **{md(user)}**; flags are recorded under this name.")
            if cols[1].button("Log out", key="identity_logout"):
                st.logout()
            return user
        st.caption("Sign in to flag accounts: every flag records who made it.")
        for provider in login_providers() or [None]:
            label = "Log in" if provider is None else f"Log in with {provider}"
            if st.button(label, key=f"identity_login_{provider or 'default'}"):
                st.login(provider) if provider else st.login()
        return None
    user = current_user()
    if user:
        cols = st.columns([4, 1])
        cols[0].caption(f"Flagging as **{md(user)}** (display name for this session).")
        if cols[1].button("Change name", key="identity_change"):
            st.session_state.pop(DISPLAY_NAME_KEY, None)
            st.rerun()
        return user
    cols = st.columns([3, 1])
    name = cols[0].text_input(
        "Your name (recorded with every flag you make)", key="identity_name_input",
        placeholder="e.g. Priya Raman",
    )
    cols[1].write("")
    if cols[1].button("Use this name", key="identity_set_name") and name.strip():
        st.session_state[DISPLAY_NAME_KEY] = name.strip()
        st.rerun()
    return None
