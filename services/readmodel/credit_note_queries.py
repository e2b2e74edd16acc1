"""Credit notes for the views, from the read model (``rm_credit_notes``): one invoice's,
one customer's.

A credit note (https://docs.stripe.com/api/credit_notes/object) lowers what is owed on
its invoice (``pre_payment_amount``) and places the rest (``post_payment_amount``) on the
customer's balance (``credit_amount`` at creation, shown by ``customer_balance_transaction``),
as a refund, or outside Stripe (``out_of_band_amount``). Amounts are minor units of
``currency``; times aware UTC. No Stripe request is made.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, select

from services.core.models import timestamp
from services.readmodel.columns import object_id
from services.readmodel.tables import credit_notes

#: Stripe's reasons, as finance staff say them.
#: The credit note metadata holding the issuing write's idempotency key
#: (``services.invoicing.credit_notes.FORM_KEY`` writes it).
WRITE_KEY = "dashboard_credit_note"
REASON_LABELS = {
    "duplicate": "Duplicate",
    "fraudulent": "Fraudulent",
    "order_change": "Order change",
    "product_unsatisfactory": "Product unsatisfactory",
}


@dataclass(frozen=True)
class CreditNote:
    """One credit note and where its money went (minor units of ``currency``).

    ``reduced_owed`` lowered what the invoice still owed; ``to_balance`` was credited to
    the customer's balance; ``outside_stripe`` was refunded outside Stripe; ``refunded``
    was refunded through Stripe.
    """

    id: str
    number: str | None
    invoice_id: str | None
    customer_id: str | None
    status: str
    reason: str | None
    memo: str | None
    currency: str
    total: int
    reduced_owed: int
    to_balance: int
    outside_stripe: int
    refunded: int
    created: datetime | None
    voided_at: datetime | None
    issued_by: str | None
    #: Idempotency key of the dashboard write that issued it (its audit row's), or None.
    write_key: str | None = None

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason or "", self.reason or "—")


def credit_note_from_stripe(data: Mapping[str, Any]) -> CreditNote:
    """A :class:`CreditNote` from Stripe's object (a mapping)."""
    post = int(data.get("post_payment_amount") or 0)
    outside = int(data.get("out_of_band_amount") or 0)
    refunded = sum(int(refund.get("amount_refunded") or 0)
                   for refund in data.get("refunds") or [] if isinstance(refund, Mapping))
    return CreditNote(
        id=str(data["id"]),
        number=data.get("number"),
        invoice_id=object_id(data.get("invoice")),
        customer_id=object_id(data.get("customer")),
        status=str(data.get("status") or "issued"),
        reason=data.get("reason"),
        memo=data.get("memo"),
        currency=str(data.get("currency") or ""),
        total=int(data.get("total") or 0),
        reduced_owed=int(data.get("pre_payment_amount") or 0),
        to_balance=max(0, post - outside - refunded),
        outside_stripe=outside,
        refunded=refunded,
        created=timestamp(data.get("effective_at") or data.get("created")),
        voided_at=timestamp(data.get("voided_at")),
        issued_by=(data.get("metadata") or {}).get("issued_by"),
        write_key=(data.get("metadata") or {}).get(WRITE_KEY),
    )


def credit_notes_of_invoice(engine: Engine, invoice_id: str) -> list[CreditNote]:
    """The credit notes of ``invoice_id``, oldest first (void ones too)."""
    return _credit_notes(engine, credit_notes.c.invoice_id == invoice_id)


def credit_notes_of_customer(engine: Engine, customer_id: str) -> list[CreditNote]:
    """The credit notes of ``customer_id``, oldest first (void ones too)."""
    return _credit_notes(engine, credit_notes.c.customer_id == customer_id)


def _credit_notes(engine: Engine, condition: ColumnElement[bool]) -> list[CreditNote]:
    with engine.connect() as conn:
        found = conn.scalars(
            select(credit_notes.c.data)
            .where(condition, credit_notes.c.deleted.is_(False))
            .order_by(credit_notes.c.created, credit_notes.c.id)
        ).all()
    return [credit_note_from_stripe(json.loads(data)) for data in found]
