"""What a customer statement is made of, read from the read model in SQL.

:func:`finalized_invoices` gives one customer's finalized invoices (drafts never owe
anything) with the times of their status transitions; the payments come from
``services.readmodel.payment_queries``. Times are Unix seconds (UTC) as Stripe gives
them; amounts integer minor units. Works on SQLite and PostgreSQL; no Stripe request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Engine, and_, select

from services.readmodel.tables import customers, invoices


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


def finalized_invoices(engine: Engine, customer_id: str, *, until: int) -> list[FinalizedInvoice]:
    """``customer_id``'s invoices finalized before ``until`` (Unix seconds), oldest first."""
    statement = (
        select(invoices.c.id, invoices.c.number, invoices.c.status, invoices.c.currency,
               invoices.c.amount_due, invoices.c.amount_remaining, invoices.c.finalized_at,
               invoices.c.due_date, invoices.c.voided_at, invoices.c.marked_uncollectible_at,
               invoices.c.data)
        .where(and_(invoices.c.customer_id == customer_id, invoices.c.deleted.is_(False),
                    invoices.c.finalized_at.is_not(None), invoices.c.finalized_at < until,
                    invoices.c.status != "draft"))
        .order_by(invoices.c.finalized_at, invoices.c.id)
    )  # fmt: skip
    with engine.connect() as conn:
        return [
            FinalizedInvoice(
                str(row.id), row.number, str(row.status), str(row.currency or "usd"),
                int(row.amount_due or 0), int(row.amount_remaining or 0), int(row.finalized_at),
                row.due_date, row.voided_at, row.marked_uncollectible_at,
                int(json.loads(row.data).get("pre_payment_credit_notes_amount") or 0),
            )
            for row in conn.execute(statement)
        ]


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
