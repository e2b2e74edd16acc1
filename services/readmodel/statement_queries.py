"""What a customer statement is made of, read from the read model in SQL.

:func:`finalized_invoices` gives one customer's finalized invoices (drafts never owe
anything) with the times of their status transitions; the payments come from
``services.readmodel.payment_queries``. Only the fields a statement needs are read: the
indexed columns, and the two amounts that have no column taken out of the stored JSON
by the database (parsing each invoice's whole document in Python was most of the time
of a statement of a customer with thousands of invoices). Times are Unix seconds (UTC)
as Stripe gives them; amounts integer minor units. Works on SQLite and PostgreSQL; no
Stripe request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import JSON, Engine, and_, cast, func, select, type_coerce

from services.readmodel.tables import credit_notes, customers, invoices


class FinalizedInvoice(NamedTuple):
    """One finalized invoice as a statement needs it (Stripe's invoice object fields).
    A named tuple: a statement makes one per invoice of a customer's whole history."""

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


def _invoice_field(engine: Engine, name: str) -> Any:
    """The top-level field ``name`` of the invoice's stored JSON as text, read in SQL
    (SQLite reads the text column as JSON as it is; PostgreSQL casts it)."""
    document: Any = (cast(invoices.c.data, JSON) if engine.dialect.name == "postgresql"
                     else type_coerce(invoices.c.data, JSON))
    return document[name].as_string()


def finalized_invoices(engine: Engine, customer_id: str, *, until: int) -> list[FinalizedInvoice]:
    """``customer_id``'s invoices finalized before ``until`` (Unix seconds), oldest first."""
    statement = (
        select(invoices.c.id, invoices.c.number, invoices.c.status, invoices.c.currency,
               invoices.c.amount_due, invoices.c.amount_remaining, invoices.c.finalized_at,
               invoices.c.due_date, invoices.c.voided_at, invoices.c.marked_uncollectible_at,
               invoices.c.paid_at,
               _invoice_field(engine, "pre_payment_credit_notes_amount").label("pre_payment"),
               _invoice_field(engine, "amount_overpaid").label("overpaid"))
        .where(and_(invoices.c.customer_id == customer_id, invoices.c.deleted.is_(False),
                    invoices.c.finalized_at.is_not(None), invoices.c.finalized_at < until,
                    invoices.c.status != "draft"))
        .order_by(invoices.c.finalized_at, invoices.c.id)
    )  # fmt: skip
    with engine.connect() as conn:
        return [_finalized(row) for row in conn.execute(statement)]


def _whole(text: str | None) -> int:
    """An integer amount read from JSON as text (``None`` or JSON ``null``: 0)."""
    return int(text) if text and text != "null" else 0


def _finalized(row: Any) -> FinalizedInvoice:
    (invoice_id, number, status, currency, amount_due, amount_remaining, finalized_at,
     due_date, voided_at, marked_uncollectible_at, paid_at, pre_payment, overpaid) = row
    return FinalizedInvoice(
        str(invoice_id), number, str(status), str(currency or "usd"), int(amount_due or 0),
        int(amount_remaining or 0), int(finalized_at), due_date, voided_at,
        marked_uncollectible_at, _whole(pre_payment), _whole(overpaid), paid_at,
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
