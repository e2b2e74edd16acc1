"""The login and role gate every page file calls first.

A page normally runs inside ``app.py`` (``st.navigation``), which has already
logged the user in during this run; :func:`require_page` then only checks the
role. But a page file can also run *without* ``app.py``: on a fresh server a
deep link to ``/x`` runs ``pages/x.py`` directly while a top-level ``pages/``
folder exists, and AppTest always does so. Then the gate does the whole login
itself (cookie, logout record, login form, ``st.stop()``) and draws the sidebar,
so no page content is ever shown to someone who is not logged in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from services.core.access import Action, Role, can
from ui import auth, layout

_entry = threading.local()  # set by app.py around page.run() in the same thread


@contextmanager
def entered(user: auth.CurrentUser) -> Iterator[None]:
    """Used by app.py: pages run inside this block reuse the login of this run."""
    _entry.user = user
    try:
        yield
    finally:
        _entry.user = None


def require_login() -> auth.CurrentUser:
    """The logged-in user; shows the login form and stops when there is none."""
    user = getattr(_entry, "user", None)
    if user is not None:
        return user
    login = auth.authenticate()
    if login.user is None:
        auth.show_login_form(login)
    layout.sidebar(login.user)
    layout.show_flashes()
    return login.user


def require_page(action: Action = Action.VIEW) -> auth.CurrentUser:
    """First line of every page: log in, then refuse roles that may not use this page."""
    user = require_login()
    if not can(user.role, action):
        roles = ", ".join(role.value for role in Role if can(role, action))
        st.title("Not for your role")
        st.error(
            f"Your role ({user.role.value}) may not open this page: it is for the "
            f"{roles} roles. Ask an admin if you need access.",
            icon=":material/block:",
        )
        st.stop()
    return user
