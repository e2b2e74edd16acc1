"""The app's own SQL database (audit trail, processed events, fulfilment, outbox).

One SQLAlchemy ``MetaData`` holds every table; each service module declares its
tables on :data:`metadata`. SQLite files get WAL mode and a busy timeout so the
dashboard, the webhook endpoint and the poller can write at the same time; any
other SQLAlchemy URL (PostgreSQL) works unchanged.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

DEFAULT_DATABASE_URL = "sqlite:///data/dashboard.sqlite3"


def make_engine(database_url: str = DEFAULT_DATABASE_URL) -> Engine:
    """Create the engine for ``database_url`` and make sure every table exists."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    # Import for the side effect of declaring tables on `metadata` is done by callers;
    # create_all is idempotent.
    metadata.create_all(engine)
    return engine


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


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
