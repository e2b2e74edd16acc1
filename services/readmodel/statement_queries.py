"""What a customer statement is made of, read from the read model in SQL.

:func:`finalized_invoices` gives one customer's finalized invoices (drafts never owe
anything) with the times of their status transitions; the payments come from
``services.readmodel.payment_queries``. Times are Unix seconds (UTC) as Stripe gives
them; amounts integer minor units. Works on SQLite and PostgreSQL; no Stripe request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, func, select

from services.readmodel.tables import credit_notes, customers, invoices


@dataclass(frozen=True)
class FinalizedInvoice:
    """One finalized invoice as a statement needs it (Stripe's invoice object fields)."""

    invoice_id: str
    number: str | None
    status: str
    currency: str
    amount_due: int
    amount_remaining: int
    finalized_at: int
    due_date: int | None
    voided_at: int | None
    marked_uncollectible_at: int | None
    #: credit notes issued before payment (already taken off ``amount_due`` by Stripe)
    pre_payment_credit_notes_amount: int = 0
    #: paid beyond what was due (Stripe credits it to the customer's balance) and when
    amount_overpaid: int = 0
    paid_at: int | None = None


def finalized_invoices(engine: Engine, customer_id: str, *, until: int) -> list[FinalizedInvoice]:
    """``customer_id``'s invoices finalized before ``until`` (Unix seconds), oldest first."""
    statement = (
        select(invoices.c.id, invoices.c.number, invoices.c.status, invoices.c.currency,
               invoices.c.amount_due, invoices.c.amount_remaining, invoices.c.finalized_at,
               invoices.c.due_date, invoices.c.voided_at, invoices.c.marked_uncollectible_at,
               invoices.c.paid_at, invoices.c.data)
        .where(and_(invoices.c.customer_id == customer_id, invoices.c.deleted.is_(False),
                    invoices.c.finalized_at.is_not(None), invoices.c.finalized_at < until,
                    invoices.c.status != "draft"))
        .order_by(invoices.c.finalized_at, invoices.c.id)
    )  # fmt: skip
    with engine.connect() as conn:
        return [_finalized(row) for row in conn.execute(statement)]


def _finalized(row: Any) -> FinalizedInvoice:
    data = json.loads(row.data)
    return FinalizedInvoice(
        str(row.id), row.number, str(row.status), str(row.currency or "usd"),
        int(row.amount_due or 0), int(row.amount_remaining or 0), int(row.finalized_at),
        row.due_date, row.voided_at, row.marked_uncollectible_at,
        int(data.get("pre_payment_credit_notes_amount") or 0),
        int(data.get("amount_overpaid") or 0), row.paid_at,
    )


def customer_label(engine: Engine, customer_id: str) -> tuple[str | None, str | None] | None:
    """(name, email) of a stored, not deleted customer; None when there is none."""
    with engine.connect() as conn:
        row = conn.execute(
            select(customers.c.name, customers.c.email).where(
                customers.c.id == customer_id, customers.c.deleted.is_(False)
            )
        ).first()
    return None if row is None else (row.name, row.email)


def due_dates(engine: Engine, invoice_ids: list[str]) -> dict[str, int]:
    """The due date (Unix seconds) of each of ``invoice_ids`` that has one."""
    if not invoice_ids:
        return {}
    statement = select(invoices.c.id, invoices.c.due_date).where(
        invoices.c.id.in_(invoice_ids), invoices.c.due_date.is_not(None)
    )
    with engine.connect() as conn:
        return {str(row.id): int(row.due_date) for row in conn.execute(statement)}


@dataclass(frozen=True)
class StoredCreditNote:
    """One credit note as a statement needs it (Stripe's credit note object fields)."""

    credit_note_id: str
    number: str | None
    invoice_id: str | None
    invoice_number: str | None
    currency: str
    reason: str | None
    pre_payment_amount: int
    post_payment_amount: int
    effective_at: int
    voided_at: int | None
    data: Mapping[str, Any] = field(repr=False)


def customer_credit_notes(
    engine: Engine, customer_id: str, *, until: int
) -> list[StoredCreditNote]:
    """``customer_id``'s credit notes that took effect before ``until``, oldest first."""
    effective = func.coalesce(credit_notes.c.effective_at, credit_notes.c.created)
    statement = (
        select(credit_notes.c.id, credit_notes.c.number, credit_notes.c.invoice_id,
               invoices.c.number.label("invoice_number"), credit_notes.c.currency,
               credit_notes.c.reason, credit_notes.c.pre_payment_amount,
               credit_notes.c.post_payment_amount, effective.label("effective"),
               credit_notes.c.voided_at, credit_notes.c.data)
        .select_from(credit_notes.outerjoin(invoices, invoices.c.id == credit_notes.c.invoice_id))
        .where(and_(credit_notes.c.customer_id == customer_id,
                    credit_notes.c.deleted.is_(False), effective < until))
        .order_by(effective, credit_notes.c.id)
    )  # fmt: skip
    with engine.connect() as conn:
        return [
            StoredCreditNote(
                str(row.id), row.number, row.invoice_id, row.invoice_number,
                str(row.currency or "usd"), row.reason, int(row.pre_payment_amount or 0),
                int(row.post_payment_amount or 0), int(row.effective), row.voided_at,
                json.loads(row.data),
            )
            for row in conn.execute(statement)
        ]
