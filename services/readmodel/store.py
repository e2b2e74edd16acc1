"""Every write to the read model's tables, and the sync bookkeeping.

The one rule: a copy of an object replaces the stored one only if it was read from
Stripe later (``version``: when the read started, microseconds since the epoch). So
events applied twice, out of order, or by two dashboard processes at once, a
backfill page read before an event, and a write's own answer all end with the
newest copy, whatever order they commit in. One statement decides it
(``INSERT … ON CONFLICT (id) DO UPDATE … WHERE stored.version < new.version
RETURNING id``) on SQLite and PostgreSQL alike, for one object or a whole listed page
at once (:func:`store_objects`: one statement per page, the rule row by row).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, case, delete, select, update
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
_ROWS_PER_STATEMENT = 100  # a listed page; ~40 bound values a row stays far under limits


def now_version() -> int:
    """A version for a read starting now (microseconds since the epoch)."""
    return time.time_ns() // 1000


def _json(obj: Mapping[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, default=str)


@dataclass(frozen=True)
class ObjectCopy:
    """One object as read from Stripe, to be stored: ``obj`` as Stripe sent it, read at
    ``version``; for invoices the complete ``lines`` when the embedded list was partial,
    the ``payments`` when known, and ``first_seen`` (order among same-second invoices)."""

    obj: Mapping[str, Any]
    version: int
    lines: Sequence[Mapping[str, Any]] | None = None
    payments: Sequence[Mapping[str, Any]] | None = None
    first_seen: int | None = None


def _upsert_newer(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert each of ``rows`` or replace the stored one if the row is newer; the ids
    written. ``rows`` share their keys and have distinct ids.

    One compiled statement per table and set of columns, run over all ``rows`` at once:
    SQLAlchemy sends them as one multi-row ``INSERT … VALUES … RETURNING`` (its
    "insertmanyvalues"), so a page costs one statement and no per-page compiling.
    """
    if not rows:
        return set()
    statement = _upsert_statement(conn.dialect.name, table, tuple(rows[0]))
    return {str(found) for found in conn.execute(statement, list(rows)).scalars()}


@functools.cache
def _upsert_statement(dialect: str, table: Table, names: tuple[str, ...]) -> Any:
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    values = insert(table)
    changes = {name: values.excluded[name] for name in names if name not in ("id", "first_seen")}
    return values.on_conflict_do_update(
        index_elements=["id"],
        set_=changes,
        where=table.c.version < values.excluded.version,
    ).returning(table.c.id)


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
    copy = ObjectCopy(obj, version, lines, payments, first_seen)
    return bool(store_objects(conn, kind, [copy]))


def store_objects(conn: Connection, kind: str, copies: Sequence[ObjectCopy]) -> set[str]:
    """Store many ``kind`` objects (e.g. one listed page) with one upsert statement per
    100, each unless a newer copy of it is stored (see :func:`store_object`); then the
    lines and payments of the invoices written, one delete and one insert each.

    An id given twice keeps its newest copy. Returns the ids whose copy was stored.
    """
    newest: dict[str, ObjectCopy] = {}
    for copy in copies:
        key = str(copy.obj["id"])
        if key not in newest or newest[key].version < copy.version:
            newest[key] = copy
    table = OBJECT_TABLES[kind]
    rows = []
    for copy in newest.values():
        row = {**ROWS[kind](copy.obj), "data": _json(copy.obj), "version": copy.version}
        if kind == "invoice":
            row["first_seen"] = copy.version if copy.first_seen is None else copy.first_seen
            if copy.lines is not None:
                row["lines_complete"] = True
        rows.append(row)
    written: set[str] = set()
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        written |= _upsert_newer(conn, table, rows[start:start + _ROWS_PER_STATEMENT])
    if kind == "invoice" and written:
        stored = [copy for key, copy in newest.items() if key in written]
        _replace_lines(conn, {str(c.obj["id"]): _lines_to_store(c) for c in stored})
        _replace_payments(conn, {str(c.obj["id"]): _payments_to_store(c) for c in stored})
    return written


def _lines_to_store(copy: ObjectCopy) -> Sequence[Mapping[str, Any]] | None:
    """The complete lines of an invoice copy, or None when only a part is known (a
    partial embedded list must not replace a full one)."""
    if copy.lines is not None:
        return copy.lines
    embedded = copy.obj.get("lines") or {}
    return None if embedded.get("has_more") else embedded.get("data")


def _payments_to_store(copy: ObjectCopy) -> Sequence[Mapping[str, Any]] | None:
    """An invoice copy's payments when known (given, or embedded by ``expand``)."""
    if copy.payments is not None:
        return copy.payments
    embedded = copy.obj.get("payments")
    return embedded.get("data") if isinstance(embedded, Mapping) else None


def mark_deleted(conn: Connection, kind: str, object_id: str, version: int) -> bool:
    """Record that ``object_id`` no longer exists in Stripe (unless a newer copy is stored)."""
    table = OBJECT_TABLES[kind]
    tombstone = {"id": object_id, "deleted": True}
    row: dict[str, Any] = {"id": object_id, "data": _json(tombstone), "version": version,
                           "deleted": True, "livemode": False}
    if table is invoices:
        row["created"] = 0
        row["first_seen"] = version
    written = bool(_upsert_newer(conn, table, [row]))
    if written and table is invoices:
        conn.execute(delete(invoice_lines).where(invoice_lines.c.invoice_id == object_id))
        conn.execute(delete(invoice_payments).where(invoice_payments.c.invoice_id == object_id))
    return written


def _replace_lines(
    conn: Connection, lines_of: Mapping[str, Sequence[Mapping[str, Any]] | None]
) -> None:
    """Replace the stored lines of each invoice in ``lines_of`` whose lines are known."""
    known = {invoice_id: lines for invoice_id, lines in lines_of.items() if lines is not None}
    if not known:
        return
    conn.execute(delete(invoice_lines).where(invoice_lines.c.invoice_id.in_(list(known))))
    rows = [
        {**line_row(invoice_id, position, line), "data": _json(line)}
        for invoice_id, lines in known.items()
        for position, line in enumerate(lines)
    ]
    if rows:
        conn.execute(invoice_lines.insert(), rows)


def _replace_payments(
    conn: Connection, payments_of: Mapping[str, Sequence[Mapping[str, Any]] | None]
) -> None:
    """Replace the stored payments of each invoice in ``payments_of`` whose are known."""
    known = {invoice_id: found for invoice_id, found in payments_of.items() if found is not None}
    if not known:
        return
    conn.execute(delete(invoice_payments).where(invoice_payments.c.invoice_id.in_(list(known))))
    rows = [{**payment_row(invoice_id, payment), "data": _json(payment)}
            for invoice_id, found in known.items() for payment in found]
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
    """Note that events up to ``created`` are applied (the cursor never moves back) and
    that events were applied now (``updated_at``, even when ``created`` is older)."""
    now = int(time.time())
    values = {"cursor": event_id, "position": created, "updated_at": now}
    if not insert_ignore(conn, sync_state, {"name": EVENTS_CURSOR, "listed": 0, "done": True,
                                            **values}):
        newer = sync_state.c.position.is_(None) | (sync_state.c.position <= created)
        conn.execute(
            update(sync_state)
            .where(sync_state.c.name == EVENTS_CURSOR)
            .values(cursor=case((newer, event_id), else_=sync_state.c.cursor),
                    position=case((newer, created), else_=sync_state.c.position),
                    updated_at=now)
        )
