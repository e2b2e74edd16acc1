"""Login and logout with streamlit-authenticator 0.4.2, hardened as the notes require.

- One ``Authenticate`` per script run, over a credentials dict cached per process
  (so ``max_login_attempts`` counts), ``auto_hash=False``, ``login_sleep_time=0``.
- Never ``st.rerun()`` straight after the login form: the cookie component would
  be thrown away; instead the cookie is written again in the next run.
- Logout is recorded server side (:mod:`services.core.sessions`); any session or
  cookie that started before the user's last logout is refused on every run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NoReturn

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

from services.core.access import Actor, Role
from services.core.errors import ConfigurationError
from ui import runtime
from ui.users import highest_role

MAX_LOGIN_ATTEMPTS = 5
_LOGIN_AT = "_ui_login_at"  # epoch seconds when this session's login started
_SET_COOKIE = "_ui_set_cookie_next_run"
_LOGOUT_REQUESTED = "_ui_logout_requested"
_NOTICE = "_ui_login_notice"


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


def _forget(authenticator: stauth.Authenticate, notice: str) -> None:
    """End this session's login (state and cookie) and say why on the login form."""
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")
    st.session_state[_LOGIN_AT] = None
    st.session_state[_NOTICE] = notice


def authenticate() -> LoginState:
    """Run once per script run: re-authenticate from state or cookie, apply logouts."""
    authenticator = _authenticator()
    state = st.session_state
    if state.pop(_LOGOUT_REQUESTED, False):
        _forget(authenticator, "You have logged out.")
        return LoginState(None, authenticator)
    had_login = state.get("authentication_status") is True
    try:
        authenticator.login(location="unrendered")
    except LoginError:  # a valid cookie for a user no longer in the users file
        _forget(authenticator, "Your account is not on the list of users any more.")
        return LoginState(None, authenticator)
    if state.get("authentication_status") is not True:
        return LoginState(None, authenticator)
    username = str(state.get("username"))
    if not had_login:  # just re-authenticated from the cookie: when was that login made?
        token = authenticator.cookie_controller.cookie_model.token or {}
        issued = float(token.get("exp_date", 0)) - runtime.login_setup().cookie_expiry_days * 86400
        state[_LOGIN_AT] = issued
    if state.get(_LOGIN_AT) is None:
        state[_LOGIN_AT] = time.time()
    if runtime.logout_registry().is_revoked(username, float(state[_LOGIN_AT])):
        _forget(authenticator, "You were logged out. Please log in again.")
        return LoginState(None, authenticator)
    if state.pop(_SET_COOKIE, False):
        authenticator.cookie_controller.set_cookie()  # the login run's cookie may be lost
    role = highest_role(state.get("roles"))
    if role is None:
        _forget(authenticator, "Your account has no role in this dashboard.")
        return LoginState(None, authenticator)
    user = CurrentUser(username, str(state.get("name") or username), role)
    return LoginState(user, authenticator)


def show_login_form(login: LoginState) -> NoReturn:
    """Render the login form; after a good login rerun so the page runs. Always stops."""
    st.title("Invoicing dashboard")
    if notice := st.session_state.pop(_NOTICE, None):
        st.info(notice)
    try:
        login.authenticator.login(
            location="main", max_login_attempts=MAX_LOGIN_ATTEMPTS, key="Login"
        )
    except LoginError as exc:
        st.error(f"{exc}. Ask an admin to unlock your account.")
        st.stop()
    status = st.session_state.get("authentication_status")
    if status is True:
        st.session_state[_LOGIN_AT] = time.time()
        st.session_state[_SET_COOKIE] = True  # write the cookie again in the next run
        st.rerun()
    if status is False:
        st.error("Username or password is incorrect.")
    st.stop()


def request_logout() -> None:
    """Button callback: record the logout server side; the next run ends the session."""
    username = st.session_state.get("username")
    if username:
        runtime.logout_registry().record_logout(str(username))
    st.session_state[_LOGOUT_REQUESTED] = True
