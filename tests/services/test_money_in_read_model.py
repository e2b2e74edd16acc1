"""Money made outside the dashboard reaches the read model: the backfill lists credit notes,
and an invoice listed without its payments' records (a list cannot expand that deep) is
read once more when its payments are shown, then answered from the copy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from services.container import Services
from services.readmodel.invoice_payment_list import payments_of_invoice
from tests.services.conftest import services_for, unique
from tests.services.stripe_requests import record_stripe_requests


@pytest.fixture
def outside(fresh_emulator) -> Iterator[tuple[stripe.StripeClient, str, str]]:  # type: ignore[no-untyped-def]
    """A fresh emulator holding an open 1,000.00 invoice with a 300.00 bank transfer
    attached and a 200.00 credit note, all made through the SDK (not the dashboard)."""
    running = fresh_emulator()
    client = stripe.StripeClient("sk_test_emulator", base_addresses={"api": running.base_url})
    buyer = client.v1.customers.create({"name": unique("Outside"), "email": "o@example.com"})
    draft = client.v1.invoices.create({"customer": buyer.id, "collection_method": "send_invoice",
                                       "days_until_due": 30, "auto_advance": False})
    client.v1.invoice_items.create({"customer": buyer.id, "invoice": draft.id,
                                    "amount": 100000, "currency": "usd"})
    invoice = client.v1.invoices.finalize_invoice(draft.id)
    record = client.v1.payment_records.report_payment({
        "amount_requested": {"currency": "usd", "value": 30000},
        "initiated_at": invoice.created, "outcome": "guaranteed",
        "guaranteed": {"guaranteed_at": invoice.created},
        "payment_method_details": {"type": "custom", "custom": {"display_name": "Bank transfer"}},
        "processor_details": {"type": "custom", "custom": {"payment_reference": "WIRE-42"}}})
    client.v1.invoices.attach_payment(invoice.id, {"payment_record": record.id})
    client.v1.credit_notes.create({"invoice": invoice.id, "amount": 20000,
                                   "reason": "order_change"})
    yield client, invoice.id, running.base_url


def test_the_backfill_lists_credit_notes_and_payments_show_their_records(
    outside: tuple[stripe.StripeClient, str, str], app_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, invoice_id, base_url = outside
    services: Services = services_for(base_url, app_database_url, backfill=True)
    try:
        shown = services.invoices.get(invoice_id)
        assert (shown.amount_paid, shown.amount_remaining) == (30000, 50000)
        (note,) = services.invoices.credit_notes.of_invoice(invoice_id)
        assert (note.total, note.reduced_owed, note.reason_label) == (20000, 20000,
                                                                      "Order change")
        seen = record_stripe_requests(monkeypatch)
        (payment,) = payments_of_invoice(services.read_model, invoice_id)
        assert (payment.amount, payment.method, payment.reference) == (30000, "Bank transfer",
                                                                       "WIRE-42")
        assert len(seen.sent) == 1  # the invoice read once, with its payments' records
        payments_of_invoice(services.read_model, invoice_id)
        assert len(seen.sent) == 1  # then from the copy
    finally:
        services.events.close()
