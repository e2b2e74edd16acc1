"""The app's own SQL database: engines, schema migrations, and writes that must happen once.

One SQLAlchemy ``MetaData`` holds every table; each service module declares its
tables on :data:`metadata`. The schema itself is owned by the Alembic migrations in
``services/core/migrations``: :func:`make_engine` brings a database to the newest
schema this code knows (creating it when empty, upgrading an older one) and
refuses a database whose schema is newer than the code.

SQLite files get WAL mode and a busy timeout so the dashboard, the webhook endpoint
and the poller can write at the same time. PostgreSQL URLs (``postgresql://`` or
``postgres://``) are served by psycopg 3; several dashboard processes may share one.
"""

from __future__ import annotations

import functools
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.core.errors import ConfigurationError

metadata = MetaData()
T = TypeVar("T")

DEFAULT_DATABASE_URL = "sqlite:///data/dashboard.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK_ID = 0x1_7B0_1CE  # pg_advisory_xact_lock key: one migrating process at a time


def database_url(database_url: str) -> URL:
    """``database_url`` as SQLAlchemy will use it: PostgreSQL URLs on the psycopg 3 driver.

    ``postgresql://`` and ``postgres://`` (as hosting providers write it) become
    ``postgresql+psycopg://``; other URLs are kept. Raises ``ConfigurationError``
    (field ``DATABASE_URL``) for text that is not a database URL.
    """
    try:
        url = make_url(database_url)
    except Exception as err:  # sqlalchemy.exc.ArgumentError and friends
        raise ConfigurationError(
            f"DATABASE_URL is not a database URL ({err})", field="DATABASE_URL"
        ) from err
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_plain_engine(database_url_text: str = DEFAULT_DATABASE_URL) -> Engine:
    """An engine for the URL, tuned for SQLite, without touching the schema."""
    url = database_url(database_url_text)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            _private_file(Path(url.database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600; its folder 0700 when we
    make it): it holds the webhook secret, the audit trail and a copy of the book.
    SQLite gives its -wal and -shm files the same mode."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)


def make_engine(database_url_text: str = DEFAULT_DATABASE_URL) -> Engine:
    """An engine for the URL whose database has the newest schema (see :func:`ensure_schema`)."""
    engine = make_plain_engine(database_url_text)
    ensure_schema(engine)
    return engine


_migrated: weakref.WeakSet[Engine] = weakref.WeakSet()
_migrated_guard = threading.Lock()


def ensure_schema(engine: Engine) -> None:
    """Bring the database behind ``engine`` to the newest schema; once per engine.

    An empty database gets every table; one made before migrations existed (tables
    but no ``alembic_version``) keeps them and gets those it lacks (the first
    migration creates only missing tables); an older one is upgraded; one at the newest
    schema is only checked. On PostgreSQL an advisory lock makes concurrent dashboards
    migrate one at a time. Raises
    ``ConfigurationError`` when the database's schema is newer than this code knows.
    """
    with _migrated_guard:
        if engine in _migrated:
            return
        with engine.begin() as conn:
            if MigrationContext.configure(conn).get_current_revision() != _known_head():
                if conn.dialect.name == "postgresql":
                    lock = text("SELECT pg_advisory_xact_lock(:key)")
                    conn.execute(lock, {"key": _MIGRATION_LOCK_ID})
                _migrate(conn)
        _migrated.add(engine)


@functools.cache
def _known_head() -> str:
    """:func:`schema_head`, read from the migration files once per process: a database
    already there costs one query instead of loading every migration (0.1–0.2 s)."""
    return schema_head()


def schema_head() -> str:
    """The newest schema revision this code knows (the last migration's id)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return str(ScriptDirectory.from_config(config).get_current_head())


def _alembic_config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def _migrate(conn: Connection) -> None:
    config = _alembic_config(conn)
    scripts = ScriptDirectory.from_config(config)
    current = MigrationContext.configure(conn).get_current_revision()
    if current is not None:
        try:
            scripts.get_revision(current)
        except CommandError as err:
            raise ConfigurationError(
                f"The app database's schema ({current}) is newer than this dashboard knows "
                f"(newest: {scripts.get_current_head()}). Run the newer dashboard, or point "
                "DATABASE_URL at another database.",
                field="DATABASE_URL",
            ) from err
    command.upgrade(config, "head")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Insert ``values`` unless a row with the same unique key exists; True when inserted.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING <primary key>`` on SQLite and
    PostgreSQL: a row comes back only when it was inserted, which every driver
    reports reliably (a driver's rowcount for an ignored insert is not: psycopg 3
    says -1). Concurrent writers racing on the same key never raise.
    """
    statement = _ignoring_insert(conn.dialect.name, table)
    if statement is None:  # other databases: the unique constraint decides, in a savepoint
        try:
            with conn.begin_nested():
                conn.execute(table.insert(), values)
        except IntegrityError:
            return False
        return True
    # Values are bound at execution, so the compiled statement is cached once per table.
    return conn.execute(statement, values).first() is not None


@functools.cache
def _ignoring_insert(dialect: str, table: Table) -> Any:
    key = list(table.primary_key.columns)
    if dialect == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing().returning(*key)
    if dialect == "postgresql":
        return postgresql_insert(table).on_conflict_do_nothing().returning(*key)
    return None


_write_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


#: PostgreSQL's answers to a transaction it cancelled because another one conflicted
#: with it: deadlock detected, serialization failure. Running it again is the cure.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
CONFLICT_ATTEMPTS = 4


def retry_on_conflict(work: Callable[[], T]) -> T:
    """Run ``work`` (which opens and commits its own transaction) and return its
    result; when PostgreSQL cancels it for a conflict with another transaction
    (:data:`CONFLICT_SQLSTATES`: two writers taking the same rows in opposite orders),
    run it again after a short, growing pause, up to :data:`CONFLICT_ATTEMPTS` times
    in all. Any other error, or the last conflict, propagates. PostgreSQL's advice for
    these errors: https://www.postgresql.org/docs/current/mvcc-serialization-failure-handling.html
    """
    for attempt in range(1, CONFLICT_ATTEMPTS):
        try:
            return work()
        except DBAPIError as err:
            if getattr(err.orig, "sqlstate", None) not in CONFLICT_SQLSTATES:
                raise
            time.sleep(0.02 * attempt)
    return work()  # the last attempt: its conflict propagates


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
