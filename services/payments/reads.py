"""Read models of the payment-events tables, as DataFrames for the dashboard.

Times are timezone-aware UTC; money stays in integer minor units with its currency.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Row, case, select

from services.payments.handlers import NEEDS_ATTENTION, PENDING
from services.payments.outbox import naive_utc
from services.payments.tables import (
    fulfilments as fulfilments_table,
)
from services.payments.tables import (
    invoice_payment_history,
    invoice_payment_states,
    payment_events,
)


def _frame(engine: Engine, query: Any, columns: list[str], times: tuple[str, ...]) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(query)]
    frame = pd.DataFrame(rows, columns=columns)
    for column in times:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


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
    for text in ("number", "customer_id", "email", "detail", "hosted_invoice_url"):
        # unknown text stays None (pandas would make it NaN, which reads as "nan")
        frame[text] = frame[text].astype(object).where(frame[text].notna(), None)
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
    conn.execute(
        invoice_payment_history.insert(),
        {
            "invoice_id": invoice_id,
            "event_id": None,
            "event_type": "payment_link.resent",
            "occurred_at": int(now.timestamp()),
            "note": f"Payment link resent by {username}",
            "recorded_at": naive_utc(now),
        },
    )


def event_row(engine: Engine, event_id: str) -> Row[Any] | None:
    """The recorded event, or None."""
    with engine.connect() as conn:
        return conn.execute(
            select(payment_events).where(payment_events.c.event_id == event_id)
        ).first()
