"""Every SQL statement over the payment-events tables, in one place.

The pipeline (:mod:`~services.payments.events`, :mod:`~services.payments.handlers`,
:mod:`~services.payments.poller`, :mod:`~services.payments.registration`) and the
dashboard's read models call these functions; no other module of the payments
package writes SQL over these tables (the outbox owns its own table in
:mod:`~services.payments.outbox`; the poller's cursors and the registered endpoints'
secrets are in :mod:`~services.payments.cursors`). Functions taking a ``Connection`` run inside the
caller's transaction; functions taking an ``Engine`` open their own.

Read models are DataFrames: times are timezone-aware UTC; money stays in integer
minor units with its currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Row, case, select, update

from services.core.clock import naive_utc
from services.core.database import insert_ignore, write_transaction
from services.payments.tables import (
    FAILED,
    NEEDS_ATTENTION,
    PENDING,
    RECEIVED,
    invoice_payment_history,
    invoice_payment_states,
    payment_events,
)
from services.payments.tables import fulfilments as fulfilments_table


def _frame(engine: Engine, query: Any, columns: list[str], times: tuple[str, ...]) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(query)]
    frame = pd.DataFrame(rows, columns=columns)
    for column in times:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _text_or_none(frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """Unknown text in ``columns`` stays None: pandas makes it NaN, which is truthy and
    reads as "nan" (a link to ``?invoice=nan``, "Invoice nan")."""
    for column in columns:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)


def _epoch_to_utc(frame: pd.DataFrame, column: str) -> None:
    frame[column] = pd.to_datetime(frame[column].astype("Int64"), unit="s", utc=True)


def activity(engine: Engine, limit: int = 200) -> pd.DataFrame:
    """Events received, newest first, with the handling outcome and what was done."""
    e = payment_events.c
    query = (
        select(
            e.received_at,
            e.event_id,
            e.event_type,
            e.object_id,
            e.invoice_id,
            e.source,
            e.event_created,
            e.outcome,
            e.summary,
            e.error,
            e.handled_at,
        )
        .order_by(e.id.desc())
        .limit(limit)
    )
    columns = [
        "received_at",
        "event_id",
        "event_type",
        "object_id",
        "invoice_id",
        "source",
        "occurred_at",
        "outcome",
        "summary",
        "error",
        "handled_at",
    ]
    frame = _frame(engine, query, columns, ("received_at", "handled_at"))
    _epoch_to_utc(frame, "occurred_at")
    _text_or_none(frame, ("object_id", "invoice_id", "summary", "error"))
    return frame


def todo(engine: Engine) -> pd.DataFrame:
    """Invoices whose payment needs someone: failed ones first, then pending debits.

    ``action`` is ``"resend payment link"`` for a failed payment and empty for a
    pending one (nothing to do but wait for the bank).
    """
    s = invoice_payment_states.c
    urgency = case((s.state == NEEDS_ATTENTION, 0), else_=1)
    query = (
        select(
            s.invoice_id,
            s.invoice_number,
            s.customer_id,
            s.customer_email,
            s.state,
            s.detail,
            s.amount_due,
            s.currency,
            s.hosted_invoice_url,
            s.fact_at,
        )
        .where(s.state.in_((NEEDS_ATTENTION, PENDING)))
        .order_by(urgency, s.fact_at.desc())
    )
    columns = [
        "invoice_id",
        "number",
        "customer_id",
        "email",
        "state",
        "detail",
        "amount_due",
        "currency",
        "hosted_invoice_url",
        "since",
    ]
    frame = _frame(engine, query, columns, ())
    _epoch_to_utc(frame, "since")
    frame["amount_due"] = frame["amount_due"].astype("Int64")
    _text_or_none(frame, ("number", "customer_id", "email", "detail", "hosted_invoice_url"))
    frame["action"] = [
        "resend payment link" if state == NEEDS_ATTENTION else "" for state in frame["state"]
    ]
    return frame


def fulfilments(engine: Engine, limit: int = 500) -> pd.DataFrame:
    """The sales log, newest payment first."""
    f = fulfilments_table.c
    query = (
        select(
            f.invoice_id,
            f.invoice_number,
            f.customer_id,
            f.customer_email,
            f.amount_paid,
            f.currency,
            f.paid_at,
            f.paid_how,
            f.event_id,
            f.recorded_at,
        )
        .order_by(f.paid_at.desc(), f.recorded_at.desc())
        .limit(limit)
    )
    columns = [
        "invoice_id",
        "number",
        "customer_id",
        "email",
        "amount_paid",
        "currency",
        "paid_at",
        "paid_how",
        "event_id",
        "recorded_at",
    ]
    frame = _frame(engine, query, columns, ("paid_at", "recorded_at"))
    frame["amount_paid"] = frame["amount_paid"].astype("Int64")
    return frame


def history(engine: Engine, invoice_id: str) -> pd.DataFrame:
    """What happened to one invoice's payment, oldest first."""
    h = invoice_payment_history.c
    query = (
        select(h.occurred_at, h.event_type, h.event_id, h.note, h.recorded_at)
        .where(h.invoice_id == invoice_id)
        .order_by(h.occurred_at, h.id)
    )
    frame = _frame(
        engine,
        query,
        ["occurred_at", "event_type", "event_id", "note", "recorded_at"],
        ("recorded_at",),
    )
    _epoch_to_utc(frame, "occurred_at")
    return frame


