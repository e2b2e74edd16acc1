"""Sending an invoice: a reminder really sends again, a double click sends once, and a
customer without an email is refused before Stripe is asked (issue 14 items 2 and 4)."""

from __future__ import annotations

import pytest

from services.container import Services
from services.core.errors import InvalidInput
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from tests.services.conftest import ADMIN, CLERK, unique


def _sent_events(services: Services, invoice_id: str) -> int:
    events = services.client.v1.events.list(params={"type": "invoice.sent", "limit": 100})
    return sum(1 for event in events.auto_paging_iter()
               if event.data.object.id == invoice_id)


def _audited_sends(services: Services, invoice_id: str) -> list[str]:
    rows = services.audit.table(object_id=invoice_id, action="send_invoice")
    return list(rows["outcome"])


def test_a_second_send_with_a_new_nonce_is_a_reminder(services: Services, make_invoice):
    invoice = make_invoice("open")
    services.invoices.send(CLERK, invoice.id, form_nonce=new_form_nonce())
    services.invoices.send(CLERK, invoice.id, form_nonce=new_form_nonce())
    assert _sent_events(services, invoice.id) == 2
    assert _audited_sends(services, invoice.id) == ["success", "success"]


def test_the_same_send_twice_emails_once(services: Services, make_invoice):
    invoice = make_invoice("open")
    nonce = new_form_nonce()
    services.invoices.send(CLERK, invoice.id, form_nonce=nonce)
    services.invoices.send(CLERK, invoice.id, form_nonce=nonce)
    assert _sent_events(services, invoice.id) == 1


def test_a_customer_without_an_email_is_refused_before_stripe(services: Services, make_price):
    # made outside the dashboard (the dashboard's own form asks for an email)
    raw = services.client.v1.customers.create(params={"name": unique("No Mail GmbH")})
    price = make_price()
    draft = services.invoices.create_draft(
        ADMIN, customer_id=raw.id, items=[DraftItem(price_id=price.id, quantity=1)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=new_form_nonce(),
    )
    invoice = services.invoices.finalize(ADMIN, draft.id, form_nonce=new_form_nonce())
    with pytest.raises(InvalidInput) as refused:
        services.invoices.send(CLERK, invoice.id, form_nonce=new_form_nonce())
    assert refused.value.field == "customer_email"
    assert "no email address" in str(refused.value) and "nothing was sent" in str(refused.value)
    assert _sent_events(services, invoice.id) == 0
    assert _audited_sends(services, invoice.id) == ["failure"]

    services.client.v1.customers.update(raw.id, params={"email": "ap@nomail.example"})
    services.invoices.send(CLERK, invoice.id, form_nonce=new_form_nonce())
    assert _sent_events(services, invoice.id) == 1
