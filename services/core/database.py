"""The app's own SQL database (audit trail, processed events, fulfilment, outbox).

One SQLAlchemy ``MetaData`` holds every table; each service module declares its
tables on :data:`metadata`. SQLite files get WAL mode and a busy timeout so the
dashboard, the webhook endpoint and the poller can write at the same time; any
other SQLAlchemy URL (PostgreSQL) works unchanged.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url

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


def _tune_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
