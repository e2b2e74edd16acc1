"""The throttle bookkeeping behind password logins: failure counters and waits that end.

Each failed login counts against two keys in the app database (table
``login_throttles``): the typed username (``user:<name>``) and the client address
(``address:<ip>``, an IPv6 client counted by its /64 network). Past a few free
failures each further one makes the next attempt on that key wait, the wait
doubling per failure up to :data:`MAX_DELAY` (15 minutes), so every lockout ends by
itself; counters nobody has failed on for :data:`FORGET_AFTER` (an hour) are forgotten.
Living in the app database, the counters hold across dashboard processes sharing
one PostgreSQL and survive restarts.

:class:`LoginThrottles` is the store: it reserves an attempt (counting it as a
failure in one transaction that refuses while a throttle runs), gives a reservation
back after a good password, purges forgotten rows, lists the counters for the Admin
page and lifts one. It never checks a password and never writes the audit trail:
that is :class:`services.core.login_guard.LoginGuard`, which also owns the clock,
so every method here takes ``now`` (epoch seconds) from its caller.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Mapping
from dataclasses import dataclass

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

from services.core.database import insert_ignore, metadata, write_transaction

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
#: At most one purge of forgotten rows per this many seconds, per store.
PURGE_EVERY = 60.0


@dataclass(frozen=True)
class ThrottleRule:
    """How failures turn into waits: ``free`` failures cost nothing, then the wait
    starts at ``first_delay`` seconds and doubles per failure, up to ``max_delay``."""

    free: int
    first_delay: float
    max_delay: float = MAX_DELAY

    def delay_after(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failed logins in a row (0.0 while free)."""
        if failures <= self.free:
            return 0.0
        steps = min(failures - self.free - 1, 30)  # 2**30 s is far past any cap
        return min(self.first_delay * 2.0**steps, self.max_delay)


#: Per username: 4 free tries (typos), then 15 s, 30 s, 1 min, ... 15 min at most.
USER_RULE = ThrottleRule(free=4, first_delay=15.0)
#: Per client address: more room (an office behind one NAT), then the same growth.
ADDRESS_RULE = ThrottleRule(free=20, first_delay=15.0)


@dataclass(frozen=True)
class Throttle:
    """One row of ``login_throttles``, for the Admin page (times in epoch seconds)."""

    key: str
    kind: str
    subject: str
    failures: int
    last_failure_at: float
    locked_until: float

    def locked(self, now: float) -> bool:
        """Whether a login on this key must still wait at ``now`` (epoch seconds)."""
        return self.locked_until > now


@dataclass(frozen=True)
class Reservation:
    """What :meth:`LoginThrottles.reserve` changed, to give back on success or audit on failure.

    ``refused_until`` (epoch seconds) is later than the attempt's ``now`` when a running
    throttle refused it; ``new_locks`` holds ``(key, failures, locked_until)`` for each
    throttle this attempt started; ``address_lock_before`` is the address key's
    ``locked_until`` before the attempt, restored if a good password gives it back.
    """

    refused_until: float
    new_locks: tuple[tuple[str, int, float], ...] = ()
    address_lock_before: float = 0.0


class _Throttled(Exception):
    """Raised inside :meth:`LoginThrottles.reserve` to roll back when a throttle is running."""

    def __init__(self, until: float) -> None:
        super().__init__(until)
        self.until = until


def address_subject(ip: object) -> str:
    """The throttled unit of a client address: an IPv4 address, or an IPv6 /64 network.

    One IPv6 customer usually gets a whole /64, so throttling single IPv6 addresses
    would give an attacker 2**64 fresh starts. ``None`` (Streamlit's answer for a
    loopback client) is ``"local"``; anything unreadable is ``"unknown"``. Never raises.
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
    """The row key of a throttle: ``"<kind>:<subject>"``, e.g. ``"user:anna"``."""
    return f"{kind}:{subject}"


class LoginThrottles:
    """The ``login_throttles`` counters on one app database (schema already in place).

    ``rules`` maps :data:`USER` and :data:`ADDRESS` to their :class:`ThrottleRule`.
    Every method raises SQLAlchemy's errors when the database cannot be used.
    """

    def __init__(self, engine: Engine, rules: Mapping[str, ThrottleRule]) -> None:
        self._engine = engine
        self._rules = dict(rules)
        self._last_purge = 0.0
        self._purge_lock = threading.Lock()

    def reserve(self, username: str, subject: str, now: float) -> Reservation:
        """Count this attempt as a failure of both keys, unless a throttle is running.

        ``username`` is the normalized name, ``subject`` the :func:`address_subject`,
        ``now`` epoch seconds. One transaction: each ``UPDATE`` only touches a row whose
        throttle has ended, and takes the row's lock (PostgreSQL) or the database's write
        lock (SQLite) until commit, so concurrent attempts are counted one after another.
        The user key is always updated before the address key: no two attempts wait on
        each other in opposite orders. A refused attempt counts nothing (rolled back).
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
            return Reservation(refused_until=throttled.until)
        return Reservation(0.0, tuple(new_locks), address_lock_before)

    def give_back(self, username: str, subject: str, reservation: Reservation) -> None:
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

    def purge_forgotten(self, now: float) -> None:
        """Drop rows nobody has failed on for :data:`FORGET_AFTER` and not locked at
        ``now`` (epoch seconds), at most once per :data:`PURGE_EVERY` seconds per store:
        made-up names must not pile up in the table."""
        with self._purge_lock:
            if now - self._last_purge < PURGE_EVERY:
                return
            self._last_purge = now
        table = login_throttles
        with write_transaction(self._engine) as conn:
            conn.execute(
                delete(table).where(
                    table.c.last_failure_at < now - FORGET_AFTER, table.c.locked_until <= now
                )
            )

    def remembered(self, now: float) -> list[Throttle]:
        """Running throttles and counters still remembered at ``now`` (epoch seconds),
        the latest lock first, then the most recent failure first."""
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

    def remove(self, key: str) -> tuple[int, float] | None:
        """Delete the row ``key`` (its throttle and failures); ``(failures, locked_until)``
        as it stood, or None when there was no such row. No permission check here."""
        table = login_throttles
        with write_transaction(self._engine) as conn:
            row = conn.execute(
                delete(table).where(table.c.key == key)
                .returning(table.c.failures, table.c.locked_until)
            ).first()
        if row is None:
            return None
        return int(row.failures), float(row.locked_until)