def state_row(engine: Engine, invoice_id: str) -> Row[Any] | None:
    """The invoice's payment state row, or None when no event named it."""
    with engine.connect() as conn:
        return conn.execute(
            select(invoice_payment_states).where(invoice_payment_states.c.invoice_id == invoice_id)
        ).first()


def note_resend(conn: Connection, invoice_id: str, username: str, now: datetime) -> None:
    """Record on the invoice history that a person resent the payment link."""
    add_history_note(
        conn,
        invoice_id=invoice_id,
        event_id=None,
        event_type="payment_link.resent",
        occurred_at=int(now.timestamp()),
        note=f"Payment link resent by {username}",
        recorded_at=now,
    )


def event_row(engine: Engine, event_id: str) -> Row[Any] | None:
    """The recorded event, or None."""
    with engine.connect() as conn:
        return conn.execute(
            select(payment_events).where(payment_events.c.event_id == event_id)
        ).first()


# -- payment_events: recording, claiming, finishing ---------------------------------------


def record_event(conn: Connection, values: dict[str, Any]) -> bool:
    """Insert one received event unless its id is known; True when it is new."""
    return insert_ignore(conn, payment_events, values)


def claim_event(conn: Connection, event_id: str, outcome: str) -> bool:
    """Move a ``received`` event to ``outcome``; True for the one caller that did it."""
    events = payment_events.c
    claimed = conn.execute(
        update(payment_events)
        .where(events.event_id == event_id, events.outcome == RECEIVED)
        .values(outcome=outcome)
    ).rowcount
    return claimed == 1


def finish_event(
    conn: Connection,
    event_id: str,
    *,
    outcome: str,
    summary: str,
    invoice_id: str | None,
    handled_at: datetime,
) -> None:
    """Store what handling the event did."""
    conn.execute(
        update(payment_events)
        .where(payment_events.c.event_id == event_id)
        .values(
            outcome=outcome,
            summary=summary,
            invoice_id=invoice_id,
            handled_at=naive_utc(handled_at),
        )
    )


def fail_event(engine: Engine, event_id: str, error: str, handled_at: datetime) -> None:
    """Mark a still-``received`` event as failed, keeping the reason."""
    events = payment_events.c
    with write_transaction(engine) as conn:
        conn.execute(
            update(payment_events)
            .where(events.event_id == event_id, events.outcome == RECEIVED)
            .values(outcome=FAILED, error=error, handled_at=naive_utc(handled_at))
        )


