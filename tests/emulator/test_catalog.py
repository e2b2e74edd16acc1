"""Products and prices over HTTP: shapes, rules, refusals, lists, search."""

from __future__ import annotations

from decimal import Decimal

import pytest
import stripe

from tests.emulator.helpers import events_about, tag

PRODUCT_FIELDS = {
    "id", "object", "active", "created", "default_price", "description", "images", "livemode",
    "marketing_features", "metadata", "name", "package_dimensions", "shippable",
    "statement_descriptor", "tax_code", "tax_details", "type", "unit_label", "updated", "url",
}
PRICE_FIELDS = {
    "id", "object", "active", "billing_scheme", "created", "currency", "custom_unit_amount",
    "livemode", "lookup_key", "metadata", "nickname", "product", "recurring", "tax_behavior",
    "tiers_mode", "transform_quantity", "type", "unit_amount", "unit_amount_decimal",
}


@pytest.fixture
def product(stripe_client):
    return stripe_client.v1.products.create({"name": f"Audit {tag()}"})


def test_product_shape_and_events(stripe_client):
    made = stripe_client.v1.products.create({
        "name": "Bookkeeping", "description": "Monthly close", "type": "service",
        "marketing_features": [{"name": "Fast"}], "metadata": {"sku": "BK"},
        "package_dimensions": {"height": "1.5", "length": "2", "weight": "3", "width": "4"},
    }).to_dict()
    assert set(made) == PRODUCT_FIELDS
    assert made["id"].startswith("prod_")
    assert made["marketing_features"] == [{"name": "Fast"}]
    assert made["package_dimensions"] == {"height": 1.5, "length": 2.0, "weight": 3.0,
                                          "width": 4.0}
    assert [e.type for e in events_about(stripe_client, made["id"])] == ["product.created"]


def test_product_with_default_price_data(stripe_client):
    made = stripe_client.v1.products.create({
        "name": "Retainer", "default_price_data": {"currency": "usd", "unit_amount": 50000},
        "expand": ["default_price"]})
    assert made.default_price.unit_amount == 50000
    assert made.default_price.product == made.id


def test_product_update_and_archive_filter(stripe_client, product):
    updated = stripe_client.v1.products.update(product.id, {"active": False,
                                                            "description": "Archived"})
    assert (updated.active, updated.description) == (False, "Archived")
    event = events_about(stripe_client, product.id, "product.updated")[0]
    assert event.data.previous_attributes.active is True
    archived_ids = {p.id for p in stripe_client.v1.products.list(
        {"active": False, "limit": 100}).auto_paging_iter()}
    assert product.id in archived_ids


def test_product_without_prices_can_be_deleted(stripe_client, product):
    stub = stripe_client.v1.products.delete(product.id).to_dict()
    assert stub == {"id": product.id, "object": "product", "deleted": True}
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.products.retrieve(product.id)
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")
    assert events_about(stripe_client, product.id, "product.deleted")


def test_product_with_prices_cannot_be_deleted(stripe_client, product):
    stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 100,
                                    "product": product.id})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.products.delete(product.id)
    assert caught.value.http_status == 400
    assert "has one or more user-created prices" in str(caught.value)


def test_product_name_is_required_and_chosen_id_unique(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.products.create({"description": "no name"})
    assert (caught.value.code, caught.value.param) == ("parameter_missing", "name")
    chosen = f"prod_{tag()}"
    assert stripe_client.v1.products.create({"name": "A", "id": chosen}).id == chosen
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.products.create({"name": "B", "id": chosen})
    assert (caught.value.code, caught.value.param) == ("resource_already_exists", "id")


def test_products_search(stripe_client):
    marker = tag()
    made = stripe_client.v1.products.create({"name": f"Tax filing {marker}",
                                             "metadata": {"m": marker}})
    found = stripe_client.v1.products.search(
        {"query": f"name~'{marker[:6]}' AND active:'true'"})
    assert [p.id for p in found.data] == [made.id]


def test_price_shape_one_time_and_recurring(stripe_client, product):
    one_time = stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 2000,
                                               "product": product.id}).to_dict()
    assert set(one_time) == PRICE_FIELDS
    assert (one_time["type"], one_time["recurring"]) == ("one_time", None)
    assert (one_time["unit_amount"], one_time["unit_amount_decimal"]) == (2000, Decimal("2000"))
    monthly = stripe_client.v1.prices.create({
        "currency": "EUR", "unit_amount_decimal": "12.5", "product": product.id,
        "recurring": {"interval": "month", "interval_count": 3}})
    assert monthly.currency == "eur" and monthly.type == "recurring"
    assert monthly.unit_amount is None and str(monthly.unit_amount_decimal) == "12.5"
    assert monthly.recurring.to_dict() == {"interval": "month", "interval_count": 3,
                                           "meter": None, "trial_period_days": None,
                                           "usage_type": "licensed"}
    assert events_about(stripe_client, monthly.id, "price.created")


