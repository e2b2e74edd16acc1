"""The login cookie through AppTest: forged or broken cookies mean "logged out", never a crash;
a good one logs in; the cookie is written SameSite=Strict, Secure over HTTPS, with a Max-Age.

AppTest cannot seed cookies or the client address (its ``st.context`` is backed by
a mock), so :func:`browser` puts a fake client context where ``st.context`` reads
it: the dashboard's own cookie and address code then runs unchanged. The cookie
component never runs in AppTest either, so what it is asked to do is recorded
from the component call (the exact arguments the browser's JavaScript receives).
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field

import jwt
import pytest
import streamlit.runtime.context as st_context

from services.core.sessions import read_login_token
from tests.ui.conftest import COOKIE_KEY, PASSWORDS, texts
from ui import runtime

# The package re-exports the class under the module's name: fetch the module itself.
cookie_manager_module = importlib.import_module("extra_streamlit_components.CookieManager")
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
def cookie_calls(monkeypatch) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every call the cookie component gets (its JavaScript never runs in AppTest)."""
    calls: list[dict] = []

    def component(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return kwargs.get("default")

    monkeypatch.setattr(cookie_manager_module, "_component_func", component)
    return calls


def _log_in(at, username: str = "anna"):  # type: ignore[no-untyped-def]
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(PASSWORDS[username][1])
    at.button[0].click().run()
    return at


def _written(calls: list[dict]) -> dict:
    writes = [c for c in calls if c.get("method") == "set"]
    assert len(writes) == 1, writes
    return writes[0]


def test_cookie_is_strict_and_secure_when_served_over_https(app_test, monkeypatch, cookie_calls):
    browser(monkeypatch)
    at = app_test(GATED)
    at.context = {"url": "https://invoicing.example.com/"}
    _log_in(at)
    assert "Gated content" in texts(at)
    written = _written(cookie_calls)
    assert written["cookie"] == COOKIE
    options = written["options"]
    assert options["sameSite"] == "strict"
    assert options["secure"] is True
    assert options["path"] == "/"
    assert options["maxAge"] == HALF_DAY
    token = read_login_token(written["value"], COOKIE_KEY, 0.5)
    assert token is not None and token.username == "anna"


def test_cookie_is_not_secure_on_plain_http(app_test, monkeypatch, cookie_calls):
    # A browser drops a Secure cookie set from an http:// page: the login would not last.
    browser(monkeypatch)
    at = app_test(GATED)
    at.context = {"url": "http://localhost:8501/"}
    _log_in(at)
    options = _written(cookie_calls)["options"]
    assert options["secure"] is False
    assert options["sameSite"] == "strict"
