"""The login cookie through AppTest: forged or broken cookies mean "logged out", never a crash;
a good one logs in; after a login the browser is sent for an HttpOnly, SameSite=Strict
cookie (Secure over HTTPS, with a Max-Age), and on logout to have it deleted.

AppTest cannot seed cookies or the client address (its ``st.context`` is backed by
a mock), so :func:`browser` puts a fake client context where ``st.context`` reads
it: the dashboard's own cookie and address code then runs unchanged. AppTest has
no browser to follow the page's redirect either, so :func:`sent_to` records where
the page sends it and the test asks the dashboard's real route, as the browser would.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import streamlit.runtime.context as st_context
from starlette.applications import Starlette
from starlette.testclient import TestClient

from services.core.sessions import read_login_token
from tests.ui.conftest import COOKIE_KEY, PASSWORDS, texts
from ui import login_cookie, runtime
from ui.http_routes import login_cookie_routes

GATED = "tests/ui/apps/gated_page.py"
COOKIE = "invoicing_dashboard_auth"  # ui.config's default cookie name
HALF_DAY = 0.5 * 86400


@dataclass
class FakeClient:
    """What Streamlit's websocket handshake would have captured for this browser."""

    cookies: dict[str, str] = field(default_factory=dict)
    remote_ip: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def client_context(self) -> FakeClient:
        return self


def browser(monkeypatch: pytest.MonkeyPatch, cookies: dict[str, str] | None = None,
            ip: str | None = None) -> FakeClient:
    """Make ``st.context`` report these cookies and this client address."""
    client = FakeClient(dict(cookies or {}), ip)
    monkeypatch.setattr(st_context, "_get_client_context", lambda: client)
    return client


def signed(username: str, issued: float | None = None, key: str = COOKIE_KEY,
           algorithm: str = "HS256") -> str:
    """A login token as streamlit-authenticator writes it."""
    issued = time.time() if issued is None else issued
    return jwt.encode({"username": username, "exp_date": issued + HALF_DAY}, key,
                      algorithm=algorithm)


def shows_only_the_login_form(at) -> bool:  # type: ignore[no-untyped-def]
    return (not at.exception
            and [t.label for t in at.text_input] == ["Username", "Password"]
            and "Gated content" not in texts(at))


FORGED = {
    "alg-none": jwt.encode({"username": "anna", "exp_date": time.time() + 3600}, None,
                           algorithm="none"),
    "HS512": signed("anna", algorithm="HS512"),  # even with the right key
    "bad-signature": signed("anna", key="f" * 64),
    "garbage": "garbage",
    "three-dots": "a.b.c",
    "expired": signed("anna", issued=time.time() - 2 * HALF_DAY),
    "no-expiry": jwt.encode({"username": "anna"}, COOKIE_KEY, algorithm="HS256"),
    "claims-not-an-object": jwt.api_jws.encode(b"[1, 2]", COOKIE_KEY, algorithm="HS256"),
}


@pytest.mark.parametrize("name", list(FORGED))
def test_forged_or_broken_cookie_shows_the_login_form(app_test, monkeypatch, name):
    browser(monkeypatch, {COOKIE: FORGED[name]})
    at = app_test(GATED).run()
    assert shows_only_the_login_form(at), (name, at.exception)
    assert at.session_state["authentication_status"] is not True


def test_the_form_still_logs_in_beside_a_forged_cookie(app_test, monkeypatch):
    browser(monkeypatch, {COOKIE: FORGED["alg-none"]})
    at = app_test(GATED).run()
    at.text_input[0].input("anna")
    at.text_input[1].input(PASSWORDS["anna"][1])
    at.button[0].click().run()
    assert not at.exception
    assert "Gated content" in texts(at)


def test_a_good_cookie_logs_in(app_test, monkeypatch):
    browser(monkeypatch, {COOKIE: signed("anna")})
    at = app_test(GATED).run()
    assert not at.exception
    assert "Gated content" in texts(at)
    assert "anna · approver" in texts(at.sidebar)


def test_a_good_cookie_of_a_user_no_longer_listed_is_refused_in_words(app_test, monkeypatch):
    browser(monkeypatch, {COOKIE: signed("zoe")})
    at = app_test(GATED).run()
    assert shows_only_the_login_form(at)
    assert [i.value for i in at.info] == ["Your account is not on the list of users any more."]


def test_a_cookie_from_before_the_last_logout_is_refused(app_test, monkeypatch):
    logout_at = runtime.logout_registry().record_logout("anna")
    browser(monkeypatch, {COOKIE: signed("anna", issued=logout_at - 60)})
    at = app_test(GATED).run()
    assert shows_only_the_login_form(at)
    assert [i.value for i in at.info] == ["You were logged out. Please log in again."]


