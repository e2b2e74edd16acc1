"""Fixtures for services tests: the real services on the shared emulator.

Each test gets its own app database (audit log) and its own customers and
products with unique names, so tests never depend on what else is in the
shared emulator's store.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from services.container import Services, build_services
from services.core.access import Actor, Role
from services.core.idempotency import new_form_nonce
from services.core.models import Customer, DraftItem, Invoice, Price
from services.core.settings import Settings

VIEWER = Actor("vera.viewer", Role.VIEWER)
CLERK = Actor("carl.clerk", Role.CLERK)
APPROVER = Actor("april.approver", Role.APPROVER)
ADMIN = Actor("adam.admin", Role.ADMIN)
ACTORS = {actor.role: actor for actor in (VIEWER, CLERK, APPROVER, ADMIN)}


def unique(label: str) -> str:
    """A name no other test uses."""
    return f"{label} {uuid.uuid4().hex[:10]}"


def services_for(base_url: str, database_url: str, *, backfill: bool = False) -> Services:
    """The real services on the emulator at ``base_url`` and the app database given.

    The read model starts from now (the shared emulator holds other tests' objects;
    a test sees its own through its writes and events) unless ``backfill`` is asked.
    """
    settings = Settings.from_mapping({"DATABASE_URL": database_url}).with_emulator(base_url)
    services = build_services(settings)
    if backfill:
        services.upkeep.backfill()
    else:
        services.upkeep.begin_at_now()
    return services


@pytest.fixture
def services(emulator, app_database_url: str) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    made = services_for(emulator.base_url, app_database_url)
    yield made
    made.close()  # the worker thread and the database connections go with the test


@pytest.fixture
def make_customer(services: Services) -> Callable[..., Customer]:
    def make(name: str | None = None, *, test_clock: str | None = None) -> Customer:
        label = name or unique("Customer")
        email = f"{uuid.uuid4().hex[:12]}@example.com"
        if test_clock is None:
            return services.customers.create(
                ADMIN, name=label, email=email, description=None, address=None,
                form_nonce=new_form_nonce(),
            )  # fmt: skip
        raw = services.client.v1.customers.create(
            params={"name": label, "email": email, "test_clock": test_clock}
        )
        return services.customers.get(raw.id)

    return make


@pytest.fixture
def make_price(services: Services) -> Callable[..., Price]:
    def make(amount_text: str = "10", currency: str = "usd", name: str | None = None) -> Price:
        product = services.catalog.create_product(
            ADMIN, name=name or unique("Gold Special"), description=None,
            form_nonce=new_form_nonce(),
        )  # fmt: skip
        return services.catalog.create_price(
            ADMIN, product_id=product.id, amount_text=amount_text, currency=currency,
            recurring_interval=None, nickname=None, form_nonce=new_form_nonce(),
        )  # fmt: skip

    return make


@pytest.fixture
def make_invoice(services: Services, make_customer, make_price) -> Callable[..., Invoice]:  # type: ignore[no-untyped-def]
    """An invoice in the requested status (draft, open, paid, uncollectible, void)."""

    def make(status: str = "draft", *, customer: Customer | None = None) -> Invoice:
        owner = customer or make_customer()
        price = make_price()
        invoice = services.invoices.create_draft(
            ADMIN, customer_id=owner.id, items=[DraftItem(price_id=price.id, quantity=2)],
            days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
            form_nonce=new_form_nonce(),
        )  # fmt: skip
        if status == "draft":
            return invoice
        invoice = services.invoices.finalize(ADMIN, invoice.id, form_nonce=new_form_nonce())
        if status == "paid":
            invoice = services.invoices.record_payment(
                ADMIN, invoice.id, note="cheque 1001", form_nonce=new_form_nonce()
            )
        elif status == "uncollectible":
            invoice = services.invoices.mark_uncollectible(
                ADMIN, invoice.id, reason="customer bankrupt", form_nonce=new_form_nonce()
            )
        elif status == "void":
            invoice = services.invoices.void(
                ADMIN, invoice.id, reason="issued twice", form_nonce=new_form_nonce()
            )
        assert invoice.status == status
        return invoice

    return make
