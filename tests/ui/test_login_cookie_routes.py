"""The routes that set and delete the login cookie, over HTTP (Starlette's test client).

``GET /session/login?ticket=…`` answers one good ticket with an HttpOnly, SameSite=Strict
cookie the page accepts; everything else gets the same redirect and no cookie.
``GET /session/logout`` deletes the cookie even with the app database gone.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from services.core.database import make_engine
from services.core.login_tickets import TICKET_SECONDS, LoginTickets
from services.core.sessions import LogoutRegistry, read_login_token
from tests.ui.conftest import COOKIE_KEY
from ui.http_routes import login_cookie_routes

COOKIE = "invoicing_dashboard_auth"
HALF_DAY = 0.5 * 86400


@dataclass(frozen=True)
class Setup:
    credentials: dict[str, Any] = field(
        default_factory=lambda: {"usernames": {"anna": {"roles": ["approver"]}}})
    cookie_name: str = COOKIE
    cookie_key: str = COOKIE_KEY
    cookie_expiry_days: float = 0.5


@pytest.fixture
def tickets() -> LoginTickets:
    return LoginTickets(make_engine(os.environ["DATABASE_URL"]))


def client(tickets_of: Any, setup: Setup | None = None, https: bool = False) -> TestClient:
    app = Starlette(routes=login_cookie_routes(lambda: setup or Setup(), tickets_of))
    base = "https://invoicing.example" if https else "http://127.0.0.1:8501"
    return TestClient(app, base_url=base, follow_redirects=False)


def set_cookies(response: Any) -> list[str]:
    return response.headers.get_list("set-cookie")


def the_cookie(response: Any) -> tuple[str, dict[str, str]]:
    [header] = set_cookies(response)
    morsel = SimpleCookie(header)[COOKIE]
    attributes = {key.lower(): str(value) for key, value in morsel.items() if value}
    return morsel.value, attributes


def test_a_ticket_gives_an_httponly_strict_cookie_the_page_accepts(tickets):
    login_at = time.time()
    ticket = tickets.issue("anna", login_at, secure=False)
    answer = client(lambda: tickets).get(
        "/session/login", params={"ticket": ticket, "next": "/invoice?invoice=in_1"},
        headers={"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/invoice?invoice=in_1"
    assert answer.headers["cache-control"] == "no-store"
    header = set_cookies(answer)[0]
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/" in header
    assert "Secure" not in header  # http://: a browser would drop a Secure cookie
    value, attributes = the_cookie(answer)
    assert abs(int(attributes["max-age"]) - HALF_DAY) < 5
    token = read_login_token(value, COOKIE_KEY, 0.5)
    assert token is not None and token.username == "anna"
    assert abs(token.issued_at - login_at) < 1  # counted from the login, not the redirect


def test_the_cookie_is_secure_when_the_page_or_the_request_is_https(tickets):
    by_page = tickets.issue("anna", time.time(), secure=True)
    answer = client(lambda: tickets).get("/session/login", params={"ticket": by_page})
    assert "Secure" in set_cookies(answer)[0]
    by_request = tickets.issue("anna", time.time(), secure=False)
    answer = client(lambda: tickets, https=True).get("/session/login",
                                                     params={"ticket": by_request})
    assert "Secure" in set_cookies(answer)[0]


def test_a_ticket_works_once(tickets):
    ticket = tickets.issue("anna", time.time(), secure=False)
    http = client(lambda: tickets)
    assert set_cookies(http.get("/session/login", params={"ticket": ticket}))
    again = http.get("/session/login", params={"ticket": ticket})
    assert again.status_code == 303 and set_cookies(again) == []


@pytest.mark.parametrize("ticket", [None, "", "made-up", "x" * 5000, "a\x00b"])
def test_no_cookie_without_an_issued_ticket(tickets, ticket):
    params = {"next": "/overdue"} | ({} if ticket is None else {"ticket": ticket})
    answer = client(lambda: tickets).get("/session/login", params=params)
    assert (answer.status_code, answer.headers["location"]) == (303, "/overdue")
    assert set_cookies(answer) == []


def test_no_cookie_for_an_expired_ticket(tickets):
    ticket = tickets.issue("anna", time.time(), secure=False, now=time.time() - TICKET_SECONDS - 1)
    assert set_cookies(client(lambda: tickets).get("/session/login",
                                                   params={"ticket": ticket})) == []


def test_no_cookie_for_a_user_no_longer_listed(tickets):
    ticket = tickets.issue("zoe", time.time(), secure=False)
    assert set_cookies(client(lambda: tickets).get("/session/login",
                                                   params={"ticket": ticket})) == []


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_ticket_in_a_link_from_another_site_gives_no_cookie(tickets, site):
    # Login CSRF: an attacker's own ticket in a link would log the victim in as the attacker.
    ticket = tickets.issue("anna", time.time(), secure=False)
    http = client(lambda: tickets)
    answer = http.get("/session/login", params={"ticket": ticket, "next": "/overdue"},
                      headers={"Sec-Fetch-Site": site})
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    assert set_cookies(answer) == []
    assert set_cookies(http.get("/session/login", params={"ticket": ticket}))  # not spent


def test_no_cookie_and_no_error_page_when_the_database_does_not_answer():
    def broken() -> LoginTickets:
        raise RuntimeError("database is locked")

    answer = client(broken).get("/session/login", params={"ticket": "a" * 43, "next": "/x"})
    assert (answer.status_code, answer.headers["location"]) == (303, "/x")
    assert set_cookies(answer) == []


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
    "evil.example", "/ok\r\nSet-Cookie: x=1", "",
])
def test_the_routes_never_send_the_browser_to_another_site(tickets, target):
    http = client(lambda: tickets)
    ticket = tickets.issue("anna", time.time(), secure=False)
    for path, params in (("/session/login", {"ticket": ticket, "next": target}),
                         ("/session/logout", {"next": target})):
        answer = http.get(path, params=params)
        assert (answer.status_code, answer.headers["location"]) == (303, "/"), path


def test_a_logout_between_login_and_redemption_makes_the_cookie_useless(tickets):
    login_at = time.time() - 5
    ticket = tickets.issue("anna", login_at, secure=False)
    LogoutRegistry(make_engine(os.environ["DATABASE_URL"])).record_logout("anna")
    value, _ = the_cookie(client(lambda: tickets).get("/session/login",
                                                      params={"ticket": ticket}))
    token = read_login_token(value, COOKIE_KEY, 0.5)
    assert token is not None
    registry = LogoutRegistry(make_engine(os.environ["DATABASE_URL"]))
    assert registry.is_revoked("anna", token.issued_at)


def test_logout_deletes_the_cookie_without_the_database(tickets):
    def broken() -> LoginTickets:
        raise RuntimeError("database is locked")

    answer = client(broken).get("/session/logout", params={"next": "/?logout=done"},
                                headers={"Sec-Fetch-Site": "same-origin"})
    assert (answer.status_code, answer.headers["location"]) == (303, "/?logout=done")
    value, attributes = the_cookie(answer)
    assert value == ""
    assert attributes["max-age"] == "0"
    assert attributes["path"] == "/"
    assert "HttpOnly" in set_cookies(answer)[0]


def test_logout_from_a_link_on_another_site_deletes_nothing(tickets):
    answer = client(lambda: tickets).get("/session/logout",
                                         headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 303 and set_cookies(answer) == []
