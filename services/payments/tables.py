"""Tables of the payment-events work, declared on the shared :data:`metadata`.

- ``payment_events``: every Stripe event received (webhook or poller), once per
  event id, with what was done about it. A row in state ``received`` has not been
  handled yet and is picked up again after a crash, so no recorded event is lost.
- ``fulfilments``: the sales log, one row per paid invoice (keyed on the invoice).
- ``invoice_payment_states``: the latest payment fact per invoice ("paid",
  "payment pending", "needs attention") and the time of the fact that set it.
- ``invoice_payment_history``: what happened to an invoice's payment, event by event.
- ``outbox``: messages to customers, queued then sent (or kept) with their status.
- ``webhook_secrets``: signing secrets of endpoints registered by the app itself
  (Stripe shows a secret only once, at creation).
- ``event_poll_cursors``: how far the event poller has read.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from services.core.database import metadata

payment_events = Table(
    "payment_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(255), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("object_id", String(255)),
    Column("invoice_id", String(255), index=True),
    Column("event_created", BigInteger),  # the event's own `created` (unix seconds)
    Column("source", String(20), nullable=False),  # webhook | poller | direct
    Column("payload", Text, nullable=False),  # raw JSON, so handling can resume after a crash
    Column("received_at", DateTime, nullable=False),
    Column("handled_at", DateTime),
    Column("outcome", String(20), nullable=False, index=True),  # received|handled|ignored|failed
    Column("summary", Text),
    Column("error", Text),
)

fulfilments = Table(
    "fulfilments",
    metadata,
    Column("invoice_id", String(255), primary_key=True),  # an invoice is paid once
    Column("invoice_number", String(100)),
    Column("customer_id", String(255)),
    Column("customer_email", String(512)),
    Column("amount_paid", BigInteger, nullable=False),  # minor units
    Column("currency", String(3), nullable=False),
    Column("paid_at", DateTime),
    Column("paid_how", String(20), nullable=False),  # card | bank debit | out of band
    Column("event_id", String(255), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

invoice_payment_states = Table(
    "invoice_payment_states",
    metadata,
    Column("invoice_id", String(255), primary_key=True),
    Column("state", String(30), nullable=False),  # paid | payment pending | needs attention
    Column("fact_at", BigInteger, nullable=False),  # event time of the fact that set the state
    Column("invoice_number", String(100)),
    Column("customer_id", String(255)),
    Column("customer_email", String(512)),
    Column("amount_due", BigInteger),
    Column("currency", String(3)),
    Column("hosted_invoice_url", Text),
    Column("detail", Text),
    Column("updated_at", DateTime, nullable=False),
)

invoice_payment_history = Table(
    "invoice_payment_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_id", String(255), nullable=False, index=True),
    Column("event_id", String(255)),
    Column("event_type", String(100), nullable=False),
    Column("occurred_at", BigInteger),
    Column("note", Text, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

outbox_messages = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(300), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("invoice_id", String(255), index=True),
    Column("recipient", String(512), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    # queued | sending | retrying | sent | sent to outbox | failed
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("queued_at", DateTime, nullable=False),
    Column("next_attempt_at", DateTime),
    Column("sent_at", DateTime),
)

webhook_secrets = Table(
    "webhook_secrets",
    metadata,
    Column("url", String(1000), primary_key=True),
    Column("endpoint_id", String(255), nullable=False),
    Column("secret", String(255), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

event_poll_cursors = Table(
    "event_poll_cursors",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("last_event_id", String(255)),
    Column("last_created", BigInteger, nullable=False),
    Column("polled_at", DateTime, nullable=False),
)


EVENT_TABLES = (
    payment_events,
    fulfilments,
    invoice_payment_states,
    invoice_payment_history,
    outbox_messages,
    webhook_secrets,
    event_poll_cursors,
)


def create_event_tables(engine: Engine) -> None:
    """Create the tables above if missing (an engine made before this module was imported)."""
    metadata.create_all(engine, tables=list(EVENT_TABLES))


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Insert ``values`` unless a row with the same unique key exists; True when inserted.

    Uses ``ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL, so concurrent writers
    racing on the same key (the same event delivered twice at once) never raise.
    """
    statement = _ignoring_insert(conn.dialect.name, table)
    if statement is None:  # other databases: fall back on the unique constraint raising
        try:
            conn.execute(table.insert(), values)
        except IntegrityError:
            return False
        return True
    # Values are bound at execution, so the compiled statement is cached once per table.
    return conn.execute(statement, values).rowcount == 1


@functools.cache
def _ignoring_insert(dialect: str, table: Table) -> Any:
    if dialect == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing()
    return None


_write_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()``, with writers of one SQLite file taking turns in this process.

    SQLite allows one writer at a time and makes the others sleep and poll (its busy
    handler backs off up to 100 ms); queueing on a lock here instead keeps the webhook
    answer fast while the worker writes. Other databases need no lock.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    with _locks_guard:
        lock = _write_locks.setdefault(engine, threading.Lock())
    with lock, engine.begin() as conn:
        yield conn
