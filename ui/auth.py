"""Login and logout: streamlit-authenticator 0.4.2 for the session keys and the cookie
component, the dashboard's own code for everything an attacker can reach.

- **The password check** is :class:`services.core.login_guard.LoginGuard`, not the
  library's ``login()`` form: the library answered unknown names without a bcrypt
  check (so faster, and never locked: both told real names from made-up ones) and
  locked an account in one process's memory until a restart. The guard throttles
  per name and per client address in the app database (every lockout ends by
  itself, an admin can lift it), does one bcrypt check whatever the name, and
  audits every attempt. The form here has the library's labels, and a good login
  sets the session keys the library reads.
- **The cookie** is read by :func:`services.core.sessions.read_login_token`, never by
  the library's reader, which crashed every page for a token signed with another
  algorithm (``alg: none``, HS512): any defect now simply means "logged out".
  It is written through the library's cookie component (JavaScript in the
  browser), with ``SameSite=Strict``, ``Secure`` when the page is served over
  HTTPS, and a ``Max-Age``. It **cannot be HttpOnly**: a cookie written by
  JavaScript never is; only a ``Set-Cookie`` header from the server can make one,
  i.e. an HTTP route beside the pages that the browser calls after the login
  (``ui/http_routes.py`` and ``app.py``), which this module cannot add.
- One ``Authenticate`` per script run (its cookie component has a fixed key),
  ``auto_hash=False``. Never ``st.rerun()`` straight after the login form: the
  cookie component would be thrown away; the cookie is written in the next run.
- Logout is recorded server side (:mod:`services.core.sessions`) and audited; any
  session or cookie that started before the user's last logout is refused on every run.
  Both fail closed when the app database does not answer: a logout still ends the
  session and deletes the cookie (and says it could not be recorded), and a login
  whose logouts cannot be read is not valid (the login form, never the page).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy.exc import SQLAlchemyError

from services.core.access import Actor, Role
from services.core.audit import AuditLog
from services.core.database import DEFAULT_DATABASE_URL, make_engine
from services.core.errors import ConfigurationError
from services.core.login_guard import Account, LoginAttempt, LoginGuard, Result
from services.core.sessions import LoginCheck, issue_login_token, read_login_token
from ui import config, runtime
from ui.users import highest_role

LOG = logging.getLogger(__name__)

_LOGIN_AT = "_ui_login_at"  # epoch seconds when this session's login started
_SET_COOKIE = "_ui_set_cookie_next_run"
_LOGOUT_REQUESTED = "_ui_logout_requested"
_LOGOUT_UNRECORDED = "_ui_logout_not_recorded"
_NOTICE = "_ui_login_notice"
LOGIN_FORM = "Login"
WRONG = "Username or password is incorrect."


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in user of this session."""

    username: str
    name: str
    role: Role

    @property
    def actor(self) -> Actor:
        """Who is asking, for service calls."""
        return Actor(self.username, self.role)


@dataclass
class LoginState:
    """Outcome of :func:`authenticate`: the user (or ``None``) and this run's authenticator."""

    user: CurrentUser | None
    authenticator: stauth.Authenticate


@st.cache_resource(show_spinner=False)
def _login_guard(database_url: str) -> LoginGuard:
    engine = make_engine(database_url)
    return LoginGuard(engine, AuditLog(engine))


def login_guard() -> LoginGuard:
    """The login throttles and audit of this process, in the app database (shared by servers)."""
    url = config.settings_mapping().get("DATABASE_URL", DEFAULT_DATABASE_URL)
    return _login_guard(url)


def _authenticator() -> stauth.Authenticate:
    try:
        setup = runtime.login_setup()
    except ConfigurationError as err:  # unsafe or broken login setup: say what to fix
        st.error(str(err))
        st.stop()
    return stauth.Authenticate(
        setup.credentials,
        setup.cookie_name,
        setup.cookie_key,
        setup.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=0,
    )


LOGGED_OUT = "You have logged out."
LOGOUT_NOT_RECORDED = (
    "You have logged out of this browser, but the logout could not be recorded (the app "
    "database does not answer), so a copy of your login cookie could work again once the "
    "database answers. Log in and log out again when the dashboard works, or ask an admin."
)
REVOCATION_UNCHECKED = (
    "Your login cannot be checked right now (the app database does not answer). "
    "Log in again in a moment."
)


