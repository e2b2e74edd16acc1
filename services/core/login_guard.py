"""Password logins with throttling instead of lockout, no username enumeration, and an audit trail.

What an attacker found on the old login, and what this module does instead:

- **Lockout until restart** (five wrong passwords locked a real account, admins
  included, in one process's memory). Now every failed login makes the next one
  wait: per username *and* per client address, a delay that doubles with each
  failure past a few free ones and never exceeds :data:`MAX_DELAY` (15 minutes),
  so every lockout ends by itself; an admin can also lift it (:meth:`LoginGuard.lift`).
  The counters live in the app database (table ``login_throttles``), so they hold
  across dashboard processes sharing one PostgreSQL and survive restarts; that
  bookkeeping is :mod:`services.core.login_throttle`.
- **Username enumeration** (unknown names were never locked and answered 4x faster).
  A name that is not a user gets the same answer, the same throttle and the same
  work: one bcrypt check, against a fixed dummy hash of the same cost as the real
  hashes (:func:`dummy_hash`).
- **No trace**: every attempt, every throttle that starts and every lift is a row
  in the audit trail (:class:`services.core.audit.AuditLog`); never a password.

Concurrency: an attempt first *reserves* itself (counts as a failure, in one
transaction that refuses when a throttle is running), then checks the password,
and gives the reservation back on success. So many sessions firing at once cannot
all slip through during the bcrypt check, whichever server they reach.

No Streamlit here: the UI (:mod:`ui.auth`) passes the typed name, the password, the
client address and the accounts, and shows the :class:`LoginAttempt` it gets back.
The throttle names the UI and tests use (:class:`Throttle`, :data:`USER`,
:data:`MAX_DELAY`, :func:`address_subject`...) are importable from here as before.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import cast

import bcrypt
from sqlalchemy import Engine

from services.core.access import Action, Actor, Role, require
from services.core.audit import FAILURE, SUCCESS, AuditLog
from services.core.database import ensure_schema
from services.core.login_throttle import (
    ADDRESS,
    ADDRESS_RULE,
    FORGET_AFTER,
    LOCAL_ADDRESS,
    MAX_DELAY,
    UNKNOWN_ADDRESS,
    USER,
    USER_RULE,
    LoginThrottles,
    Throttle,
    ThrottleRule,
    address_subject,
    login_throttles,
    throttle_key,
)

__all__ = [
    "ADDRESS",
    "ADDRESS_RULE",
    "BCRYPT_MAX_BYTES",
    "FORGET_AFTER",
    "LOCAL_ADDRESS",
    "LOGIN",
    "LOGOUT",
    "MAX_DELAY",
    "MAX_NAME",
    "NO_ROLE",
    "THROTTLE",
    "THROTTLE_LIFTED",
    "UNKNOWN_ADDRESS",
    "USER",
    "USER_RULE",
    "Account",
    "LoginAttempt",
    "LoginGuard",
    "Result",
    "Throttle",
    "ThrottleRule",
    "address_subject",
    "dummy_hash",
    "hash_cost",
    "login_throttles",
    "normalize_username",
    "throttle_key",
    "usual_cost",
]

#: Longest stored username (the audit trail's ``username`` column is 200 characters).
MAX_NAME = 200
#: bcrypt refuses (bcrypt 5) or silently cuts (bcrypt 4) passwords past 72 bytes.
BCRYPT_MAX_BYTES = 72

#: Audit actions.
LOGIN = "login"
LOGOUT = "logout"
THROTTLE = "login_throttle"
THROTTLE_LIFTED = "login_throttle_lifted"

#: The audit trail needs a role; a typed name that is no user has none.
NO_ROLE = cast(Role, "none")


class Result(StrEnum):
    """What happened to a login attempt."""

    OK = "ok"
    WRONG = "wrong"  # unknown name or wrong password: the same answer by design
    THROTTLED = "throttled"  # refused without checking the password


@dataclass(frozen=True)
class LoginAttempt:
    """The answer to one attempt; ``retry_after`` is how long (seconds) a next one must wait."""

    result: Result
    username: str
    retry_after: float = 0.0

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


@dataclass(frozen=True)
class Account:
    """What the guard needs to know of a user: the bcrypt hash and the role."""

    password_hash: str
    role: Role


def normalize_username(typed: str) -> str:
    """The name as streamlit-authenticator stores it: stripped, lower case (cut to 200)."""
    return typed.strip().lower()[:MAX_NAME]


def hash_cost(password_hash: str) -> int:
    """The cost factor of a bcrypt hash (``$2b$12$...`` → 12)."""
    try:
        return int(password_hash.split("$")[2])
    except (IndexError, ValueError):
        return 12


@lru_cache(maxsize=8)
def dummy_hash(cost: int) -> bytes:
    """A fixed (per process and cost) bcrypt hash of a random password nobody knows.

    Checking a typed password against it costs exactly what checking a real hash of
    that cost does, which is what makes an unknown name as slow as a known one.
    """
    return bcrypt.hashpw(secrets.token_bytes(32), bcrypt.gensalt(rounds=cost))


def usual_cost(accounts: Mapping[str, Account]) -> int:
    """The cost the dummy check uses: the most common cost among the real hashes
    (the highest on a tie; 12, bcrypt's default, when there are no users)."""
    counts: dict[int, int] = {}
    for account in accounts.values():
        cost = hash_cost(account.password_hash)
        counts[cost] = counts.get(cost, 0) + 1
    if not counts:
        return 12
    return max(counts, key=lambda cost: (counts[cost], cost))


def _check_password(password: str, password_hash: bytes) -> bool:
    """One bcrypt check; a password bcrypt cannot take still costs one check, then fails."""
    candidate = password.encode("utf-8")
    too_long = len(candidate) > BCRYPT_MAX_BYTES
    if too_long:  # cannot match any hash bcrypt 5 made; keep the timing of a real check
        candidate = candidate[:BCRYPT_MAX_BYTES]
    try:
        matches = bcrypt.checkpw(candidate, password_hash)
    except ValueError:  # a malformed hash: never a match
        return False
    return matches and not too_long


def _now() -> float:
    """The wall clock (a module function, so tests can move time)."""
    return time.time()


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class LoginGuard:
    """Password logins against the accounts, throttled and audited in the app database."""

    def __init__(
        self,
        engine: Engine,
        audit: AuditLog | None = None,
        *,
        user_rule: ThrottleRule = USER_RULE,
        address_rule: ThrottleRule = ADDRESS_RULE,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._engine = engine
        ensure_schema(engine)
        self._audit = audit if audit is not None else AuditLog(engine)
        self._throttles = LoginThrottles(engine, {USER: user_rule, ADDRESS: address_rule})
        self._clock = clock

    def now(self) -> float:
        """The guard's clock in epoch seconds: the ``clock`` given, else the wall clock."""
        return self._clock() if self._clock is not None else _now()

    # -- logging in ----------------------------------------------------------------------------

    def log_in(
        self,
        typed_username: str,
        password: str,
        address: object,
        accounts: Mapping[str, Account],
    ) -> LoginAttempt:
        """Check one login attempt; the same work and answer whether the name exists or not.

        ``address`` is the client's IP address as Streamlit reports it (``None`` for
        loopback). Raises only when the app database cannot be used (then nobody
        logs in: the guard fails closed).
        """
        username = normalize_username(typed_username)
        subject = address_subject(address)
        account = accounts.get(username)
        # Made before anything else, so even the first attempt of a process costs the
        # same for a known and an unknown name.
        dummy = dummy_hash(usual_cost(accounts))
        actor = Actor(username, account.role if account else NO_ROLE)
        now = self.now()
        self._throttles.purge_forgotten(now)
        reservation = self._throttles.reserve(username, subject, now)
        if reservation.refused_until > now:
            wait = reservation.refused_until - now
            self._audit.record(
                actor=actor, action=LOGIN, outcome=FAILURE, reason=f"from {subject}",
                error=f"refused without a password check: throttled for {math.ceil(wait)} s",
            )
            return LoginAttempt(Result.THROTTLED, username, wait)
        # Exactly one bcrypt check either way: the real hash, or the dummy of the same cost.
        password_hash = account.password_hash.encode() if account else dummy
        matches = _check_password(password.strip(), password_hash)
        if account is not None and matches:
            self._throttles.give_back(username, subject, reservation)
            self._audit.record(actor=actor, action=LOGIN, outcome=SUCCESS, reason=f"from {subject}")
            return LoginAttempt(Result.OK, username)
        self._audit.record(
            actor=actor, action=LOGIN, outcome=FAILURE, reason=f"from {subject}",
            error="wrong password" if account else "no such user",
        )
        for key, failures, until in reservation.new_locks:
            self._audit.record(
                actor=actor, action=THROTTLE, outcome=SUCCESS, object_id=key,
                reason=f"{failures} failed logins; no login before {_when(until)} "
                f"({math.ceil(until - now)} s)",
            )
        waits = [until - now for _key, _failures, until in reservation.new_locks]
        return LoginAttempt(Result.WRONG, username, max(waits, default=0.0))

    def record_logout(self, actor: Actor) -> None:
        """Audit a logout (the cookie cutoff is :class:`services.core.sessions.LogoutRegistry`)."""
        self._audit.record(actor=actor, action=LOGOUT, outcome=SUCCESS)

    # -- the Admin page ------------------------------------------------------------------------

    def throttles(self) -> list[Throttle]:
        """Running throttles and counters still remembered, the most recent failure first."""
        return self._throttles.remembered(self.now())

    def lift(self, key: str, actor: Actor) -> bool:
        """Forget a throttle and its failures (admins only), audited; False if there was none.

        Raises :class:`services.core.errors.PermissionDenied` for an actor who may not
        manage users, before anything is changed.
        """
        require(actor, Action.MANAGE_USERS)
        removed = self._throttles.remove(key)
        if removed is None:
            return False
        failures, locked_until = removed
        now = self.now()
        state = (
            f"locked for {math.ceil(locked_until - now)} s more"
            if locked_until > now else "not locked"
        )
        self._audit.record(
            actor=actor, action=THROTTLE_LIFTED, outcome=SUCCESS, object_id=key,
            reason=f"lifted by {actor.username} after {failures} failed logins ({state})",
        )
        return True
