"""Cursor pagination, auto-paging, ``expand`` and event listing over HTTP."""

from __future__ import annotations

import httpx
import pytest
import stripe

from tests.emulator.helpers import tag


@pytest.fixture(scope="module")
def priced_product(emulator):
    """A product with 25 prices, made in order (oldest first)."""
    client = stripe.StripeClient("sk_test_lists", base_addresses={"api": emulator.base_url},
                                 max_network_retries=0)
    product = client.v1.products.create({"name": f"Paged {tag()}"})
    made = [client.v1.prices.create({"currency": "usd", "unit_amount": i,
                                     "product": product.id}).id for i in range(25)]
    return product.id, made


def test_list_is_newest_first_with_stable_tie_break(stripe_client, priced_product):
    product, made = priced_product
    page = stripe_client.v1.prices.list({"product": product, "limit": 100})
    assert [p.id for p in page.data] == made[::-1]
    assert page.has_more is False
    assert page.url == "/v1/prices"


def test_default_limit_is_ten_and_cursors_walk_every_item_once(stripe_client, priced_product):
    product, made = priced_product
    first = stripe_client.v1.prices.list({"product": product})
    assert len(first.data) == 10 and first.has_more is True
    seen = [p.id for p in first.data]
    cursor = first
    while cursor.has_more:
        cursor = stripe_client.v1.prices.list({"product": product,
                                               "starting_after": cursor.data[-1].id})
        seen.extend(p.id for p in cursor.data)
    assert seen == made[::-1]


def test_ending_before_returns_the_newer_page(stripe_client, priced_product):
    product, made = priced_product
    newest_first = made[::-1]
    page = stripe_client.v1.prices.list({"product": product, "limit": 5,
                                         "ending_before": newest_first[7]})
    assert [p.id for p in page.data] == newest_first[2:7]
    assert page.has_more is True
    top = stripe_client.v1.prices.list({"product": product, "limit": 5,
                                        "ending_before": newest_first[3]})
    assert [p.id for p in top.data] == newest_first[:3]
    assert top.has_more is False


def test_auto_paging_iter_yields_everything(stripe_client, priced_product):
    product, made = priced_product
    pages = stripe_client.v1.prices.list({"product": product, "limit": 4})
    assert [p.id for p in pages.auto_paging_iter()] == made[::-1]


def test_cursor_refusals(stripe_client, priced_product):
    _, made = priced_product
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.list({"starting_after": made[0], "ending_before": made[1]})
    assert caught.value.http_status == 400
    assert "Received both starting_after and ending_before" in str(caught.value)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.list({"starting_after": "price_nope"})
    assert (caught.value.http_status, caught.value.param) == (404, "starting_after")
    for bad in (0, 101):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            stripe_client.v1.prices.list({"limit": bad})
        assert (caught.value.code, caught.value.param) == ("parameter_invalid_integer", "limit")


def test_expand_on_retrieve_list_and_nested(stripe_client, priced_product):
    product, made = priced_product
    price = stripe_client.v1.prices.retrieve(made[0], {"expand": ["product"]})
    assert price.product.id == product
    listed = stripe_client.v1.prices.list({"product": product, "limit": 2,
                                           "expand": ["data.product"]})
    assert all(p.product.object == "product" for p in listed.data)
    made_product = stripe_client.v1.products.create({
        "name": "Nested", "default_price_data": {"currency": "usd", "unit_amount": 1}})
    nested = stripe_client.v1.prices.retrieve(made_product.default_price,
                                              {"expand": ["product.default_price"]})
    assert nested.product.default_price.id == made_product.default_price


def test_expand_accepts_curl_style_brackets(emulator, priced_product):
    product, made = priced_product
    answer = httpx.get(f"{emulator.base_url}/v1/prices/{made[0]}?expand[]=product",
                       headers={"Authorization": "Bearer sk_test_curl"})
    assert answer.json()["product"]["id"] == product


def test_bad_expansions_are_refused(stripe_client, priced_product):
    product, made = priced_product
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.retrieve(made[0], {"expand": ["currency"]})
    assert (caught.value.http_status, caught.value.param) == (400, "expand")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.list({"product": product, "expand": ["product"]})
    assert "data.product" in str(caught.value)


def test_events_filters_and_request_ids(stripe_client, emulator):
    answer = httpx.post(f"{emulator.base_url}/v1/customers",
                        headers={"Authorization": "Bearer sk_test_ev", "Idempotency-Key": tag()},
                        data={"name": "Evented"})
    customer_id = answer.json()["id"]
    created = stripe_client.v1.events.list({"type": "customer.created", "limit": 50}).data
    event = next(e for e in created if e.data.object.id == customer_id)
    assert event.request.id == answer.headers["Request-Id"]
    assert event.request.idempotency_key == answer.headers["Idempotency-Key"]
    assert event.api_version == "2026-10-28.endive" and event.id.startswith("evt_")
    assert stripe_client.v1.events.retrieve(event.id).id == event.id
    wildcard = stripe_client.v1.events.list({"type": "customer.*", "limit": 50}).data
    assert event.id in {e.id for e in wildcard}
    assert all(e.type.startswith("customer.") for e in wildcard)
    several = stripe_client.v1.events.list(
        {"types": ["customer.created", "product.created"], "limit": 100}).data
    assert {e.type for e in several} <= {"customer.created", "product.created"}
    later = stripe_client.v1.events.list({"created": {"gt": event.created}, "limit": 100}).data
    assert event.id not in {e.id for e in later}
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.events.list({"type": "a", "types": ["b"]})
    assert caught.value.code == "parameters_exclusive"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.events.retrieve("evt_missing")
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")


def test_expansion_deeper_than_four_levels_is_refused(stripe_client, priced_product):
    _, made = priced_product
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.retrieve(
            made[0], {"expand": ["product.default_price.product.default_price.product"]})
    assert (caught.value.http_status, caught.value.param) == (400, "expand")
    assert "more than 4 levels" in str(caught.value)