def _forget(authenticator: stauth.Authenticate, notice: str) -> None:
    """End this session's login (state and cookie) and say why on the login form.

    Fails closed: whatever the library does, the session keys are cleared and the
    cookie's deletion is asked for.
    """
    state = st.session_state
    if state.get("authentication_status"):
        try:
            authenticator.logout(location="unrendered")
        except Exception:  # the session ends anyway, below
            LOG.exception("the login library could not log out; clearing the session")
            try:
                authenticator.cookie_controller.delete_cookie()
            except Exception:
                LOG.exception("the login cookie could not be deleted")
    for name in ("authentication_status", "username", "name", "email", "roles"):
        state[name] = None
    state["logout"] = True  # the cookie is not read again in this session
    state[_LOGIN_AT] = None
    state[_NOTICE] = notice


def _cookie_text(name: str) -> object:
    """The login cookie as the browser sent it (anything, or ``None``)."""
    try:
        return st.context.cookies.get(name)
    except Exception:  # no browser session behind this run (bare mode, tests): no cookie
        return None


def _client_address() -> object:
    """The client's IP address as Streamlit knows it (``None`` for loopback).

    It is the TCP peer, or the address in ``X-Forwarded-For`` when the peer is a
    proxy uvicorn trusts (``FORWARDED_ALLOW_IPS``, default 127.0.0.1). The header
    is never read here: anyone can send one.
    """
    try:
        return st.context.ip_address
    except Exception:  # no client context: throttled together as "unknown"
        return "unknown"


def _served_over_https() -> bool:
    """True when the browser shows the dashboard on an https:// address (the cookie
    then gets ``Secure``; on plain http a browser would drop a ``Secure`` cookie)."""
    try:
        url = st.context.url
    except Exception:
        return False
    return isinstance(url, str) and url.lower().startswith("https://")


def _start_session(username: str, user: dict[str, Any]) -> None:
    """Set the session keys streamlit-authenticator and the pages read."""
    state = st.session_state
    state["email"] = user.get("email")
    full = f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()
    state["name"] = full or user.get("name")
    state["roles"] = user.get("roles")
    state["authentication_status"] = True
    state["username"] = username


def _write_cookie(authenticator: stauth.Authenticate, username: str) -> None:
    """Write the login cookie through the library's cookie component (see the module doc)."""
    setup = runtime.login_setup()
    if setup.cookie_expiry_days <= 0:  # re-login on every new tab: no cookie at all
        return
    token, login = issue_login_token(username, setup.cookie_key, setup.cookie_expiry_days)
    authenticator.cookie_controller.cookie_model.cookie_manager.set(
        setup.cookie_name,
        token,
        expires_at=datetime.fromtimestamp(login.expires_at, UTC),  # an aware time: no TZ drift
        max_age=max(1, int(login.expires_at - login.issued_at)),
        secure=_served_over_https(),
        same_site="strict",
    )


def authenticate() -> LoginState:
    """Run once per script run: re-authenticate from state or cookie, apply logouts."""
    authenticator = _authenticator()
    setup = runtime.login_setup()
    state = st.session_state
    if state.pop(_LOGOUT_REQUESTED, False):
        unrecorded = state.pop(_LOGOUT_UNRECORDED, False)
        _forget(authenticator, LOGOUT_NOT_RECORDED if unrecorded else LOGGED_OUT)
        return LoginState(None, authenticator)
    had_login = state.get("authentication_status") is True
    if not had_login and not state.get("logout"):  # after a logout here, ignore the cookie
        token = read_login_token(
            _cookie_text(setup.cookie_name), setup.cookie_key, setup.cookie_expiry_days
        )
        if token is not None:
            user = setup.credentials["usernames"].get(token.username)
            if user is None:  # a valid cookie for a user no longer in the users file
                _forget(authenticator, "Your account is not on the list of users any more.")
                return LoginState(None, authenticator)
            _start_session(token.username, user)
            state[_LOGIN_AT] = token.issued_at
    if state.get("authentication_status") is not True:
        return LoginState(None, authenticator)
    username = str(state.get("username"))
    if state.get(_LOGIN_AT) is None:
        state[_LOGIN_AT] = time.time()
    try:
        check = runtime.logout_registry().check(username, float(state[_LOGIN_AT]))
    except Exception:  # e.g. the registry cannot even be built: same as unreadable
        LOG.exception("logouts of %s could not be read", username)
        check = LoginCheck.UNCHECKED
    if check is LoginCheck.UNCHECKED:  # fail closed: the login form, never the page
        state[_NOTICE] = REVOCATION_UNCHECKED
        return LoginState(None, authenticator)
    if check is LoginCheck.REVOKED:
        _forget(authenticator, "You were logged out. Please log in again.")
        return LoginState(None, authenticator)
    if state.pop(_SET_COOKIE, False):
        _write_cookie(authenticator, username)  # the login run's component would be lost
    role = highest_role(state.get("roles"))
    if role is None:
        _forget(authenticator, "Your account has no role in this dashboard.")
        return LoginState(None, authenticator)
    user = CurrentUser(username, str(state.get("name") or username), role)
    return LoginState(user, authenticator)


