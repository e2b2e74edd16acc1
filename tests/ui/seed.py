"""Test data made through the real services (never through the pages under test)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.core.access import Actor, Role
from services.core.models import DraftItem

ADMIN = Actor("adam", Role.ADMIN)


def nonce() -> str:
    return uuid.uuid4().hex


def customer(services: Any, name: str | None = None) -> Any:
    """A new customer with a unique name."""
    name = name or f"Customer {uuid.uuid4().hex[:8]}"
    return services.customers.create(
        ADMIN, name=name, email=f"{uuid.uuid4().hex[:8]}@example.com", description=None,
        address=None, form_nonce=nonce(),
    )


def clocked_customer(services: Any, name: str, email: str, days_ago: int) -> Any:
    """A customer (made in Stripe, outside the dashboard) on a new test clock frozen
    ``days_ago`` days back: what is done for them is dated then."""
    frozen = int((datetime.now(UTC) - timedelta(days=days_ago)).timestamp())
    clock = services.client.v1.test_helpers.test_clocks.create(params={"frozen_time": frozen})
    return services.client.v1.customers.create(params={
        "name": name, "email": email, "test_clock": clock.id})


def one_time_price(services: Any, amount_text: str = "10.00", currency: str = "usd") -> Any:
    """A new product with one one-time price."""
    product = services.catalog.create_product(
        ADMIN, name=f"Widget {uuid.uuid4().hex[:6]}", description=None, form_nonce=nonce()
    )
    return services.catalog.create_price(
        ADMIN, product_id=product.id, amount_text=amount_text, currency=currency,
        recurring_interval=None, nickname=None, form_nonce=nonce(),
    )


def draft_invoice(services: Any, customer_id: str, price_id: str, quantity: int = 2) -> Any:
    """A draft invoice for ``customer_id`` with one price line."""
    return services.invoices.create_draft(
        ADMIN, customer_id=customer_id,
        items=[DraftItem(price_id=price_id, quantity=quantity, amount=None, description=None)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=nonce(),
    )


def open_invoice(services: Any, customer_id: str, price_id: str) -> Any:
    """A finalized (open) invoice."""
    draft = draft_invoice(services, customer_id, price_id)
    return services.invoices.finalize(ADMIN, draft.id, form_nonce=nonce())
