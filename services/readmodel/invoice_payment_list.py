"""The payments of one invoice, for the Invoice page: when, how much, how, which reference.

Read from the read model (``rm_invoice_payments``, Stripe's InvoicePayment:
https://docs.stripe.com/api/invoice-payment/object). A payment recorded outside Stripe
carries its PaymentRecord (https://docs.stripe.com/api/payment-record/object) expanded in
its JSON: the method's display name (``payment_method_details.custom.display_name``),
the reference (``processor_details.custom.payment_reference``) and who recorded it
(``metadata.recorded_by``) in which dashboard write (``metadata.dashboard_payment``,
the write's idempotency key, which its ``record_payment`` audit row holds too). An
invoice stored without them (listed by the backfill, which cannot expand that deep) is
re-read from Stripe once, then answered from the copy.

Only payments that brought money are listed (``status`` paid); the invoice's unused
default payment is not. Amounts are minor units of ``currency``; times aware UTC.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from services.core.models import timestamp
from services.readmodel.columns import object_id
from services.readmodel.copies import looks_like_stripe_id, reread
from services.readmodel.sync import ReadModelSync
from services.readmodel.tables import invoice_payments

PAID = "paid"
THROUGH_STRIPE = "Paid through Stripe"
OUTSIDE_STRIPE = "Recorded outside Stripe"


#: The PaymentRecord metadata holding the recording write's idempotency key
#: (``services.invoicing.payments.FORM_KEY`` writes it).
WRITE_KEY = "dashboard_payment"


@dataclass(frozen=True)
class InvoicePaymentRow:
    """One payment on an invoice: ``amount`` minor units of ``currency`` received at
    ``received_at``; ``method`` in words; ``reference`` as typed (or the PaymentIntent)."""

    id: str
    amount: int
    currency: str
    received_at: datetime | None
    method: str
    reference: str | None
    recorded_by: str | None
    payment_record: str | None
    payment_intent: str | None
    #: Idempotency key of the dashboard write that recorded it (its audit row's), or None.
    write_key: str | None = None


def payments_of_invoice(sync: ReadModelSync, invoice_id: str) -> list[InvoicePaymentRow]:
    """The paid payments of ``invoice_id``, oldest first (see the module doc)."""
    rows = _stored(sync, invoice_id)
    if any(_record_missing(data) for data in rows) and looks_like_stripe_id(invoice_id):
        reread(sync, "invoice", invoice_id)
        rows = _stored(sync, invoice_id)
    return [_payment(data) for data in rows]


def _stored(sync: ReadModelSync, invoice_id: str) -> list[Mapping[str, Any]]:
    received = func.coalesce(invoice_payments.c.paid_at, invoice_payments.c.created)
    with sync.engine.connect() as conn:
        found = conn.scalars(
            select(invoice_payments.c.data)
            .where(invoice_payments.c.invoice_id == invoice_id,
                   invoice_payments.c.status == PAID)
            .order_by(received, invoice_payments.c.id)
        ).all()
    return [json.loads(data) for data in found]


def _record_missing(data: Mapping[str, Any]) -> bool:
    payment = data.get("payment") or {}
    return payment.get("type") == "payment_record" and isinstance(
        payment.get("payment_record"), str)


def _payment(data: Mapping[str, Any]) -> InvoicePaymentRow:
    payment = data.get("payment") or {}
    transitions = data.get("status_transitions") or {}
    record = payment.get("payment_record")
    method, reference, recorded_by, write_key = THROUGH_STRIPE, None, None, None
    if payment.get("type") == "payment_record":
        method = OUTSIDE_STRIPE
    if isinstance(record, Mapping):
        custom = (record.get("payment_method_details") or {}).get("custom") or {}
        processor = (record.get("processor_details") or {}).get("custom") or {}
        method = custom.get("display_name") or method
        reference = processor.get("payment_reference")
        recorded_by = (record.get("metadata") or {}).get("recorded_by")
        write_key = (record.get("metadata") or {}).get(WRITE_KEY)
    intent = object_id(payment.get("payment_intent"))
    return InvoicePaymentRow(
        id=str(data.get("id")),
        amount=int(data.get("amount_paid") or 0),
        currency=str(data.get("currency") or ""),
        received_at=timestamp(transitions.get("paid_at") or data.get("created")),
        method=method,
        reference=reference or intent,
        recorded_by=recorded_by,
        payment_record=object_id(record),
        payment_intent=intent,
        write_key=write_key,
    )
