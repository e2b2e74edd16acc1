"""Password logins with throttling instead of lockout, no username enumeration, and an audit trail.

What an attacker found on the old login, and what this module does instead:

- **Lockout until restart** (five wrong passwords locked a real account, admins
  included, in one process's memory). Now every failed login makes the next one
  wait: per username *and* per client address, a delay that doubles with each
  failure past a few free ones and never exceeds :data:`MAX_DELAY` (15 minutes),
  so every lockout ends by itself; an admin can also lift it (:meth:`LoginGuard.lift`).
  The counters live in the app database (table ``login_throttles``), so they hold
  across dashboard processes sharing one PostgreSQL and survive restarts.
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
"""

from __future__ import annotations

import ipaddress
import math
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import cast

import bcrypt
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    String,
    Table,
    case,
    delete,
    or_,
    select,
    update,
)

from services.core.access import Action, Actor, Role, require
from services.core.audit import FAILURE, SUCCESS, AuditLog
from services.core.database import ensure_schema, insert_ignore, metadata, write_transaction

login_throttles = Table(
    "login_throttles",
    metadata,
    Column("key", String(255), primary_key=True),  # "user:<name>" or "address:<ip>"
    Column("kind", String(20), nullable=False),  # "user" or "address"
    Column("subject", String(200), nullable=False),  # the name or the address
    Column("failures", Integer, nullable=False),  # failed logins since the last quiet hour
    Column("last_failure_at", Float, nullable=False, index=True),  # epoch seconds
    Column("locked_until", Float, nullable=False),  # epoch seconds; no login before it
)

USER = "user"
ADDRESS = "address"
LOCAL_ADDRESS = "local"  # Streamlit reports loopback clients (and a local proxy) as None
UNKNOWN_ADDRESS = "unknown"

#: The longest wait a throttle ever imposes: every lockout ends by itself after this.
MAX_DELAY = 15 * 60.0
#: Failures older than this (with no newer one) are forgotten: the counter starts again.
FORGET_AFTER = 60 * 60.0
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