def test_price_with_product_data_mints_the_product(stripe_client):
    price = stripe_client.v1.prices.create({"currency": "gbp", "unit_amount": 0,
                                            "product_data": {"name": "Free tier"},
                                            "expand": ["product"]})
    assert price.unit_amount == 0
    assert price.product.name == "Free tier"


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"unit_amount": 100_000_000}, "parameter_invalid_integer", "unit_amount"),
        ({"unit_amount": -1}, "parameter_invalid_integer", "unit_amount"),
        ({"unit_amount": 1, "unit_amount_decimal": "1"}, "parameters_exclusive",
         "unit_amount_decimal"),
        ({}, "parameter_missing", "unit_amount"),
        ({"unit_amount": 1, "currency": "xyz"}, None, "currency"),
        ({"unit_amount": 1, "recurring": {"interval_count": 2}}, "parameter_missing",
         "recurring[interval]"),
        ({"unit_amount": 1, "recurring": {"interval": "fortnight"}}, None,
         "recurring[interval]"),
        ({"unit_amount_decimal": "1.1234567890123"}, "parameter_invalid_decimal",
         "unit_amount_decimal"),
    ],
)
def test_price_refusals(stripe_client, product, params, code, param):
    body = {"currency": "usd", "product": product.id, **params}
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.create(body)
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (400, code, param)


def test_price_product_is_required_and_must_exist(stripe_client, product):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 1})
    assert (caught.value.code, caught.value.param) == ("parameter_missing", "product")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 1,
                                        "product": "prod_missing"})
    assert (caught.value.http_status, caught.value.param) == (400, "product")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 1,
                                        "product": product.id, "product_data": {"name": "x"}})
    assert caught.value.code == "parameters_exclusive"


def test_price_amount_is_immutable(stripe_client, product):
    price = stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 5,
                                            "product": product.id})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.update(price.id, {"unit_amount": 6})
    assert (caught.value.code, caught.value.param) == ("parameter_unknown", "unit_amount")


def test_price_update_and_list_filters(stripe_client, product):
    usd = stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 5,
                                          "product": product.id})
    eur = stripe_client.v1.prices.create({"currency": "eur", "unit_amount": 5,
                                          "product": product.id,
                                          "recurring": {"interval": "year"}})
    updated = stripe_client.v1.prices.update(usd.id, {"active": False, "nickname": "old",
                                                      "metadata": {"k": "v"}})
    assert (updated.active, updated.nickname, updated.metadata.k) == (False, "old", "v")
    prev = events_about(stripe_client, usd.id, "price.updated")[0].data.previous_attributes
    assert prev.to_dict() == {"active": True, "nickname": None, "metadata": {"k": None}}

    def ids(**params):
        return [p.id for p in stripe_client.v1.prices.list(
            {"product": product.id, **params}).data]

    assert ids() == [eur.id]                       # active only by default
    assert ids(active=False) == [usd.id]
    assert ids(type="recurring") == [eur.id]
    assert ids(currency="usd", active=False) == [usd.id]
    assert ids(recurring={"interval": "year"}) == [eur.id]


def test_lookup_keys_are_unique_unless_transferred(stripe_client, product):
    key = f"plan_{tag()}"
    first = stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 1,
                                            "product": product.id, "lookup_key": key})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 2,
                                        "product": product.id, "lookup_key": key})
    assert caught.value.param == "lookup_key"
    assert f"A price (`{first.id}`) already uses that lookup key." in str(caught.value)
    second = stripe_client.v1.prices.create({"currency": "usd", "unit_amount": 2,
                                             "product": product.id, "lookup_key": key,
                                             "transfer_lookup_key": True})
    assert stripe_client.v1.prices.retrieve(first.id).lookup_key is None
    listed = stripe_client.v1.prices.list({"lookup_keys": [key]}).data
    assert [p.id for p in listed] == [second.id]


def test_default_price_cannot_be_archived(stripe_client):
    made = stripe_client.v1.products.create({
        "name": "Plan", "default_price_data": {"currency": "usd", "unit_amount": 10}})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.prices.update(made.default_price, {"active": False})
    assert caught.value.param == "active"


def test_prices_search(stripe_client, product):
    price = stripe_client.v1.prices.create({"currency": "chf", "unit_amount": 7,
                                            "product": product.id, "metadata": {"t": tag()}})
    found = stripe_client.v1.prices.search(
        {"query": f"product:'{product.id}' AND currency:'CHF' AND type:'one_time'"})
    assert [p.id for p in found.data] == [price.id]
    found = stripe_client.v1.prices.search(
        {"query": f"metadata['t']:'{price.metadata.t}'", "expand": ["data.product"]})
    assert found.data[0].product.id == product.id
