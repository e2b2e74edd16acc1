"""Money received, read from the read model in SQL: who paid what, when. The one
definition every "money in" figure uses (Cash received, the customer statement and the
Overview's Collected KPI).

A receipt is either

- a paid invoice payment (``rm_invoice_payments``, Stripe's InvoicePayment:
  https://docs.stripe.com/api/invoice-payment/object) joined to its invoice
  (``rm_invoices``) for the number and customer. A partial payment is a row of its
  own, so an invoice paid 300 + 700 gives two rows with their own dates. The money
  came in at the payment's ``status_transitions.paid_at`` (its ``created`` when Stripe
  gives no paid time); or
- what an invoice's ``amount_paid`` holds beyond its listed paid payments: money
  marked paid outside Stripe (``invoices.pay(paid_out_of_band=true)`` lists no
  InvoicePayment, yet since API 2025-03-31.basil ``amount_paid`` counts it:
  https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices).
  It is one receipt of the difference at the invoice's ``status_transitions.paid_at``,
  method :data:`OUTSIDE_STRIPE`. Stripe has no payment object for it: its ``payment_id``
  is the invoice id, a key that keeps each receipt countable, not a payment a user could
  look up (:func:`without_payment` tells these rows; screens show no payment id for them).
  An invoice with no paid time (still open) has no such receipt: Stripe lists
  every part payment of an open invoice, so a gap there is a read model not yet synced,
  and no date could honestly be given to it.

Amounts are integer minor units of the payment's currency; times are aware UTC
timestamps. Works on SQLite and PostgreSQL; no Stripe request is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    ColumnElement,
    Engine,
    cast,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)

from services.readmodel.tables import invoice_payments, invoices

PAID = "paid"
PAYMENT_COLUMNS = [
    "payment_id", "invoice_id", "number", "customer_id", "customer", "email", "currency",
    "amount", "received_at", "method", "payment_intent", "payment_record",
]  # fmt: skip
#: The method of money an invoice's ``amount_paid`` holds beyond its listed payments.
OUTSIDE_STRIPE = "Marked paid outside Stripe"
#: ``payment_type`` of those receipts (not a Stripe value: Stripe lists no payment).
PAID_OUT_OF_BAND = "paid_out_of_band"
#: What the money came through, from the InvoicePayment's ``payment.type``.
METHODS = {
    "payment_intent": "Paid through Stripe",
    "charge": "Paid through Stripe",
    "payment_record": "Recorded outside Stripe",
    "out_of_band": "Recorded outside Stripe",
    PAID_OUT_OF_BAND: OUTSIDE_STRIPE,
}

# When the money came in: the paid time, or the created time when Stripe gives none.
_received = func.coalesce(invoice_payments.c.paid_at, invoice_payments.c.created)
_marked_paid = invoices.c.paid_at


@dataclass(frozen=True)
class PaymentQuery:
    """Which receipts: received in ``[start, end)`` (Unix seconds, e.g. the business
    zone's day starts from :func:`services.core.business_days.day_range`; either open),
    of one currency and/or customer when given."""

    start: int | None = None
    end: int | None = None
    currency: str | None = None
    customer_id: str | None = None


def _narrowed(query: PaymentQuery, received: Any, currency: Any) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [invoices.c.deleted.is_(False)]
    if query.start is not None:
        found.append(received >= query.start)
    if query.end is not None:
        found.append(received < query.end)
    if query.currency:
        found.append(currency == query.currency.lower())
    if query.customer_id:
        found.append(invoices.c.customer_id == query.customer_id)
    return found


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


def _receipts(query: PaymentQuery, dialect: str) -> Any:
    """Every receipt matching ``query`` as one ``UNION ALL`` subquery (columns: id,
    invoice_id, number, customer_id, customer, email, currency, amount, received,
    payment_type, intent, record, record_id, display_name)."""
    listed = (
        select(
            invoice_payments.c.id.label("id"), invoice_payments.c.invoice_id,
            invoices.c.number, invoices.c.customer_id, invoices.c.customer_name,
            invoices.c.customer_email, invoice_payments.c.currency.label("currency"),
            invoice_payments.c.amount_paid.label("amount"), _received.label("received"),
            invoice_payments.c.payment_type,
            *[value.label(name) for value, name in zip(
                _from_json(dialect), ("intent", "record", "record_id", "display_name"),
                strict=True)],
        )
        .select_from(invoice_payments.join(invoices,
                                           invoices.c.id == invoice_payments.c.invoice_id))
        .where(invoice_payments.c.status == PAID,
               *_narrowed(query, _received, invoice_payments.c.currency))
    )  # fmt: skip
    # What the invoice's listed payments paid, looked up per invoice (by the invoice_id
    # index) for the invoices the filters keep, not grouped over every payment.
    paid_listed = (
        select(func.coalesce(func.sum(invoice_payments.c.amount_paid), 0))
        .where(invoice_payments.c.invoice_id == invoices.c.id,
               invoice_payments.c.status == PAID)
        .scalar_subquery()
    )
    beyond = invoices.c.amount_paid - paid_listed
    outside = (
        select(
            invoices.c.id.label("id"), invoices.c.id.label("invoice_id"), invoices.c.number,
            invoices.c.customer_id, invoices.c.customer_name, invoices.c.customer_email,
            invoices.c.currency.label("currency"), beyond.label("amount"),
            _marked_paid.label("received"), literal(PAID_OUT_OF_BAND).label("payment_type"),
            *[null().label(name) for name in ("intent", "record", "record_id", "display_name")],
        )
        .select_from(invoices)
        .where(beyond > 0, invoices.c.status != "draft", _marked_paid.is_not(None),
               *_narrowed(query, _marked_paid, invoices.c.currency))
    )  # fmt: skip
    return union_all(listed, outside).subquery("receipts")


def payments_received(engine: Engine, query: PaymentQuery) -> pd.DataFrame:
    """Receipts matching ``query`` (paid invoice payments and money marked paid outside
    Stripe, see the module doc), oldest first (``PAYMENT_COLUMNS``; ``amount`` int64
    minor units, ``received_at`` aware UTC)."""
    receipts = _receipts(query, engine.dialect.name)
    statement = select(*receipts.c).order_by(receipts.c.received, receipts.c.id)
    with engine.connect() as conn:
        rows = [_row(tuple(row)) for row in conn.execute(statement)]
    frame = pd.DataFrame(rows, columns=PAYMENT_COLUMNS)
    frame["amount"] = frame["amount"].astype("int64")
    frame["received_at"] = pd.to_datetime(frame["received_at"].astype("Int64"), unit="s", utc=True)
    return frame


def without_payment(receipts: pd.DataFrame) -> pd.Series:
    """For each row of :func:`payments_received`, True when no payment object stands behind
    it (money marked paid outside Stripe: its ``payment_id`` is only its invoice id)."""
    return receipts["payment_id"] == receipts["invoice_id"]


def received_totals(engine: Engine, query: PaymentQuery) -> dict[str, tuple[int, int]]:
    """Per currency: (amount received in minor units, number of receipts), in SQL, over
    the same receipts as :func:`payments_received`."""
    receipts = _receipts(query, engine.dialect.name)
    statement = (
        select(receipts.c.currency, func.sum(receipts.c.amount), func.count())
        .group_by(receipts.c.currency)
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
