"""Invoice payments for the views, read from the read model in SQL: who paid what, when.

One row per paid invoice payment (``rm_invoice_payments``, Stripe's InvoicePayment:
https://docs.stripe.com/api/invoice-payment/object) joined to its invoice
(``rm_invoices``) for the number and customer. A partial payment is a row of its
own, so an invoice paid 300 + 700 gives two rows with their own dates. The date
money came in is the payment's ``status_transitions.paid_at`` (its ``created``
when Stripe gives no paid time). Amounts are integer minor units of the payment's
currency; times are aware UTC timestamps. Works on SQLite and PostgreSQL; no
Stripe request is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import JSON, ColumnElement, Engine, and_, cast, func, select, type_coerce

from services.readmodel.tables import invoice_payments, invoices

PAID = "paid"
PAYMENT_COLUMNS = [
    "payment_id", "invoice_id", "number", "customer_id", "customer", "email", "currency",
    "amount", "received_at", "method", "payment_intent", "payment_record",
]  # fmt: skip
#: What the money came through, from the InvoicePayment's ``payment.type``.
METHODS = {
    "payment_intent": "Paid through Stripe",
    "charge": "Paid through Stripe",
    "payment_record": "Recorded outside Stripe",
    "out_of_band": "Recorded outside Stripe",
}

# When the money came in: the paid time, or the created time when Stripe gives none.
_received = func.coalesce(invoice_payments.c.paid_at, invoice_payments.c.created)


@dataclass(frozen=True)
class PaymentQuery:
    """Which paid payments: received in ``[start, end)`` (Unix seconds, e.g. the business
    zone's day starts from :func:`services.core.business_days.day_range`; either open),
    of one currency and/or customer when given."""

    start: int | None = None
    end: int | None = None
    currency: str | None = None
    customer_id: str | None = None


def _conditions(query: PaymentQuery) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [
        invoice_payments.c.status == PAID,
        invoices.c.deleted.is_(False),
    ]
    if query.start is not None:
        found.append(_received >= query.start)
    if query.end is not None:
        found.append(_received < query.end)
    if query.currency:
        found.append(invoice_payments.c.currency == query.currency.lower())
    if query.customer_id:
        found.append(invoices.c.customer_id == query.customer_id)
    return found


def _joined() -> Any:
    return invoice_payments.join(invoices, invoices.c.id == invoice_payments.c.invoice_id)


def _from_json(dialect: str) -> list[Any]:
    """The payment's references and recorded method, read from its JSON in SQL (parsing
    every document in Python took half the time of a year's report): the payment intent,
    the payment record (an id, or the expanded object), the record's id when expanded and
    the method's display name. SQLite reads the text column as JSON as it is; PostgreSQL
    casts it."""
    document: Any = (cast(invoice_payments.c.data, JSON) if dialect == "postgresql"
                     else type_coerce(invoice_payments.c.data, JSON))
    paths = [("payment", "payment_intent"), ("payment", "payment_record"),
             ("payment", "payment_record", "id"),
             ("payment", "payment_record", "payment_method_details", "custom", "display_name")]
    return [document[path].as_string() for path in paths]


def payments_received(engine: Engine, query: PaymentQuery) -> pd.DataFrame:
    """Paid payments matching ``query``, oldest first (``PAYMENT_COLUMNS``)."""
    statement = (
        select(
            invoice_payments.c.id, invoice_payments.c.invoice_id, invoices.c.number,
            invoices.c.customer_id, invoices.c.customer_name, invoices.c.customer_email,
            invoice_payments.c.currency, invoice_payments.c.amount_paid, _received,
            invoice_payments.c.payment_type, *_from_json(engine.dialect.name),
        )
        .select_from(_joined())
        .where(and_(*_conditions(query)))
        .order_by(_received, invoice_payments.c.id)
    )  # fmt: skip
    with engine.connect() as conn:
        rows = [_row(tuple(row)) for row in conn.execute(statement)]
    frame = pd.DataFrame(rows, columns=PAYMENT_COLUMNS)
    frame["amount"] = frame["amount"].astype("int64")
    frame["received_at"] = pd.to_datetime(frame["received_at"].astype("Int64"), unit="s", utc=True)
    return frame


def received_totals(engine: Engine, query: PaymentQuery) -> dict[str, tuple[int, int]]:
    """Per currency: (amount received in minor units, number of payments), in SQL."""
    statement = (
        select(invoice_payments.c.currency, func.sum(invoice_payments.c.amount_paid),
               func.count())
        .select_from(_joined())
        .where(and_(*_conditions(query)))
        .group_by(invoice_payments.c.currency)
    )
    with engine.connect() as conn:
        return {str(currency): (int(amount or 0), int(count))
                for currency, amount, count in conn.execute(statement)}


def _row(row: tuple[Any, ...]) -> list[Any]:
    (payment_id, invoice_id, number, customer_id, name, email, currency, amount, received,
     payment_type, intent, record, record_id, display_name) = row
    method = display_name or METHODS.get(str(payment_type), str(payment_type or "unknown"))
    return [
        payment_id, invoice_id, number, customer_id, name, email, currency, int(amount or 0),
        received, method, intent, record_id or record,
    ]
