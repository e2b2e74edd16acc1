"""Fixtures for the page tests: real services on the session's Stripe emulator.

Import the fixtures into a test module (``from tests.ui.page_fixtures import
stripe_services_fixture  # noqa: F401``); they are registered under the names
``stripe_services`` and ``needs_invoicing``. The services use the test's private app
database (``DATABASE_URL`` set by ``tests/ui/conftest.py``) and are what
``ui.runtime.services()`` returns inside the AppTest.
"""

from __future__ import annotations

import os
import secrets

import pytest

from services.container import Services, build_services
from services.core.access import Actor, Role
from services.core.settings import Settings
from ui import runtime


@pytest.fixture(name="stripe_services")
def stripe_services_fixture(emulator, dashboard_env) -> Services:
    """Services wired to the emulator and installed as the dashboard's services."""
    settings = Settings(
        stripe_api_key="sk_test_emulator",
        stripe_api_base=emulator.base_url,
        database_url=os.environ["DATABASE_URL"],
    )
    services = build_services(settings)
    runtime.install_services_factory(lambda: services, replace=True)
    return services


ADMIN = Actor("setup", Role.ADMIN)


def nonce() -> str:
    """A fresh form nonce for setting up data through the services."""
    return secrets.token_urlsafe(8)


def unique(prefix: str) -> str:
    """A name no other test (sharing the emulator) uses."""
    return f"{prefix} {secrets.token_hex(3)}"


@pytest.fixture(name="needs_invoicing")
def needs_invoicing_fixture(emulator) -> None:
    """Skip (saying why) while the emulator does not serve products, prices and invoices."""
    import stripe

    from tests.conftest import client_for

    client = client_for(emulator)
    for resource in (client.v1.products, client.v1.prices, client.v1.invoices):
        try:
            resource.list(params={"limit": 1})
        except stripe.InvalidRequestError as err:
            if err.http_status == 404:
                pytest.skip("the emulator does not serve products, prices and invoices yet")
            raise


def open_invoice(services: Services, *, amount: int, currency: str, days_until_due: int,
                 name: str = "Owing Customer"):
    """A new customer with one finalized (open) invoice of ``amount`` minor units."""
    from services.core.models import DraftItem

    customer = services.customers.create(
        ADMIN, name=unique(name), email=f"{secrets.token_hex(4)}@owing.test",
        description=None, address=None, form_nonce=nonce(),
    )
    draft = services.invoices.create_draft(
        ADMIN, customer_id=customer.id,
        items=[DraftItem(amount=amount, description="Consulting")],
        days_until_due=days_until_due, memo=None, footer=None, po_number=None,
        currency=currency, form_nonce=nonce(),
    )
    return customer, services.invoices.finalize(ADMIN, draft.id, form_nonce=nonce())
