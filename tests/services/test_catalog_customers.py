"""Catalog and customers against the emulator."""

from __future__ import annotations

import uuid

import pytest

from services.container import Services
from services.core.errors import InvalidInput, NotFound
from services.core.idempotency import new_form_nonce
from services.core.models import Address
from tests.services.conftest import CLERK, unique


def test_products_with_prices_and_archiving(services: Services):
    product = services.catalog.create_product(
        CLERK, name=unique("Consulting"), description="Hourly", form_nonce=new_form_nonce()
    )
    one_off = services.catalog.create_price(
        CLERK, product_id=product.id, amount_text="1,234.50", currency="eur",
        recurring_interval=None, nickname="Day rate", form_nonce=new_form_nonce(),
    )  # fmt: skip
    monthly = services.catalog.create_price(
        CLERK, product_id=product.id, amount_text="99", currency="usd",
        recurring_interval="month", nickname=None, form_nonce=new_form_nonce(),
    )  # fmt: skip
    assert (one_off.unit_amount, one_off.display) == (123450, "€1,234.50")
    assert monthly.display == "$99.00 / month"

    listed = {p.id: p for p in services.catalog.products()}
    assert {pr.id for pr in listed[product.id].prices} == {one_off.id, monthly.id}
    table = services.catalog.products_table()
    mine = table[table["product_id"] == product.id]
    assert sorted(mine["unit_amount"].tolist()) == [9900, 123450]

    services.catalog.archive_price(CLERK, monthly.id, form_nonce=new_form_nonce())
    assert {pr.id for pr in {p.id: p for p in services.catalog.products()}[product.id].prices} == {
        one_off.id
    }
    services.catalog.archive_product(CLERK, product.id, form_nonce=new_form_nonce())
    assert product.id not in {p.id for p in services.catalog.products()}
    archived = {p.id: p for p in services.catalog.products(include_archived=True)}[product.id]
    assert not archived.active and {pr.id for pr in archived.prices} == {one_off.id, monthly.id}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": " "}, "name"),
        ({"amount_text": "-3"}, "amount"),
        ({"amount_text": "3.999"}, "amount"),
        ({"currency": "dollars"}, "currency"),
        ({"recurring_interval": "fortnight"}, "recurring_interval"),
    ],
)
def test_catalog_input_is_checked(services: Services, kwargs: dict, field: str):
    with pytest.raises(InvalidInput) as caught:
        if "name" in kwargs:
            services.catalog.create_product(CLERK, description=None, form_nonce="n", **kwargs)
        else:
            product = services.catalog.create_product(
                CLERK, name=unique("Checked"), description=None, form_nonce=new_form_nonce()
            )
            values = {"amount_text": "3", "currency": "usd", "recurring_interval": None}
            services.catalog.create_price(
                CLERK, product_id=product.id, nickname=None, form_nonce=new_form_nonce(),
                **{**values, **kwargs},
            )  # fmt: skip
    assert caught.value.field == field


def test_customers_create_update_find_and_page(services: Services):
    name = unique("Globex Corporation")
    email = f"billing-{uuid.uuid4().hex[:8]}@globex.example.com"
    customer = services.customers.create(
        CLERK, name=name, email=email, description="Since 2020",
        address=Address(line1="1 Main St", city="Springfield", postal_code="12345",
                        country="us"),
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    assert customer.id.startswith("cus_")
    assert customer.address and customer.address.country == "US"
    updated = services.customers.update(
        CLERK, customer.id, name=name + " Inc", email=email, description="",
        address=None, form_nonce=new_form_nonce(),
    )  # fmt: skip
    assert updated.name == name + " Inc" and not updated.description
    assert services.customers.get(customer.id).name == name + " Inc"

    assert [c.id for c in services.customers.find(email)] == [customer.id]
    assert [c.id for c in services.customers.find(email.upper())] == [customer.id]
    assert customer.id in {c.id for c in services.customers.find(name.split()[-1])}

    first = services.customers.page(limit=2)
    assert len(first.customers) <= 2
    if first.next_cursor:
        second = services.customers.page(limit=2, starting_after=first.next_cursor)
        assert not {c.id for c in first.customers} & {c.id for c in second.customers}
    table = services.customers.table(limit=5000)
    assert customer.id in set(table["customer_id"])


@pytest.mark.parametrize("email", ["", "no-at-sign", "two@@example.com", "a b@example.com"])
def test_bad_email_is_refused_before_stripe(services: Services, email: str):
    with pytest.raises(InvalidInput) as caught:
        services.customers.create(
            CLERK, name="Someone", email=email, description=None, address=None,
            form_nonce=new_form_nonce(),
        )  # fmt: skip
    assert caught.value.field == "email"


def test_unknown_customer_is_not_found(services: Services):
    with pytest.raises(NotFound):
        services.customers.get("cus_doesnotexist")


def test_customers_on_test_clocks_are_listed_in_test_mode(services: Services, make_customer):  # type: ignore[no-untyped-def]
    # The demo book backdates customers with test clocks; Stripe's plain list leaves them out.
    clocks = services.client.v1.test_helpers.test_clocks
    clock = clocks.create(params={"frozen_time": 1_700_000_000})
    on_clock = make_customer(unique("Clocked Ltd"), test_clock=clock.id)
    plain = make_customer(unique("Plain Ltd"))
    table = services.customers.table()
    listed = set(table["customer_id"])
    assert {on_clock.id, plain.id} <= listed
    assert table["created"].is_monotonic_decreasing
