"""Login and logout: the dashboard's own form and checks, and the HttpOnly login cookie.

- **The password check** is :class:`services.core.login_guard.LoginGuard` (not
  streamlit-authenticator's ``login()`` form, which answered unknown names without a
  bcrypt check and locked accounts in one process's memory until a restart). The
  guard throttles per name and per client address in the app database (every
  lockout ends by itself, an admin can lift it), does one bcrypt check whatever the
  name, and audits every attempt. A good login sets the session keys the pages and
  tests read (``authentication_status``, ``username``, ``name``, ``roles``, ``logout``:
  streamlit-authenticator's names, kept).
- **The cookie** is ``HttpOnly``, ``SameSite=Strict``, ``Secure`` over HTTPS, set and
  deleted only by ``Set-Cookie`` headers of the routes in :mod:`ui.http_routes`: after
  a good login the next run sends the browser through ``/session/login`` with a
  one-time ticket, and a logout through ``/session/logout`` (:mod:`ui.login_cookie`).
  No script in the page writes or can read it. It is read here from the request
  headers (``st.context.cookies``) by :func:`services.core.sessions.read_login_token`,
  which is strict: a token signed with another algorithm (``alg: none``, HS512) or
  any other defect simply means "logged out", never a crash. Never ``st.rerun()``
  straight after sending the browser somewhere: the message would be thrown away.
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
from typing import Any, NoReturn

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from services.core.access import Actor, Role
from services.core.audit import AuditLog
from services.core.database import DEFAULT_DATABASE_URL, make_engine
from services.core.errors import ConfigurationError
from services.core.login_guard import Account, LoginAttempt, LoginGuard, Result
from services.core.sessions import LoginCheck, read_login_token
from ui import config, login_cookie, runtime
from ui.users import highest_role

LOG = logging.getLogger(__name__)

_LOGIN_AT = "_ui_login_at"  # epoch seconds when this session's login started
_SET_COOKIE = "_ui_set_cookie_next_run"
_LOGOUT_REQUESTED = "_ui_logout_requested"
_LOGOUT_UNRECORDED = "_ui_logout_not_recorded"
_NOTICE = "_ui_login_notice"
#: The session keys of a login (streamlit-authenticator's names, which pages and tests read).
_SESSION_KEYS = ("authentication_status", "username", "name", "email", "roles", "logout")
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
    """Outcome of :func:`authenticate`: the logged-in user, or ``None``."""

    user: CurrentUser | None


@st.cache_resource(show_spinner=False)
def _login_guard(database_url: str) -> LoginGuard:
    engine = make_engine(database_url)
    return LoginGuard(engine, AuditLog(engine))


def login_guard() -> LoginGuard:
    """The login throttles and audit of this process, in the app database (shared by servers)."""
    url = config.settings_mapping().get("DATABASE_URL", DEFAULT_DATABASE_URL)
    return _login_guard(url)


def _login_setup() -> runtime.LoginSetup:
    try:
        return runtime.login_setup()
    except ConfigurationError as err:  # unsafe or broken login setup: say what to fix
        st.error(str(err))
        st.stop()


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
#: What the login form says after the logout route sent the browser back (``?logout=<code>``).
#: Only these fixed texts: the code comes from a URL anyone can write.
LOGOUT_NOTICES = {"done": LOGGED_OUT, "unrecorded": LOGOUT_NOT_RECORDED}


def _forget(notice: str, *, logout_code: str | None = None) -> None:
    """End this session's login and say why on the login form.

    With ``logout_code`` (a logout; a key of :data:`LOGOUT_NOTICES`) the browser is
    also sent through the route that deletes the login cookie, to a login form that
    says that code's notice. Fails closed: the session keys are cleared before
    anything else is tried.
    """
    state = st.session_state
    for name in _SESSION_KEYS:
        state[name] = None
    state["logout"] = True  # the cookie is not read again in this session
    state[_LOGIN_AT] = None
    state[_NOTICE] = notice
    if logout_code is not None:
        try:
            login_cookie.clear_on_logout(logout_code)
        except Exception:  # the session has ended anyway; the recorded logout refuses the cookie
            LOG.exception("the browser could not be sent to delete the login cookie")


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


def _start_session(username: str, user: dict[str, Any]) -> None:
    """Set the session keys streamlit-authenticator and the pages read."""
    state = st.session_state
    state["email"] = user.get("email")
    full = f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()
    state["name"] = full or user.get("name")
    state["roles"] = user.get("roles")
    state["authentication_status"] = True
    state["username"] = username


def _logout_notice_from_url() -> None:
    """After the logout route: keep its notice for the login form, and drop it from the URL."""
    try:
        code = st.query_params.get(login_cookie.LOGOUT_NOTICE_PARAM)
    except Exception:  # no query parameters in this run
        return
    if code is None:
        return
    notice = LOGOUT_NOTICES.get(str(code))
    if notice is not None:
        st.session_state[_NOTICE] = notice
    del st.query_params[login_cookie.LOGOUT_NOTICE_PARAM]


def authenticate() -> LoginState:
    """Run once per script run: re-authenticate from state or cookie, apply logouts.

    Returns the logged-in user, or ``None`` (the caller shows :func:`show_login_form`).
    The run after a good login sends the browser for its HttpOnly cookie
    (:func:`ui.login_cookie.set_after_login`); a requested logout ends the session and
    sends it to delete the cookie. Stops the script with an error when the login setup
    is unsafe or broken.
    """
    setup = _login_setup()
    state = st.session_state
    for name in _SESSION_KEYS:  # every page (and test) may read them, logged in or not
        state.setdefault(name, None)
    if state.pop(_LOGOUT_REQUESTED, False):
        code = "unrecorded" if state.pop(_LOGOUT_UNRECORDED, False) else "done"
        _forget(LOGOUT_NOTICES[code], logout_code=code)
        return LoginState(None)
    had_login = state.get("authentication_status") is True
    if not had_login:
        _logout_notice_from_url()
    if not had_login and not state.get("logout"):  # after a logout here, ignore the cookie
        token = read_login_token(
            _cookie_text(setup.cookie_name), setup.cookie_key, setup.cookie_expiry_days
        )
        if token is not None:
            user = setup.credentials["usernames"].get(token.username)
            if user is None:  # a valid cookie for a user no longer in the users file
                _forget("Your account is not on the list of users any more.")
                return LoginState(None)
            _start_session(token.username, user)
            state[_LOGIN_AT] = token.issued_at
    if state.get("authentication_status") is not True:
        return LoginState(None)
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
        return LoginState(None)
    if check is LoginCheck.REVOKED:
        _forget("You were logged out. Please log in again.")
        return LoginState(None)
    role = highest_role(state.get("roles"))
    if role is None:
        _forget("Your account has no role in this dashboard.")
        return LoginState(None)
    if state.pop(_SET_COOKIE, False) and setup.cookie_expiry_days > 0:
        # Not in the login run itself: its st.rerun() would drop the message.
        login_cookie.set_after_login(username, float(state[_LOGIN_AT]))
    user = CurrentUser(username, str(state.get("name") or username), role)
    return LoginState(user)


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
        st.session_state[_SET_COOKIE] = True  # the cookie is asked for in the next run
        st.rerun()
    st.error(refusal(attempt))


def show_login_form(login: LoginState) -> NoReturn:
    """Render the login form; after a good login rerun so the page runs. Always stops."""
    st.title("Invoicing dashboard")
    # The notice stays until the next attempt: any rerun before then (a widget, the
    # browser reconnecting) would otherwise make it vanish at once.
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
