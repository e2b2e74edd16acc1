"""One-time login tickets: redeemed once, within a minute, never from what the database holds.

Runs on SQLite and, with ``--app-database=postgresql``, on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from services.core.database import make_engine
from services.core.login_tickets import TICKET_SECONDS, LoginTickets, login_tickets

NOW = 1_900_000_000.0


@pytest.fixture
def tickets(app_database_url: str) -> LoginTickets:
    return LoginTickets(make_engine(app_database_url))


def test_a_ticket_gives_its_login_once(tickets: LoginTickets) -> None:
    ticket = tickets.issue("anna", NOW - 2, secure=True, now=NOW)
    login = tickets.redeem(ticket, now=NOW + 1)
    assert login is not None
    assert (login.username, login.logged_in_at, login.secure) == ("anna", NOW - 2, True)
    assert tickets.redeem(ticket, now=NOW + 2) is None  # used


def test_an_expired_ticket_gives_nothing(tickets: LoginTickets) -> None:
    ticket = tickets.issue("anna", NOW, secure=False, now=NOW)
    assert tickets.redeem(ticket, now=NOW + TICKET_SECONDS + 1) is None
    assert tickets.redeem(ticket, now=NOW + 1) is None  # and it is gone, not merely late


@pytest.mark.parametrize(
    "sent", [None, "", 42, "x" * 500, "not a ticket!", "abc\x00def", "🙂" * 10, "'; DROP TABLE --"]
)
def test_anything_that_is_not_an_issued_ticket_gives_nothing(
    tickets: LoginTickets, sent: object
) -> None:
    tickets.issue("anna", NOW, secure=False, now=NOW)
    assert tickets.redeem(sent, now=NOW) is None


def test_the_database_holds_no_redeemable_ticket(app_database_url: str,
                                                 tickets: LoginTickets) -> None:
    ticket = tickets.issue("anna", NOW, secure=False, now=NOW)
    with make_engine(app_database_url).connect() as conn:
        [stored] = conn.execute(select(login_tickets.c.ticket_hash)).scalars().all()
    assert ticket not in stored
    assert tickets.redeem(stored, now=NOW) is None  # what a reader of the database would try
    assert tickets.redeem(ticket, now=NOW) is not None


def test_expired_tickets_are_cleared_when_new_ones_are_issued(app_database_url: str,
                                                              tickets: LoginTickets) -> None:
    for _ in range(3):
        tickets.issue("anna", NOW, secure=False, now=NOW)
    tickets.issue("carl", NOW, secure=False, now=NOW + TICKET_SECONDS + 1)
    with make_engine(app_database_url).connect() as conn:
        left = conn.execute(select(login_tickets.c.username)).scalars().all()
    assert left == ["carl"]


def test_two_servers_redeeming_one_ticket_at_once_give_one_login(app_database_url: str) -> None:
    ticket = LoginTickets(make_engine(app_database_url)).issue("anna", NOW, secure=False, now=NOW)
    servers = [LoginTickets(make_engine(app_database_url)) for _ in range(8)]
    start = threading.Barrier(len(servers))
    got: list[object] = []

    def redeem(server: LoginTickets) -> None:
        start.wait()
        got.append(server.redeem(ticket, now=NOW + 1))

    threads = [threading.Thread(target=redeem, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([login for login in got if login is not None]) == 1


@pytest.mark.parametrize(("field", "username", "at"), [
    ("username", "", NOW), ("logged_in_at", "anna", float("nan")),
])
def test_a_ticket_needs_a_user_and_a_time(tickets: LoginTickets, field: str, username: str,
                                          at: float) -> None:
    with pytest.raises(ValueError, match=field):
        tickets.issue(username, at, secure=False, now=NOW)
