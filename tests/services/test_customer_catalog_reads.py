"""Customers and the catalog as the pages read them: from the read model, current after events.

Each test changes Stripe *outside* the dashboard (the SDK client straight to the
emulator, as another tool or the Stripe dashboard would), then applies Stripe's events
with ``upkeep.catch_up()`` the way the dashboard's periodic catch-up and Refresh do.
"""

from __future__ import annotations

import time
import uuid

import pytest

from services.container import Services
from services.core.errors import NotFound
from services.core.idempotency import new_form_nonce
from services.readmodel.customer_queries import newest_customers
from tests.services.conftest import CLERK, unique
from tests.services.stripe_requests import stripe_requests  # noqa: F401  (fixture)


def _ids(customers) -> set[str]:  # type: ignore[no-untyped-def]
    return {customer.id for customer in customers}


def test_customers_made_outside_the_dashboard_appear_after_the_catch_up(services: Services):
    name = unique("Outside Made GmbH")
    email = f"ap-{uuid.uuid4().hex[:8]}@outside.example"
    # A clock at the present: events about objects on a clock carry the clock's time, and
    # the catch-up reads events from the last one applied on.
    clock = services.client.v1.test_helpers.test_clocks.create(
        params={"frozen_time": int(time.time())}
    )
    made = services.client.v1.customers.create(params={"name": name, "email": email})
    clocked = services.client.v1.customers.create(
        params={"name": f"{name} Clocked", "email": f"c-{email}", "test_clock": clock.id}
    )
    assert not {made.id, clocked.id} & set(services.customers.table()["customer_id"])

    services.upkeep.catch_up()

    table = services.customers.table()
    assert {made.id, clocked.id} <= set(table["customer_id"])  # test clocks included (test mode)
    assert table["created"].is_monotonic_decreasing
    assert _ids(services.customers.find(email.upper())) == {made.id}
    assert {made.id, clocked.id} <= _ids(services.customers.find(name.split()[-1]))
    assert services.customers.get(made.id).email == email
    assert services.customers.get(clocked.id).test_clock == clock.id


def test_live_mode_leaves_customers_on_test_clocks_out_like_stripe(
    services: Services, make_customer
):  # type: ignore[no-untyped-def]
    clock = services.client.v1.test_helpers.test_clocks.create(
        params={"frozen_time": 1_700_000_000}
    )
    on_clock = make_customer(unique("Clocked Ltd"), test_clock=clock.id)
    plain = make_customer(unique("Plain Ltd"))
    engine = services.read_model.engine
    assert {on_clock.id, plain.id} <= _ids(
        newest_customers(engine, limit=None, include_test_clocks=True)
    )
    live = _ids(newest_customers(engine, limit=None, include_test_clocks=False))
    assert plain.id in live and on_clock.id not in live


def test_deleted_customers_vanish_from_every_read(services: Services, make_customer):  # type: ignore[no-untyped-def]
    gone = make_customer(unique("Soon Gone Inc"))
    kept = make_customer(unique("Still Here Inc"))
    services.client.v1.customers.delete(gone.id)
    services.upkeep.catch_up()

    listed = set(services.customers.table()["customer_id"])
    assert kept.id in listed and gone.id not in listed
    assert services.customers.find(gone.email or "") == []
    assert gone.id not in _ids(services.customers.find(gone.name or ""))
    with pytest.raises(NotFound) as caught:
        services.customers.get(gone.id)
    assert caught.value.field == "customer_id"


def test_a_customer_changed_outside_shows_the_change_after_the_catch_up(
    services: Services, make_customer
):  # type: ignore[no-untyped-def]
    customer = make_customer(unique("Old Name AG"))
    services.client.v1.customers.update(customer.id, params={"name": "Renamed AG"})
    assert services.customers.get(customer.id).name == customer.name  # not applied yet
    services.upkeep.catch_up()
    assert services.customers.get(customer.id).name == "Renamed AG"


def test_customer_pages_are_newest_first_and_never_overlap(services: Services, make_customer):  # type: ignore[no-untyped-def]
    made = {make_customer().id for _ in range(5)}
    seen = []
    page = services.customers.page(limit=2)
    while True:
        assert len(page.customers) <= 2
        seen += page.customers
        if page.next_cursor is None:
            break
        page = services.customers.page(limit=2, starting_after=page.next_cursor)
    ids = [customer.id for customer in seen]
    assert len(ids) == len(set(ids)) and made <= set(ids)
    order = [(customer.created, customer.id) for customer in seen]
    assert order == sorted(order, reverse=True)


def test_a_customer_not_stored_yet_is_read_once_then_from_the_copy(
    services: Services, stripe_requests  # noqa: F811
):  # type: ignore[no-untyped-def]
    made = services.client.v1.customers.create(params={"name": unique("Fresh Co")})
    stripe_requests.clear()
    assert services.customers.get(made.id).name == made.name
    assert stripe_requests.sent == [("GET", f"/v1/customers/{made.id}")]
    stripe_requests.clear()
    assert services.customers.get(made.id).id == made.id
    with pytest.raises(NotFound):
        services.customers.get("cus_../../v1/balance")  # never put into a request path
    assert stripe_requests.sent == []


def test_archived_outside_the_dashboard_is_shown_only_when_asked(
    services: Services, make_price
):  # type: ignore[no-untyped-def]
    kept = make_price("5")
    archived = services.catalog.create_price(
        CLERK, product_id=kept.product_id, amount_text="7", currency="usd",
        recurring_interval=None, nickname=None, form_nonce=new_form_nonce(),
    )  # fmt: skip
    old = make_price("9")
    services.client.v1.prices.update(archived.id, params={"active": False})
    services.client.v1.products.update(old.product_id, params={"active": False})
    services.upkeep.catch_up()

    shown = {p.id: p for p in services.catalog.products()}
    assert old.product_id not in shown
    assert {price.id for price in shown[kept.product_id].prices} == {kept.id}
    everything = {p.id: p for p in services.catalog.products(include_archived=True)}
    assert not everything[old.product_id].active
    assert [p.id for p in everything[kept.product_id].prices] == [kept.id, archived.id]
    table = services.catalog.products_table(include_archived=True)
    assert archived.id in set(table["price_id"]) and old.id in set(table["price_id"])
    assert archived.id not in set(services.catalog.products_table()["price_id"])
    assert services.catalog.get_price(archived.id).active is False


def test_catalog_reads_make_no_stripe_request(
    services: Services, make_price, stripe_requests  # noqa: F811
):  # type: ignore[no-untyped-def]
    price = make_price("12.50", "eur")
    stripe_requests.clear()
    assert price.id in {pr.id for p in services.catalog.products() for pr in p.prices}
    services.catalog.products_table(include_archived=True)
    assert services.catalog.get_price(price.id).unit_amount == 1250
    with pytest.raises(NotFound) as caught:
        services.catalog.get_price("price_doesnotexist")
    assert caught.value.field == "price_id"
    assert stripe_requests.sent == [("GET", "/v1/prices/price_doesnotexist")]  # asked once
    stripe_requests.clear()
    with pytest.raises(NotFound):
        services.catalog.get_price("price_doesnotexist")
    assert stripe_requests.sent == []