@dataclass(frozen=True)
class ThrottleRule:
    """How failures turn into waits: ``free`` failures cost nothing, then the wait
    starts at ``first_delay`` seconds and doubles per failure, up to ``max_delay``."""

    free: int
    first_delay: float
    max_delay: float = MAX_DELAY

    def delay_after(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failed logins in a row."""
        if failures <= self.free:
            return 0.0
        steps = min(failures - self.free - 1, 30)  # 2**30 s is far past any cap
        return min(self.first_delay * 2.0**steps, self.max_delay)


#: Per username: 4 free tries (typos), then 15 s, 30 s, 1 min, ... 15 min at most.
USER_RULE = ThrottleRule(free=4, first_delay=15.0)
#: Per client address: more room (an office behind one NAT), then the same growth.
ADDRESS_RULE = ThrottleRule(free=20, first_delay=15.0)


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


@dataclass(frozen=True)
class Throttle:
    """One row of ``login_throttles``, for the Admin page."""

    key: str
    kind: str
    subject: str
    failures: int
    last_failure_at: float
    locked_until: float

    def locked(self, now: float) -> bool:
        return self.locked_until > now


@dataclass(frozen=True)
class _Reservation:
    """What :meth:`LoginGuard._reserve` changed, to give back on success or audit on failure."""

    refused_until: float  # > now when a running throttle refused the attempt
    new_locks: tuple[tuple[str, int, float], ...] = ()  # (key, failures, locked_until)
    address_lock_before: float = 0.0


class _Throttled(Exception):
    """Raised inside :meth:`LoginGuard._reserve` to roll back when a throttle is running."""

    def __init__(self, until: float) -> None:
        super().__init__(until)
        self.until = until


def normalize_username(typed: str) -> str:
    """The name as streamlit-authenticator stores it: stripped, lower case (cut to 200)."""
    return typed.strip().lower()[:MAX_NAME]


def address_subject(ip: object) -> str:
    """The throttled unit of a client address: an IPv4 address, or an IPv6 /64 network.

    One IPv6 customer usually gets a whole /64, so throttling single IPv6 addresses
    would give an attacker 2**64 fresh starts. ``None`` (Streamlit's answer for a
    loopback client) is ``"local"``; anything unreadable is ``"unknown"``.
    """
    if ip is None:
        return LOCAL_ADDRESS
    if not isinstance(ip, str):
        return UNKNOWN_ADDRESS
    try:
        parsed = ipaddress.ip_address(ip.strip())
    except ValueError:
        return UNKNOWN_ADDRESS
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def throttle_key(kind: str, subject: str) -> str:
    return f"{kind}:{subject}"


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
        self._rules = {USER: user_rule, ADDRESS: address_rule}
        self._clock = clock
        self._last_purge = 0.0
        self._purge_lock = threading.Lock()

    def now(self) -> float:
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
        self._purge_forgotten(now)
        reservation = self._reserve(username, subject, now)
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
            self._give_back(username, subject, reservation)
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

    def _reserve(self, username: str, subject: str, now: float) -> _Reservation:
        """Count this attempt as a failure of both keys, unless a throttle is running.

        One transaction: each ``UPDATE`` only touches a row whose throttle has ended,
        and takes the row's lock (PostgreSQL) or the database's write lock (SQLite)
        until commit, so concurrent attempts are counted one after another. The user
        key is always updated before the address key: no two attempts wait on each
        other in opposite orders.
        """
        keys = (
            (USER, username, throttle_key(USER, username)),
            (ADDRESS, subject, throttle_key(ADDRESS, subject)),
        )
        forget = now - FORGET_AFTER
        table = login_throttles
        new_locks: list[tuple[str, int, float]] = []
        address_lock_before = 0.0
        try:
            with write_transaction(self._engine) as conn:
                for kind, subject_text, key in keys:
                    insert_ignore(conn, table, {
                        "key": key, "kind": kind, "subject": subject_text, "failures": 0,
                        "last_failure_at": now, "locked_until": 0.0,
                    })
                    if kind == ADDRESS:
                        address_lock_before = float(conn.execute(
                            select(table.c.locked_until).where(table.c.key == key)
                        ).scalar_one())
                    failures = conn.execute(
                        update(table)
                        .where(table.c.key == key, table.c.locked_until <= now)
                        .values(
                            failures=case(
                                (table.c.last_failure_at < forget, 1), else_=table.c.failures + 1
                            ),
                            last_failure_at=now,
                        )
                        .returning(table.c.failures)
                    ).scalar_one_or_none()
                    if failures is None:  # a throttle is running on this key
                        until = conn.execute(
                            select(table.c.locked_until).where(table.c.key == key)
                        ).scalar_one()
                        raise _Throttled(float(until))  # rolls back this attempt's counting
                    delay = self._rules[kind].delay_after(int(failures))
                    if delay > 0:
                        until = now + delay
                        conn.execute(
                            update(table).where(table.c.key == key).values(locked_until=until)
                        )
                        new_locks.append((key, int(failures), until))
        except _Throttled as throttled:
            return _Reservation(refused_until=throttled.until)
        return _Reservation(0.0, tuple(new_locks), address_lock_before)

    def _give_back(self, username: str, subject: str, reservation: _Reservation) -> None:
        """A good password: the name's count starts again; the address gets back the
        failure this attempt reserved (and the throttle it may have started)."""
        table = login_throttles
        address_key = throttle_key(ADDRESS, subject)
        started = {key: until for key, _failures, until in reservation.new_locks}
        with write_transaction(self._engine) as conn:
            conn.execute(delete(table).where(table.c.key == throttle_key(USER, username)))
            query = update(table).where(table.c.key == address_key)
            conn.execute(
                query.values(failures=case((table.c.failures > 0, table.c.failures - 1), else_=0))
            )
            if address_key in started:
                conn.execute(
                    query.where(table.c.locked_until == started[address_key])
                    .values(locked_until=reservation.address_lock_before)
                )

    def _purge_forgotten(self, now: float) -> None:
        """Drop rows nobody has failed on for an hour (at most once a minute per process):
        made-up names must not pile up in the table."""
        with self._purge_lock:
            if now - self._last_purge < 60:
                return
            self._last_purge = now
        table = login_throttles
        with write_transaction(self._engine) as conn:
            conn.execute(
                delete(table).where(
                    table.c.last_failure_at < now - FORGET_AFTER, table.c.locked_until <= now
                )
            )

    # -- the Admin page ------------------------------------------------------------------------

    def throttles(self) -> list[Throttle]:
        """Running throttles and counters still remembered, the most recent failure first."""
        now = self.now()
        table = login_throttles
        query = (
            select(table)
            .where(table.c.failures > 0)
            .where(or_(table.c.locked_until > now, table.c.last_failure_at >= now - FORGET_AFTER))
            .order_by(table.c.locked_until.desc(), table.c.last_failure_at.desc())
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Throttle(row["key"], row["kind"], row["subject"], int(row["failures"]),
                     float(row["last_failure_at"]), float(row["locked_until"]))
            for row in rows
        ]

    def lift(self, key: str, actor: Actor) -> bool:
        """Forget a throttle and its failures (admins only), audited; False if there was none."""
        require(actor, Action.MANAGE_USERS)
        table = login_throttles
        with write_transaction(self._engine) as conn:
            row = conn.execute(
                delete(table).where(table.c.key == key)
                .returning(table.c.failures, table.c.locked_until)
            ).first()
        if row is None:
            return False
        now = self.now()
        state = (
            f"locked for {math.ceil(row.locked_until - now)} s more"
            if row.locked_until > now else "not locked"
        )
        self._audit.record(
            actor=actor, action=THROTTLE_LIFTED, outcome=SUCCESS, object_id=key,
            reason=f"lifted by {actor.username} after {row.failures} failed logins ({state})",
        )
        return True
