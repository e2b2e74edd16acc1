"""Plain data built from Stripe's own example objects (stripe-python 16 shapes)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import stripe

from services.core.models import (
    Price,
    customer_from_stripe,
    invoice_from_stripe,
    line_from_stripe,
    price_from_stripe,
)

# Stripe's own example objects (a subset of the reference fixtures3.json, kept in the repo
# so the test runs on any checkout).
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stripe_example_objects.json"


def _fixture(name: str) -> dict:
    return json.loads(FIXTURES.read_text())["resources"][name]


def test_invoice_from_a_stripe_object_not_a_dict() -> None:
    raw = stripe.Invoice.construct_from(
        {**_fixture("invoice"), "status": "open", "due_date": 1767225600,
         "metadata": {"po_number": "PO-7"}, "description": "Thanks"},
        "sk_test_x",
    )  # fmt: skip
    invoice = invoice_from_stripe(raw)
    assert invoice.id.startswith("in_")
    assert (invoice.total, invoice.currency, invoice.status) == (1000, "usd", "open")
    assert invoice.due_date == date(2026, 1, 1)
    assert (invoice.po_number, invoice.memo) == ("PO-7", "Thanks")
    assert invoice.days_overdue(date(2026, 1, 11)) == 10
    # due at 2026-01-01 00:00 UTC: past due by the end of that day, not the day before
    assert invoice.is_overdue(date(2026, 1, 2)) and not invoice.is_overdue(date(2025, 12, 31))
    assert invoice.days_overdue(date(2026, 1, 1)) == 1
    assert len(invoice.lines) == 1 and invoice.lines[0].amount == 1000


def test_line_price_comes_from_pricing_details() -> None:
    line = line_from_stripe(
        {"id": "il_1", "amount": 3000, "currency": "usd", "description": "Gold Special",
         "quantity": 3,
         "parent": {"type": "invoice_item_details",
                    "invoice_item_details": {"invoice_item": "ii_9"}},
         "pricing": {"type": "price_details", "unit_amount_decimal": "1000",
                     "price_details": {"price": "price_gold", "product": "prod_1"}}}
    )  # fmt: skip
    assert (line.price_id, line.invoice_item_id, line.unit_amount, line.quantity) == (
        "price_gold", "ii_9", 1000, 3,
    )  # fmt: skip


def test_price_display_and_customer() -> None:
    price = price_from_stripe(_fixture("price"))
    assert isinstance(price, Price) and price.display.endswith("/ month")
    assert Price("p", "prod", 3000, "usd", "recurring", "month", 3, None, True).display == (
        "$30.00 / 3 months"
    )
    assert Price("p", "prod", 1000, "jpy", "one_time", None, None, None, True).display == "¥1,000"
    customer = customer_from_stripe(_fixture("customer"))
    assert customer.id.startswith("cus_") and customer.invoice_prefix