def _accounts() -> dict[str, Account]:
    """The users the guard checks against: bcrypt hash and role per (lower-case) name."""
    accounts = {}
    for name, user in runtime.login_setup().credentials["usernames"].items():
        role = highest_role((user or {}).get("roles"))
        if role is not None:  # a user without a role cannot log in: as if unknown
            accounts[str(name)] = Account(str(user.get("password") or ""), role)
    return accounts


def wait_text(seconds: float) -> str:
    """``42 seconds`` / ``3 minutes``, rounded up."""
    if seconds < 60:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def refusal(attempt: LoginAttempt) -> str:
    """What the form says after a refused attempt: the same for every name, known or not."""
    wait = (
        f"Too many failed logins: try again in {wait_text(attempt.retry_after)}, "
        "or ask an admin to lift the wait."
    )
    if attempt.result is Result.THROTTLED:
        return wait
    return f"{WRONG} {wait}" if attempt.retry_after > 0 else WRONG


def _try_login(username: str, password: str) -> None:
    """Check the typed name and password; log in (and rerun) or say why not."""
    if not username.strip() or not password:
        st.error("Enter your username and password.")
        return
    try:
        attempt = login_guard().log_in(username, password, _client_address(), _accounts())
    except SQLAlchemyError:  # fail closed: no login without the throttle and the audit
        LOG.exception("login could not be checked")
        st.error("The login cannot be checked right now (the app database does not answer). "
                 "Try again in a moment.")
        return
    if attempt.ok:
        _start_session(attempt.username, runtime.login_setup().credentials["usernames"][
            attempt.username])
        st.session_state[_LOGIN_AT] = time.time()
        st.session_state[_SET_COOKIE] = True  # write the cookie in the next run
        st.rerun()
    st.error(refusal(attempt))


def show_login_form(login: LoginState) -> NoReturn:
    """Render the login form; after a good login rerun so the page runs. Always stops."""
    st.title("Invoicing dashboard")
    # The notice stays until the next attempt: the cookie component's answer reruns
    # the script right after a logout, and a notice shown once would vanish at once.
    notice, notice_slot = st.session_state.get(_NOTICE), st.empty()
    with st.form(LOGIN_FORM):
        st.subheader("Login")
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Login")
    if submitted:
        st.session_state.pop(_NOTICE, None)
        _try_login(username, password)
    elif notice:
        notice_slot.info(notice)
    st.stop()


def request_logout() -> None:
    """Button callback: record the logout server side; the next run ends the session.

    Fails closed: the session ends (and the cookie is deleted) in the next run
    whatever happens here. If the logout cannot be recorded, the login form says so
    (a copied cookie is then refused only while logouts cannot be read, see
    :func:`authenticate`).
    """
    state = st.session_state
    state[_LOGOUT_REQUESTED] = True  # first: nothing below can keep the session open
    username = state.get("username")
    if not username:
        return
    try:
        recorded = runtime.logout_registry().try_record_logout(str(username))
    except Exception:  # e.g. the registry cannot even be built
        LOG.exception("the logout of %s could not be recorded", username)
        recorded = False
    if not recorded:
        state[_LOGOUT_UNRECORDED] = True
    role = highest_role(state.get("roles"))
    if role is None:
        return
    try:
        login_guard().record_logout(Actor(str(username), role))
    except Exception:  # the audit row is lost; the logout itself stands
        LOG.exception("the logout of %s could not be audited", username)
