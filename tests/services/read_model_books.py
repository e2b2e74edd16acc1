"""A small book written straight into the read model, in the shapes Stripe sends.

The reports (cash received, statements) read only the read model, so their tests can
lay out invoices and payments on exact dates without waiting for test clocks: each
invoice and each InvoicePayment is stored through ``services.readmodel.store`` as if
it had just been read from Stripe (https://docs.stripe.com/api/invoices/object,
https://docs.stripe.com/api/invoice-payment/object).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from services.core.database import write_transaction
from services.readmodel import store

_SEQUENCE = itertools.count(1)


def at(text: str) -> int:
    """Unix seconds of ``"2026-11-03 14:00"`` (UTC)."""
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp())


@dataclass
class Book:
    """Invoices and payments of one customer, stored as they are added."""

    engine: Engine
    customer_id: str = "cus_book"
    customer_name: str = "Rossi Alimentari"
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def invoice(
        self, total: int, *, finalized: str | None, status: str = "open", currency: str = "usd",
        due: str | None = None, voided: str | None = None, created: str | None = None,
        uncollectible: str | None = None,
    ) -> str:
        """Store an invoice of ``total`` minor units; its id."""
        n = next(_SEQUENCE)
        invoice_id = f"in_book{n:05d}"
        self.invoices[invoice_id] = {
            "id": invoice_id, "object": "invoice", "status": status, "currency": currency,
            "customer": self.customer_id, "customer_name": self.customer_name,
            "customer_email": "ap@rossi.example", "number": None if status == "draft"
            else f"BOOK-{n:04d}", "subtotal": total, "total": total, "amount_due": total,
            "amount_paid": 0, "amount_remaining": total,
            "created": at(created or finalized or "2026-01-01 00:00"),
            "due_date": at(due) if due else None, "collection_method": "send_invoice",
            "status_transitions": {"finalized_at": at(finalized) if finalized else None,
                                   "paid_at": None,
                                   "voided_at": at(voided) if voided else None,
                                   "marked_uncollectible_at": at(uncollectible)
                                   if uncollectible else None},
            "lines": {"object": "list", "data": [], "has_more": False}, "metadata": {},
            "livemode": False,
        }  # fmt: skip
        self.payments[invoice_id] = []
        self._store(invoice_id)
        return invoice_id

    def store_customer(self) -> None:
        """Store the customer the invoices belong to."""
        customer = {"id": self.customer_id, "object": "customer", "name": self.customer_name,
                    "email": "ap@rossi.example", "created": at("2025-01-01 00:00"),
                    "currency": "usd", "livemode": False}
        with write_transaction(self.engine) as conn:
            store.store_object(conn, "customer", customer, store.now_version())

    def pay(self, invoice_id: str, amount: int, when: str, *, kind: str = "payment_record") -> str:
        """Store a paid InvoicePayment of ``amount`` on ``when``; the invoice follows (paid
        in full when nothing remains, with ``paid_at`` = this payment's time)."""
        invoice = self.invoices[invoice_id]
        payment_id = f"inpay_book{next(_SEQUENCE):05d}"
        reference = {"type": kind, kind: f"{'prec' if kind == 'payment_record' else 'pi'}_"
                     f"{payment_id[-5:]}"}
        self.payments[invoice_id].append({
            "id": payment_id, "object": "invoice_payment", "invoice": invoice_id,
            "amount_paid": amount, "amount_requested": amount, "currency": invoice["currency"],
            "status": "paid", "payment": reference, "created": at(when), "is_default": False,
            "status_transitions": {"paid_at": at(when), "canceled_at": None}, "livemode": False,
        })  # fmt: skip
        invoice["amount_paid"] += amount
        invoice["amount_remaining"] = max(invoice["amount_due"] - invoice["amount_paid"], 0)
        invoice["amount_overpaid"] = max(invoice["amount_paid"] - invoice["amount_due"], 0)
        if invoice["amount_remaining"] == 0:
            invoice["status"] = "paid"
            invoice["status_transitions"]["paid_at"] = at(when)
        self._store(invoice_id)
        return payment_id

    def _store(self, invoice_id: str) -> None:
        with write_transaction(self.engine) as conn:
            store.store_object(conn, "invoice", dict(self.invoices[invoice_id]),
                               store.now_version(), payments=self.payments[invoice_id])