def reopen_failed_event(engine: Engine, event_id: str) -> bool:
    """Put a failed event back to ``received``; False when it had not failed."""
    events = payment_events.c
    with write_transaction(engine) as conn:
        changed = conn.execute(
            update(payment_events)
            .where(events.event_id == event_id, events.outcome == FAILED)
            .values(outcome=RECEIVED, error=None)
        ).rowcount
    return changed == 1


def received_at(engine: Engine, event_id: str) -> datetime | None:
    """When the event was recorded (naive UTC, as stored), or None."""
    with engine.connect() as conn:
        return conn.execute(
            select(payment_events.c.received_at).where(payment_events.c.event_id == event_id)
        ).scalar()


def unhandled_event_ids(engine: Engine, limit: int) -> list[str]:
    """Ids of events still ``received``, oldest first."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(payment_events.c.event_id)
                .where(payment_events.c.outcome == RECEIVED)
                .order_by(payment_events.c.id)
                .limit(limit)
            ).scalars()
        )


def recorded_event_ids(engine: Engine, event_ids: Iterable[str]) -> set[str]:
    """Which of ``event_ids`` are recorded already (asked 500 at a time)."""
    wanted = list(event_ids)
    known: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            known.update(
                conn.execute(
                    select(payment_events.c.event_id).where(payment_events.c.event_id.in_(chunk))
                ).scalars()
            )
    return known


# -- invoice payment state, history and the sales log --------------------------------------


def payment_state(conn: Connection, invoice_id: str) -> Row[Any] | None:
    """The invoice's payment state row (inside a transaction), or None."""
    return conn.execute(
        select(invoice_payment_states).where(invoice_payment_states.c.invoice_id == invoice_id)
    ).first()


def insert_payment_state(conn: Connection, values: dict[str, Any]) -> bool:
    """Insert the first payment state of an invoice; False when it has one already."""
    return insert_ignore(conn, invoice_payment_states, values)


def update_payment_state(conn: Connection, invoice_id: str, changes: dict[str, Any]) -> None:
    """Overwrite columns of the invoice's payment state row."""
    conn.execute(
        update(invoice_payment_states)
        .where(invoice_payment_states.c.invoice_id == invoice_id)
        .values(**changes)
    )


def history_event_types(conn: Connection, invoice_id: str) -> list[str]:
    """The event types on the invoice's payment history, oldest first."""
    history = invoice_payment_history.c
    return list(
        conn.execute(
            select(history.event_type)
            .where(history.invoice_id == invoice_id)
            .order_by(history.occurred_at, history.id)
        ).scalars()
    )


def add_history_note(
    conn: Connection,
    *,
    invoice_id: str,
    event_id: str | None,
    event_type: str | None,
    occurred_at: int | None,
    note: str,
    recorded_at: datetime,
) -> None:
    """Add one line to the invoice's payment history (``occurred_at`` in Unix seconds)."""
    conn.execute(
        invoice_payment_history.insert(),
        {
            "invoice_id": invoice_id,
            "event_id": event_id,
            "event_type": event_type,
            "occurred_at": occurred_at,
            "note": note,
            "recorded_at": naive_utc(recorded_at),
        },
    )


def record_sale(conn: Connection, values: dict[str, Any]) -> bool:
    """Add the invoice to the sales log unless it is there; True when added."""
    return insert_ignore(conn, fulfilments_table, values)


def set_paid_how(
    conn: Connection, invoice_id: str, paid_how: str, *, only_if: str | None = None
) -> None:
    """Say how the invoice in the sales log was paid (only where it was ``only_if``)."""
    sales = fulfilments_table.c
    condition = sales.invoice_id == invoice_id
    if only_if is not None:
        condition = condition & (sales.paid_how == only_if)
    conn.execute(update(fulfilments_table).where(condition).values(paid_how=paid_how))
