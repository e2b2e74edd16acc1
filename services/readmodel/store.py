"""Every write to the read model's tables, and the sync bookkeeping.

The one rule: a copy of an object replaces the stored one only if it was read from
Stripe later (``version``: when the read started, microseconds since the epoch). So
events applied twice, out of order, or by two dashboard processes at once, a
backfill page read before an event, and a write's own answer all end with the
newest copy, whatever order they commit in. One statement decides it
(``INSERT … ON CONFLICT (id) DO UPDATE … WHERE stored.version < new.version
RETURNING id``) on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.core.database import insert_ignore, write_transaction
from services.readmodel.columns import ROWS, line_row, payment_row
from services.readmodel.tables import (
    OBJECT_TABLES,
    invoice_lines,
    invoice_payments,
    invoices,
    sync_state,
)

EVENTS_CURSOR = "events"


def now_version() -> int:
    """A version for a read starting now (microseconds since the epoch)."""
    return time.time_ns() // 1000


def _json(obj: Mapping[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, default=str)


def _upsert_newer(conn: Connection, table: Table, row: dict[str, Any]) -> bool:
    """Insert ``row`` or replace the stored one if ``row`` is newer; True when written."""
    insert = sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert
    values = insert(table).values(row)
    changes = {name: values.excluded[name] for name in row if name not in ("id", "first_seen")}
    statement = values.on_conflict_do_update(
        index_elements=["id"],
        set_=changes,
        where=table.c.version < values.excluded.version,
    ).returning(table.c.id)
    return conn.execute(statement).first() is not None


def store_object(
    conn: Connection,
    kind: str,
    obj: Mapping[str, Any],
    version: int,
    *,
    lines: Sequence[Mapping[str, Any]] | None = None,
    payments: Sequence[Mapping[str, Any]] | None = None,
    first_seen: int | None = None,
) -> bool:
    """Store ``obj`` (a ``kind`` object as Stripe sent it) unless a newer copy is stored.

    For invoices, ``lines`` is the complete line list when the embedded one was
    partial (else the embedded lines are stored), and ``payments`` the invoice's
    payments when known (else those embedded by ``expand[]=payments``, if any).
    Returns whether this copy was stored.
    """
    table = OBJECT_TABLES[kind]
    row = {**ROWS[kind](obj), "data": _json(obj), "version": version}
    embedded = obj.get("lines") or {}
    if kind == "invoice":
        row["first_seen"] = version if first_seen is None else first_seen
        if lines is not None:
            row["lines_complete"] = True
    if not _upsert_newer(conn, table, row):
        return False
    if kind == "invoice":
        if lines is not None:
            _replace_lines(conn, str(obj["id"]), lines)
        elif not embedded.get("has_more"):  # a partial list must not replace a full one
            _replace_lines(conn, str(obj["id"]), embedded.get("data"))
        known = payments
        if known is None and isinstance(obj.get("payments"), Mapping):
            known = obj["payments"].get("data")
        if known is not None:
            _replace_payments(conn, str(obj["id"]), known)
    return True


def mark_deleted(conn: Connection, kind: str, object_id: str, version: int) -> bool:
    """Record that ``object_id`` no longer exists in Stripe (unless a newer copy is stored)."""
    table = OBJECT_TABLES[kind]
    tombstone = {"id": object_id, "deleted": True}
    row: dict[str, Any] = {"id": object_id, "data": _json(tombstone), "version": version,
                           "deleted": True, "livemode": False}
    if table is invoices:
        row["created"] = 0
        row["first_seen"] = version
    written = _upsert_newer(conn, table, row)
    if written and table is invoices:
        conn.execute(delete(invoice_lines).where(invoice_lines.c.invoice_id == object_id))
        conn.execute(delete(invoice_payments).where(invoice_payments.c.invoice_id == object_id))
    return written


def _replace_lines(
    conn: Connection, invoice_id: str, lines: Sequence[Mapping[str, Any]] | None
) -> None:
    if lines is None:
        return
    conn.execute(delete(invoice_lines).where(invoice_lines.c.invoice_id == invoice_id))
    rows = [
        {**line_row(invoice_id, position, line), "data": _json(line)}
        for position, line in enumerate(lines)
    ]
    if rows:
        conn.execute(invoice_lines.insert(), rows)


def _replace_payments(
    conn: Connection, invoice_id: str, payments: Sequence[Mapping[str, Any]]
) -> None:
    conn.execute(delete(invoice_payments).where(invoice_payments.c.invoice_id == invoice_id))
    rows = [{**payment_row(invoice_id, payment), "data": _json(payment)} for payment in payments]
    if rows:
        conn.execute(invoice_payments.insert(), rows)


def stored_version(engine: Engine, kind: str, object_id: str) -> int | None:
    """The version of the stored copy of ``object_id``, or None."""
    table = OBJECT_TABLES[kind]
    with engine.connect() as conn:
        return conn.execute(select(table.c.version).where(table.c.id == object_id)).scalar()


def draft_ids_of(engine: Engine, customer_id: str, limit: int) -> list[str]:
    """Ids of ``customer_id``'s stored draft invoices, newest first (at most ``limit``)."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(invoices.c.id)
                .where(invoices.c.customer_id == customer_id, invoices.c.status == "draft",
                       invoices.c.deleted.is_(False))
                .order_by(invoices.c.created.desc())
                .limit(limit)
            ).scalars()
        )


# -- sync bookkeeping ----------------------------------------------------------------------


def sync_row(engine: Engine, name: str) -> Mapping[str, Any] | None:
    """The bookkeeping row ``name`` (an object kind, or ``"events"``), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(sync_state).where(sync_state.c.name == name)).first()
    return None if row is None else dict(row._mapping)


def all_sync_rows(engine: Engine) -> list[Mapping[str, Any]]:
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(sync_state))]


def save_sync_row(engine: Engine, name: str, **values: Any) -> None:
    """Create or change the bookkeeping row ``name``."""
    values = {**values, "updated_at": int(time.time())}
    with write_transaction(engine) as conn:
        if not insert_ignore(conn, sync_state, {"name": name, "listed": 0, "done": False,
                                                **values}):
            conn.execute(update(sync_state).where(sync_state.c.name == name).values(**values))


def advance_events_cursor(conn: Connection, event_id: str, created: int) -> None:
    """Note that events up to ``created`` are applied (the cursor never moves back)."""
    values = {"cursor": event_id, "position": created, "updated_at": int(time.time())}
    if not insert_ignore(conn, sync_state, {"name": EVENTS_CURSOR, "listed": 0, "done": True,
                                            **values}):
        conn.execute(
            update(sync_state)
            .where(sync_state.c.name == EVENTS_CURSOR,
                   (sync_state.c.position.is_(None)) | (sync_state.c.position <= created))
            .values(**values)
        )
