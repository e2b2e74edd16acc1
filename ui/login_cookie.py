"""The page's side of the HttpOnly login cookie: send the browser to the routes that set it.

The login cookie is set and deleted only by ``Set-Cookie`` headers from
:mod:`ui.http_routes` (``HttpOnly``, ``SameSite=Strict``, ``Secure`` over HTTPS), never
by JavaScript, so no script in the page can read or copy it. A page run cannot answer
with a header (it talks to the browser over a websocket), so:

- after a good login, :func:`set_after_login` stores a one-time ticket
  (:class:`services.core.login_tickets.LoginTickets`) and sends the browser to
  ``GET /session/login?ticket=…&next=<this page>``; the route redeems the ticket,
  sets the cookie and sends the browser back to the page it came from;
- on logout, :func:`clear_on_logout` sends the browser to ``GET /session/logout``,
  which deletes the cookie without asking the app database (so it works, failing
  closed, when the database does not answer) and sends the browser to the login form.

The browser is sent with the same message ``st.login`` uses (``auth_redirect``:
the page sets ``window.location``), so no component or script of ours runs. The
page reads the cookie back from the request headers (``st.context.cookies``, see
:mod:`ui.auth`). Routes are mounted at the server's root by ``app.py``.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from services.core.database import DEFAULT_DATABASE_URL, make_engine
from services.core.login_tickets import LoginTickets
from ui import config

LOG = logging.getLogger(__name__)

LOGIN_ROUTE = "/session/login"  # redeems a ticket, sets the cookie
LOGOUT_ROUTE = "/session/logout"  # deletes the cookie
LOGOUT_NOTICE_PARAM = "logout"  # ?logout=<code> on the login form after the logout route
MAX_NEXT_CHARS = 2000


@st.cache_resource(show_spinner=False)
def _login_tickets(database_url: str) -> LoginTickets:
    return LoginTickets(make_engine(database_url))


def login_tickets() -> LoginTickets:
    """The one-time login tickets of this process, in the app database (shared by servers)."""
    url = config.settings_mapping().get("DATABASE_URL", DEFAULT_DATABASE_URL)
    return _login_tickets(url)


def safe_next(text: object) -> str:
    """``text`` when it is a path of this server (``/invoice?invoice=in_1``), else ``/``.

    Refused (``/`` instead): anything but text of at most :data:`MAX_NEXT_CHARS`
    characters starting with one ``/``; a scheme or host (``https://x``, ``//x``,
    ``/\\x``, which browsers read as another host); control characters. The routes
    redirect only here, so a crafted link cannot send a user to another site.
    """
    if not isinstance(text, str) or not text.startswith("/") or len(text) > MAX_NEXT_CHARS:
        return "/"
    if text.startswith(("//", "/\\")) or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return "/"
    return text


def _this_page() -> str:
    """The path and query of the page the browser shows (``/`` when unknown)."""
    try:
        url = st.context.url
        query = st.query_params.to_dict()
    except Exception:  # no browser behind this run (bare mode, tests)
        return "/"
    path = urlsplit(url).path if isinstance(url, str) else "/"
    query.pop(LOGOUT_NOTICE_PARAM, None)
    return safe_next(f"{path or '/'}?{urlencode(query)}" if query else path or "/")


def _served_over_https() -> bool:
    try:
        url = st.context.url
    except Exception:
        return False
    return isinstance(url, str) and url.lower().startswith("https://")


def send_browser_to(path: str) -> bool:
    """Make the browser open ``path`` (a path of this server) as a new page load.

    Returns ``False`` when there is no browser session to send (bare mode). The page
    goes on rendering until the browser leaves it.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    message = ForwardMsg()
    message.auth_redirect.url = safe_next(path)
    ctx.enqueue(message)
    return True


def set_after_login(username: str, logged_in_at: float) -> bool:
    """Send the browser through ``/session/login`` to get the HttpOnly login cookie for
    ``username``'s login made at ``logged_in_at`` (epoch seconds), then back to this page.

    Returns ``False`` (logged) when no ticket could be stored (the app database does
    not answer): the login then lasts only as long as this browser tab's session.
    """
    try:
        ticket = login_tickets().issue(username, logged_in_at, secure=_served_over_https())
    except Exception:
        LOG.exception("no login ticket could be stored for %s", username)
        return False
    query = urlencode({"ticket": ticket, "next": _this_page()})
    return send_browser_to(f"{LOGIN_ROUTE}?{query}")


def clear_on_logout(notice: str) -> bool:
    """Send the browser through ``/session/logout`` (the cookie is deleted) to the login
    form, which then says ``notice`` (a code of :data:`ui.auth.LOGOUT_NOTICES`)."""
    next_page = f"/?{urlencode({LOGOUT_NOTICE_PARAM: notice})}"
    return send_browser_to(f"{LOGOUT_ROUTE}?{urlencode({'next': next_page})}")