# -- how the cookie is written -----------------------------------------------------------------


@pytest.fixture
def sent_to(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Every path the page sends the browser to (AppTest has no browser to follow it)."""
    paths: list[str] = []

    def record(path: str) -> bool:
        paths.append(path)
        return True

    monkeypatch.setattr(login_cookie, "send_browser_to", record)
    return paths


def _log_in(at, username: str = "anna"):  # type: ignore[no-untyped-def]
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(PASSWORDS[username][1])
    at.button[0].click().run()
    return at


def _follow(path: str, dashboard_env: dict) -> Any:
    """What the dashboard's own route answers to the browser sent to ``path`` (the server's
    login settings are the AppTest's secrets, given as environment variables here)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LOGIN_USERS_FILE", dashboard_env["users_file"])
        env.setenv("LOGIN_COOKIE_KEY", dashboard_env["cookie_key"])
        env.setenv("LOGIN_COOKIE_EXPIRY_DAYS", str(dashboard_env["cookie_expiry_days"]))
        setup = runtime.login_setup()
    routes = login_cookie_routes(lambda: setup, login_cookie.login_tickets)
    with TestClient(Starlette(routes=routes), follow_redirects=False) as http:
        return http.get(path, headers={"Sec-Fetch-Site": "same-origin"})


def test_after_login_the_browser_gets_an_httponly_strict_cookie(app_test, monkeypatch, sent_to,
                                                                dashboard_env):
    browser(monkeypatch)
    at = app_test(GATED, invoice="in_1")
    at.context = {"url": "https://invoicing.example.com/invoice"}
    _log_in(at)
    assert "Gated content" in texts(at)
    [path] = sent_to
    assert urlsplit(path).path == "/session/login"
    query = parse_qs(urlsplit(path).query)
    assert query["next"] == ["/invoice?invoice=in_1"]  # back to the page the user asked for
    answer = _follow(path, dashboard_env)
    assert (answer.status_code, answer.headers["location"]) == (303, "/invoice?invoice=in_1")
    [header] = answer.headers.get_list("set-cookie")
    assert header.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=strict", "Secure", "Path=/", "Max-Age=43"):
        assert attribute in header
    token = read_login_token(header.split(";")[0].split("=", 1)[1], COOKIE_KEY, 0.5)
    assert token is not None and token.username == "anna"
    assert _follow(path, dashboard_env).headers.get_list("set-cookie") == []  # used once
    at.run()
    assert sent_to == [path]  # asked for once, not on every run


def test_cookie_is_not_secure_on_plain_http(app_test, monkeypatch, sent_to, dashboard_env):
    # A browser drops a Secure cookie set from an http:// page: the login would not last.
    browser(monkeypatch)
    at = app_test(GATED)
    at.context = {"url": "http://localhost:8501/"}
    _log_in(at)
    [header] = _follow(sent_to[0], dashboard_env).headers.get_list("set-cookie")
    assert "Secure" not in header
    assert "HttpOnly" in header and "SameSite=strict" in header


def test_no_cookie_is_asked_for_when_logins_must_not_outlast_the_tab(app_test, monkeypatch,
                                                                     sent_to):
    browser(monkeypatch)
    at = app_test(GATED)
    at.secrets["login"] = {**at.secrets["login"], "cookie_expiry_days": 0}
    _log_in(at)
    assert "Gated content" in texts(at)
    assert sent_to == []


def test_logout_sends_the_browser_to_delete_the_cookie(app_test, monkeypatch, sent_to,
                                                       dashboard_env):
    browser(monkeypatch, {COOKIE: signed("anna")})
    at = app_test(GATED).run()
    assert "Gated content" in texts(at)
    at.sidebar.button(key="sidebar_logout").click().run()
    assert shows_only_the_login_form(at)
    [path] = sent_to
    assert urlsplit(path).path == "/session/logout"
    answer = _follow(path, dashboard_env)
    assert answer.headers["location"] == "/?logout=done"
    [header] = answer.headers.get_list("set-cookie")
    assert header.startswith(f'{COOKIE}=""') and "Max-Age=0" in header


@pytest.mark.parametrize(("code", "notice"), [
    ("done", "You have logged out."), ("unrecorded", "could not be recorded"),
])
def test_the_login_form_says_what_the_logout_route_passed_on(app_test, code, notice):
    at = app_test(GATED, logout=code).run()
    assert shows_only_the_login_form(at)
    assert notice in at.info[0].value
    assert "logout" not in at.query_params  # gone from the address bar


def test_a_made_up_logout_notice_shows_nothing(app_test):
    at = app_test(GATED, logout="**Session expired**, log in at evil.example").run()
    assert shows_only_the_login_form(at)
    assert not at.info
