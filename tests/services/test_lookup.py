"""One query string → ranked results, for every kind of query."""

from __future__ import annotations

import random
import uuid

from services.container import Services
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from tests.services.conftest import ADMIN, unique


def test_ids_are_retrieved_directly(services: Services, make_invoice, make_price):
    invoice = make_invoice("open")
    price = make_price("12")
    for object_id, kind in [
        (invoice.id, "invoice"),
        (invoice.customer_id, "customer"),
        (price.product_id, "product"),
        (price.id, "price"),
    ]:
        results = services.lookup.search(object_id)
        assert [(r.kind, r.object_id, r.score) for r in results] == [(kind, object_id, 1.0)]
    assert services.lookup.search("in_doesnotexist") == []


def test_invoice_number_finds_that_invoice(services: Services, make_invoice):
    invoice = make_invoice("open")
    assert invoice.number
    results = services.lookup.search(invoice.number.lower())
    assert results[0].object_id == invoice.id
    assert results[0].title == f"Invoice {invoice.number}"


def test_email_finds_the_customer_then_their_invoices(
    services: Services, make_customer, make_invoice
):
    customer = make_customer()
    first = make_invoice("open", customer=customer)
    second = make_invoice("draft", customer=customer)
    results = services.lookup.search(customer.email or "")
    assert (results[0].kind, results[0].object_id) == ("customer", customer.id)
    assert {r.object_id for r in results[1:]} == {first.id, second.id}
    assert all(r.kind == "invoice" for r in results[1:])


def test_amount_finds_invoices_with_that_total(services: Services, make_customer, make_price):
    cents = random.randint(100_000, 9_999_999)
    text = f"{cents // 100:,}.{cents % 100:02d}"
    customer = make_customer()
    invoice = services.invoices.create_draft(
        ADMIN, customer_id=customer.id, items=[DraftItem(amount=cents, description="Odd sum")],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="eur",
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    for query in (text, f"{text.replace(',', '')} EUR", f"eur {text}"):
        assert invoice.id in {r.object_id for r in services.lookup.search(query)}, query
    assert invoice.id not in {r.object_id for r in services.lookup.search(f"{text} USD")}


def test_other_text_searches_customer_names(services: Services, make_customer):
    word = uuid.uuid4().hex[:8]
    exact = make_customer(f"Initech {word}")
    longer = make_customer(f"Initech {word} Holdings")
    results = services.lookup.search(f"Initech {word}")
    assert [r.object_id for r in results[:2]] == [exact.id, longer.id]
    assert results[0].score > results[1].score
    assert services.lookup.search(unique("Nobody")) == []
    assert services.lookup.search("   ") == []
