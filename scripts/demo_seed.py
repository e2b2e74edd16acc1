"""A small, realistic book of receivables for screenshots, made through the public API.

Uses ``services.demo.loader.load_demo_data`` when that module exists (the data
``make run`` loads); otherwise makes its own: three products with USD, EUR and
JPY prices, a dozen customers (some on test clocks frozen in the past, so their
invoices are really overdue today) and invoices in every status.
"""

from __future__ import annotations

import contextlib
import importlib.util
import secrets
import time

from services.container import Services
from services.core.access import Actor, Role
from services.core.models import Address, DraftItem

SEEDER = Actor("demo-seed", Role.ADMIN)
CUSTOMERS = (
    ("Acme Tools GmbH", "ap@acme-tools.example", "Berlin", "DE", 0),
    ("Blue Harbor Foods", "billing@blueharbor.example", "Boston", "US", 45),
    ("Cedar & Pine LLP", "accounts@cedarpine.example", "Denver", "US", 75),
    ("Duna Logistics Kft", "finance@duna.example", "Budapest", "HU", 0),
    ("Evergreen Clinics", "payables@evergreen.example", "Portland", "US", 130),
    ("Fujimoto Trading KK", "keiri@fujimoto.example", "Osaka", "JP", 20),
    ("Granite Works Ltd", "ap@graniteworks.example", "Leeds", "GB", 0),
    ("Harbor Lights Inc", "pay@harborlights.example", "Seattle", "US", 10),
    ("Iris Design Studio", "hello@irisdesign.example", "Lyon", "FR", 0),
    ("Juniper Schools", "bursar@juniper.example", "Austin", "US", 60),
    ("Kobe Precision KK", "ap@kobeprecision.example", "Kobe", "JP", 0),
    ("Lumen Energy BV", "crediteuren@lumen.example", "Utrecht", "NL", 100),
)  # name, email, city, country, days in the past their test clock is frozen at (0: none)


def _nonce() -> str:
    return secrets.token_urlsafe(8)


def seed(services: Services) -> None:
    """Fill an empty emulator with demo receivables (through the public API only)."""
    if importlib.util.find_spec("services.demo.loader") is not None:
        from services.demo import loader as demo_data

        demo_data.load_demo_data(services)
        return
    catalog = services.catalog
    gold = catalog.create_product(SEEDER, name="Gold Special", description="Our best plan",
                                  form_nonce=_nonce())
    consulting = catalog.create_product(SEEDER, name="Consulting day",
                                        description="On-site consulting", form_nonce=_nonce())
    workshop = catalog.create_product(SEEDER, name="Tokyo workshop", description=None,
                                      form_nonce=_nonce())
    prices = {
        "usd": catalog.create_price(SEEDER, product_id=gold.id, amount_text="10.00",
                                    currency="usd", recurring_interval=None, nickname=None,
                                    form_nonce=_nonce()),
        "eur": catalog.create_price(SEEDER, product_id=consulting.id, amount_text="800.00",
                                    currency="eur", recurring_interval=None, nickname="day rate",
                                    form_nonce=_nonce()),
        "jpy": catalog.create_price(SEEDER, product_id=workshop.id, amount_text="150000",
                                    currency="jpy", recurring_interval=None, nickname=None,
                                    form_nonce=_nonce()),
    }
    catalog.create_price(SEEDER, product_id=gold.id, amount_text="29.00", currency="usd",
                         recurring_interval="month", nickname="monthly", form_nonce=_nonce())
    for index, (name, email, city, country, age) in enumerate(CUSTOMERS):
        customer_id = _customer(services, name, email, city, country, age)
        currency = {"JP": "jpy", "DE": "eur", "HU": "eur", "FR": "eur", "NL": "eur"}.get(
            country, "usd")
        for number in range(2):
            _invoice(services, customer_id, prices[currency].id, currency,
                     story=(index * 2 + number) % 7, quantity=1 + (index + number) % 4)


def _customer(services: Services, name: str, email: str, city: str, country: str,
              age: int) -> str:
    if not age:
        return services.customers.create(
            SEEDER, name=name, email=email, description=None,
            address=Address(city=city, country=country), form_nonce=_nonce(),
        ).id
    # Customers on a test clock frozen in the past: their invoices fall due in the past.
    client = services.client
    clock = client.v1.test_helpers.test_clocks.create(
        params={"frozen_time": int(time.time()) - age * 86400, "name": f"{name} history"}
    )
    return client.v1.customers.create(params={
        "name": name, "email": email, "test_clock": clock.id,
        "address": {"city": city, "country": country},
    }).id


def _invoice(services: Services, customer_id: str, price_id: str, currency: str, *,
             story: int, quantity: int) -> None:
    """``story`` picks the life: 0 draft, 1-2 open, 3 sent, 4 paid, 5 void, 6 uncollectible."""
    invoices = services.invoices
    draft = invoices.create_draft(
        SEEDER, customer_id=customer_id, items=[DraftItem(price_id=price_id, quantity=quantity)],
        days_until_due=30, memo="Thank you for your business.", footer=None,
        po_number=f"PO-{secrets.randbelow(9000) + 1000}", currency=currency, form_nonce=_nonce(),
    )
    if story == 0:
        return
    invoice = invoices.finalize(SEEDER, draft.id, form_nonce=_nonce())
    if story == 3:
        invoices.send(SEEDER, invoice.id, form_nonce=_nonce())
    elif story == 4:
        invoices.record_payment(SEEDER, invoice.id, note="Bank transfer received",
                                form_nonce=_nonce())
    elif story == 5:
        invoices.void(SEEDER, invoice.id, reason="Issued to the wrong entity",
                      form_nonce=_nonce())
    elif story == 6:
        invoices.mark_uncollectible(SEEDER, invoice.id, reason="Customer insolvent",
                                    form_nonce=_nonce())


def payments(services: Services) -> None:
    """Card and bank payments on three open invoices: one paid by card, one bank debit
    still processing, one declined card (run once the dashboard receives events)."""
    import stripe

    client = services.client
    open_invoices = client.v1.invoices.list(params={"status": "open", "limit": 3}).data
    methods = ("pm_card_visa", "pm_usBankAccount", "pm_card_chargeDeclined")
    for invoice, method in zip(open_invoices, methods, strict=False):
        # The declined card raises CardError; Stripe also sends invoice.payment_failed.
        with contextlib.suppress(stripe.CardError):
            client.v1.invoices.pay(invoice.id, params={"payment_method": method})
