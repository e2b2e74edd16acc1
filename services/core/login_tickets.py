"""One-time login tickets: how a login made in a page becomes an HttpOnly cookie.

A cookie written by JavaScript can never be ``HttpOnly``; only a ``Set-Cookie``
header from the server can make one. The page that checked the password holds a
websocket, not an HTTP response, so after a good login it asks for a ticket here
(:meth:`LoginTickets.issue`) and sends the browser to a small HTTP route with it;
the route redeems the ticket (:meth:`LoginTickets.redeem`) and answers with the
cookie. A ticket is:

- **random** (256 bits from :mod:`secrets`) and stored only as its SHA-256, so a
  read of the app database gives nothing that can be redeemed;
- **short-lived** (:data:`TICKET_SECONDS`) and **single use**: redeeming deletes
  the row in the same statement that finds it, so two requests with one ticket
  (or two dashboard servers) never both get a cookie;
- **bound to the user and to the moment of the login**: the cookie made from it
  counts from that moment, so a logout recorded between the login and the
  redemption still refuses it (:class:`services.core.sessions.LogoutRegistry`).

One table (``login_tickets``, migration 0008) on the shared
:data:`services.core.database.metadata`, so tickets work across dashboard
processes sharing one PostgreSQL. No Streamlit or Starlette here.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import string
import time
from dataclasses import dataclass
from typing import TypeGuard

from sqlalchemy import Boolean, Column, Engine, Float, String, Table, delete

from services.core.database import ensure_schema, metadata, write_transaction

#: How long a ticket can be redeemed, in seconds: the browser follows it at once.
TICKET_SECONDS = 60.0
#: Characters of a ticket as issued (``secrets.token_urlsafe(32)``: 43 characters).
_TICKET_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")
_MAX_TICKET_CHARS = 100

login_tickets = Table(
    "login_tickets",
    metadata,
    Column("ticket_hash", String(64), primary_key=True),  # SHA-256 hex of the ticket
    Column("username", String(200), nullable=False),
    Column("logged_in_at", Float, nullable=False),  # epoch seconds of the password check
    Column("secure", Boolean, nullable=False),  # the page was served over https
    Column("expires_at", Float, nullable=False, index=True),  # epoch seconds
)


@dataclass(frozen=True)
class LoginTicket:
    """A redeemed ticket: whose login, when it was made (epoch seconds), and whether the
    page that made it was served over HTTPS (the cookie then gets ``Secure``)."""

    username: str
    logged_in_at: float
    secure: bool


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("ascii")).hexdigest()


def _well_formed(ticket: object) -> TypeGuard[str]:
    return (
        isinstance(ticket, str)
        and 0 < len(ticket) <= _MAX_TICKET_CHARS
        and set(ticket) <= _TICKET_ALPHABET
    )


class LoginTickets:
    """Issue and redeem one-time login tickets in the app database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def issue(
        self, username: str, logged_in_at: float, *, secure: bool, now: float | None = None
    ) -> str:
        """A new ticket (URL-safe text, 43 characters) for ``username``'s login made at
        ``logged_in_at`` (epoch seconds), redeemable once within :data:`TICKET_SECONDS`.

        Expired tickets are removed on the way. Raises ``ValueError`` naming the field for
        an empty username or a non-finite time, and SQLAlchemy's errors when the app
        database cannot take the ticket (the caller then has no cookie to offer).
        """
        if not username:
            raise ValueError("username: a login ticket must name its user")
        if not math.isfinite(logged_in_at):
            raise ValueError("logged_in_at: the login time must be a finite epoch time")
        moment = time.time() if now is None else now
        ticket = secrets.token_urlsafe(32)
        row = {
            "ticket_hash": _digest(ticket),
            "username": username,
            "logged_in_at": logged_in_at,
            "secure": secure,
            "expires_at": moment + TICKET_SECONDS,
        }
        with write_transaction(self._engine) as conn:
            conn.execute(delete(login_tickets).where(login_tickets.c.expires_at <= moment))
            conn.execute(login_tickets.insert(), row)
        return ticket

    def redeem(self, ticket: object, now: float | None = None) -> LoginTicket | None:
        """The login behind ``ticket``, once: ``None`` for text that is not a ticket, an
        unknown, used or expired one (never raises for what a browser sends).

        The row is deleted by the statement that reads it (``DELETE … RETURNING``), so
        of two concurrent redemptions at most one gets the login. Raises SQLAlchemy's
        errors when the app database does not answer.
        """
        if not _well_formed(ticket):
            return None
        moment = time.time() if now is None else now
        statement = (
            delete(login_tickets)
            .where(login_tickets.c.ticket_hash == _digest(ticket))
            .returning(
                login_tickets.c.username,
                login_tickets.c.logged_in_at,
                login_tickets.c.secure,
                login_tickets.c.expires_at,
            )
        )
        with write_transaction(self._engine) as conn:
            row = conn.execute(statement).first()
        if row is None or row.expires_at <= moment:  # an expired one is gone all the same
            return None
        return LoginTicket(str(row.username), float(row.logged_in_at), bool(row.secure))
