"""Where event polling has read up to, and the webhook secrets of registered endpoints.

The poller's cursors (``event_poll_cursors``: the events cursor, where polling
started, one per test clock) and the signing secrets of the endpoints the dashboard
registered (``webhook_secrets``), each read or written in a transaction of its own.
Times are Unix seconds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select, update

from services.core.clock import naive_utc
from services.core.database import insert_ignore, write_transaction
from services.payments.tables import event_poll_cursors, webhook_secrets


def poll_cursor(engine: Engine, name: str) -> int | None:
    """The ``created`` time (Unix seconds) the poller read up to, or None."""
    with engine.connect() as conn:
        return conn.execute(
            select(event_poll_cursors.c.last_created).where(event_poll_cursors.c.name == name)
        ).scalar()


def poll_position(engine: Engine, name: str) -> tuple[str, int] | None:
    """The cursor's ``(last_event_id, last_created)`` (the id may be a marker), or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(event_poll_cursors.c.last_event_id, event_poll_cursors.c.last_created)
            .where(event_poll_cursors.c.name == name)
        ).first()
    return None if row is None else (str(row[0] or ""), int(row[1]))


def save_poll_cursor(
    engine: Engine, name: str, event_id: str, created: int, polled_at: datetime
) -> None:
    """Move the cursor forward to ``created`` (never back)."""
    values = {"last_event_id": event_id, "last_created": created, "polled_at": naive_utc(polled_at)}
    cursors = event_poll_cursors.c
    with write_transaction(engine) as conn:
        if not insert_ignore(conn, event_poll_cursors, {"name": name, **values}):
            conn.execute(
                update(event_poll_cursors)
                .where(cursors.name == name, cursors.last_created <= created)
                .values(**values)
            )


def kept_webhook_secret(engine: Engine, url: str) -> tuple[str, str] | None:
    """``(endpoint_id, secret)`` kept for the endpoint at ``url``, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(webhook_secrets.c.endpoint_id, webhook_secrets.c.secret).where(
                webhook_secrets.c.url == url
            )
        ).first()
    return (row.endpoint_id, row.secret) if row else None


def keep_webhook_secret(
    engine: Engine, url: str, endpoint_id: str, secret: str, created_at: datetime
) -> None:
    """Store (or replace) the signing secret of the endpoint at ``url``."""
    values = {"endpoint_id": endpoint_id, "secret": secret, "created_at": naive_utc(created_at)}
    with write_transaction(engine) as conn:
        if not insert_ignore(conn, webhook_secrets, {"url": url, **values}):
            conn.execute(
                update(webhook_secrets).where(webhook_secrets.c.url == url).values(**values)
            )
