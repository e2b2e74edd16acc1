"""The seed workflow a finance user follows, end to end through the emulator."""

from __future__ import annotations

from datetime import timedelta

from services.container import Services
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from services.readmodel.invoice_payment_list import payments_of_invoice
from tests.services.conftest import APPROVER, CLERK, unique


def test_gold_special_from_catalog_to_paid(services: Services) -> None:
    product = services.catalog.create_product(
        CLERK, name=unique("Gold Special"), description="Premium support",
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    price = services.catalog.create_price(
        CLERK, product_id=product.id, amount_text="10", currency="USD",
        recurring_interval=None, nickname="Gold one-off", form_nonce=new_form_nonce(),
    )  # fmt: skip
    assert (price.unit_amount, price.currency, price.display) == (1000, "usd", "$10.00")

    customer = services.customers.create(
        CLERK, name=unique("Acme Ltd"), email=f"ap+{product.id.lower()}@acme.example.com",
        description="Key account", address=None, form_nonce=new_form_nonce(),
    )  # fmt: skip

    draft = services.invoices.create_draft(
        CLERK, customer_id=customer.id, items=[DraftItem(price_id=price.id, quantity=1)],
        days_until_due=30, memo="Thank you for your business", footer="Acme bank: 123",
        po_number="PO-4711", currency="usd", form_nonce=new_form_nonce(),
    )  # fmt: skip
    assert draft.status == "draft"
    assert (draft.total, draft.amount_due, draft.currency) == (1000, 1000, "usd")
    assert draft.due_date == (draft.created + timedelta(days=30)).date()
    assert (draft.memo, draft.footer, draft.po_number) == (
        "Thank you for your business", "Acme bank: 123", "PO-4711",
    )  # fmt: skip
    assert [(line.price_id, line.quantity, line.amount) for line in draft.lines] == [
        (price.id, 1, 1000)
    ]

    opened = services.invoices.finalize(APPROVER, draft.id, form_nonce=new_form_nonce())
    assert opened.status == "open"
    assert opened.number and opened.hosted_invoice_url
    sent = services.invoices.send(CLERK, draft.id, form_nonce=new_form_nonce())
    assert sent.status == "open"

    paid = services.invoices.record_payment(
        APPROVER, draft.id, note="Bank transfer ref 99", form_nonce=new_form_nonce()
    )
    assert paid.status == "paid"
    assert (paid.amount_paid, paid.amount_remaining) == (1000, 0)
    assert paid.paid_at is not None
    [payment] = payments_of_invoice(services.read_model, draft.id)
    assert (payment.amount, payment.reference) == (1000, "Bank transfer ref 99")

    history = services.audit.history(draft.id)
    assert list(history["action"]) == [
        "create_draft", "finalize_invoice", "send_invoice", "record_payment",
    ]  # fmt: skip
    assert set(history["outcome"]) == {"success"}
    assert all(str(rid).startswith("req_") for rid in history["stripe_request_id"])
    assert "reference Bank transfer ref 99" in history.iloc[-1]["reason"]
