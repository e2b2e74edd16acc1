"""A parameter naming an object that does not exist: 400 ``resource_missing`` naming it.

Stripe answers 404 only for a missing object in the URL; an id given as a parameter
(``invoices.create(customer="cus_missing")``) is a bad request: ``invalid_request_error``,
code ``resource_missing``, ``param`` = the parameter, HTTP 400, and nothing is stored
(no object, no event, the updated object unchanged).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import stripe

from tests.emulator.invoicing_helpers import customer, draft, price

Case = Callable[[stripe.StripeClient, dict[str, Any]], Any]


@pytest.fixture
def world(stripe_client) -> dict[str, Any]:
    """Real objects to aim the bad references from."""
    buyer = customer(stripe_client)
    catalog = price(stripe_client)
    invoice = draft(stripe_client, buyer.id, (1000,))
    item = stripe_client.v1.invoice_items.list({"invoice": invoice.id}).data[0]
    opened = draft(stripe_client, buyer.id, (2000,))
    stripe_client.v1.invoices.finalize_invoice(opened.id)
    return {"customer": buyer.id, "price": catalog.id, "product": catalog.product,
            "invoice": invoice.id, "item": item.id, "open": opened.id}


#: The 18 references on the routes the emulator served before tax rates and coupons.
CASES: dict[str, tuple[str, Case, str]] = {
    "customer test_clock": ("test_clock", lambda c, w: c.v1.customers.create(
        {"test_clock": "clock_missing"}), "clock_missing"),
    "customer payment_method": ("payment_method", lambda c, w: c.v1.customers.create(
        {"payment_method": "pm_missing"}), "pm_missing"),
    "customer create default PM": (
        "invoice_settings[default_payment_method]", lambda c, w: c.v1.customers.create(
            {"invoice_settings": {"default_payment_method": "pm_missing"}}), "pm_missing"),
    "customer update default PM": (
        "invoice_settings[default_payment_method]", lambda c, w: c.v1.customers.update(
            w["customer"], {"invoice_settings": {"default_payment_method": "pm_missing"}}),
        "pm_missing"),
    "customer default_source": ("default_source", lambda c, w: c.v1.customers.update(
        w["customer"], {"default_source": "card_missing"}), "card_missing"),
    "item customer": ("customer", lambda c, w: c.v1.invoice_items.create(
        {"customer": "cus_missing", "amount": 100, "currency": "usd"}), "cus_missing"),
    "item invoice": ("invoice", lambda c, w: c.v1.invoice_items.create(
        {"invoice": "in_missing", "amount": 100, "currency": "usd"}), "in_missing"),
    "item pricing[price]": ("pricing[price]", lambda c, w: c.v1.invoice_items.create(
        {"customer": w["customer"], "pricing": {"price": "price_missing"}}), "price_missing"),
    "item price_data[product]": ("price_data[product]", lambda c, w: c.v1.invoice_items.create(
        {"customer": w["customer"], "price_data": {"currency": "usd", "product": "prod_missing",
                                                   "unit_amount": 100}}), "prod_missing"),
    "item update pricing[price]": ("pricing[price]", lambda c, w: c.v1.invoice_items.update(
        w["item"], {"pricing": {"price": "price_missing"}}), "price_missing"),
    "item update price_data[product]": (
        "price_data[product]", lambda c, w: c.v1.invoice_items.update(
            w["item"], {"price_data": {"currency": "usd", "product": "prod_missing",
                                       "unit_amount": 100}}), "prod_missing"),
    "invoice customer": ("customer", lambda c, w: c.v1.invoices.create(
        {"customer": "cus_missing"}), "cus_missing"),
    "invoice default_payment_method": ("default_payment_method", lambda c, w:
                                       c.v1.invoices.create({"customer": w["customer"],
                                                             "default_payment_method":
                                                                 "pm_missing"}), "pm_missing"),
    "invoice update default_payment_method": (
        "default_payment_method", lambda c, w: c.v1.invoices.update(
            w["invoice"], {"default_payment_method": "pm_missing"}), "pm_missing"),
    "pay payment_method": ("payment_method", lambda c, w: c.v1.invoices.pay(
        w["open"], {"payment_method": "pm_missing"}), "pm_missing"),
    "pay source": ("source", lambda c, w: c.v1.invoices.pay(
        w["open"], {"source": "card_missing"}), "card_missing"),
    "price product": ("product", lambda c, w: c.v1.prices.create(
        {"currency": "usd", "unit_amount": 100, "product": "prod_missing"}), "prod_missing"),
    "product default_price": ("default_price", lambda c, w: c.v1.products.update(
        w["product"], {"default_price": "price_missing"}), "price_missing"),
}


#: References on the parameters added since (tax rates, coupons, line endpoints, clocks…).
MORE_CASES: dict[str, tuple[str, Case, str]] = {
    "invoice default_source": ("default_source", lambda c, w: c.v1.invoices.update(
        w["invoice"], {"default_source": "card_missing"}), "card_missing"),
    "invoice from_invoice": ("from_invoice[invoice]", lambda c, w: c.v1.invoices.create(
        {"customer": w["customer"], "from_invoice": {"action": "revision",
                                                     "invoice": "in_missing"}}),
        "in_missing"),
    "invoice default_tax_rates": ("default_tax_rates[0]", lambda c, w: c.v1.invoices.update(
        w["invoice"], {"default_tax_rates": ["txr_missing"]}), "txr_missing"),
    "invoice discounts coupon": ("discounts[0][coupon]", lambda c, w: c.v1.invoices.update(
        w["invoice"], {"discounts": [{"coupon": "coupon_missing"}]}), "coupon_missing"),
    "invoice discounts discount": ("discounts[0][discount]", lambda c, w: c.v1.invoices.update(
        w["invoice"], {"discounts": [{"discount": "di_missing"}]}), "di_missing"),
    "item tax_rates": ("tax_rates[0]", lambda c, w: c.v1.invoice_items.update(
        w["item"], {"tax_rates": ["txr_missing"]}), "txr_missing"),
    "add_lines invoice_item": ("lines[0][invoice_item]", lambda c, w: c.v1.invoices.add_lines(
        w["invoice"], {"lines": [{"invoice_item": "ii_missing"}]}), "ii_missing"),
    "add_lines pricing[price]": ("lines[0][pricing][price]", lambda c, w:
                                 c.v1.invoices.add_lines(w["invoice"], {"lines": [
                                     {"pricing": {"price": "price_missing"}}]}),
                                 "price_missing"),
    "test clock customer": ("customer", lambda c, w: c.v1.test_helpers.test_clocks.create(
        {"frozen_time": 1_700_000_000, "customer": "cus_missing"}), "cus_missing"),
    "customer source token": ("source", lambda c, w: c.v1.customers.update(
        w["customer"], {"source": "tok_missing"}), "tok_missing"),
    "coupon applies_to product": ("applies_to[products][0]", lambda c, w: c.v1.coupons.create(
        {"percent_off": 5, "applies_to": {"products": ["prod_missing"]}}), "prod_missing"),
    "preview customer": ("customer", lambda c, w: c.v1.invoices.create_preview(
        {"customer": "cus_missing"}), "cus_missing"),
    "attach_payment payment_record": ("payment_record", lambda c, w: c.v1.invoices
                                      .attach_payment(w["open"], {"payment_record":
                                                                  "pr_missing"}),
                                      "pr_missing"),
    "attach_payment payment_intent": ("payment_intent", lambda c, w: c.v1.invoices
                                      .attach_payment(w["open"], {"payment_intent":
                                                                  "pi_missing"}),
                                      "pi_missing"),
    "report_payment customer": (
        "customer_details[customer]", lambda c, w: c.v1.payment_records.report_payment({
            "amount_requested": {"currency": "usd", "value": 100},
            "initiated_at": 1_700_000_000, "payment_method_details": {"type": "custom"},
            "customer_details": {"customer": "cus_missing"}}), "cus_missing"),
    "credit note invoice": ("invoice", lambda c, w: c.v1.credit_notes.create(
        {"invoice": "in_missing", "amount": 100}), "in_missing"),
    "credit note invoice_line_item": (
        "lines[0][invoice_line_item]", lambda c, w: c.v1.credit_notes.create(
            {"invoice": w["open"], "lines": [{"type": "invoice_line_item",
                                              "invoice_line_item": "il_missing",
                                              "amount": 1}]}), "il_missing"),
    "credit note line tax_rates": (
        "lines[0][tax_rates][0]", lambda c, w: c.v1.credit_notes.create(
            {"invoice": w["open"], "lines": [{"type": "custom_line_item", "unit_amount": 1,
                                              "tax_rates": ["txr_missing"]}]}),
        "txr_missing"),
    "credit note preview invoice": ("invoice", lambda c, w: c.v1.credit_notes.preview(
        {"invoice": "in_missing", "amount": 100}), "in_missing"),
}


def _latest_event(client: stripe.StripeClient) -> str:
    return client.v1.events.list({"limit": 1}).data[0].id


def _snapshot(client: stripe.StripeClient, world: dict[str, Any]) -> list[Any]:
    return [client.v1.customers.retrieve(world["customer"]).to_dict(),
            client.v1.invoices.retrieve(world["invoice"]).to_dict(),
            client.v1.invoices.retrieve(world["open"]).to_dict(),
            client.v1.invoice_items.retrieve(world["item"]).to_dict(),
            client.v1.products.retrieve(world["product"]).to_dict()]


def assert_missing_reference(client: stripe.StripeClient, world: dict[str, Any], param: str,
                             call: Case, missing_id: str) -> None:
    """``call`` answers 400 resource_missing naming ``param``; nothing changed or was made."""
    before, last_event = _snapshot(client, world), _latest_event(client)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        call(client, world)
    error = caught.value
    assert (error.http_status, error.code, error.param) == (400, "resource_missing", param)
    assert error.error.type == "invalid_request_error"
    assert f"'{missing_id}'" in error.user_message
    assert _latest_event(client) == last_event  # no object made, no update recorded
    assert _snapshot(client, world) == before


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_missing_reference_is_a_400_naming_the_parameter(stripe_client, world, case):
    param, call, missing_id = CASES[case]
    assert_missing_reference(stripe_client, world, param, call, missing_id)


@pytest.mark.parametrize("case", sorted(MORE_CASES))
def test_every_newer_reference_is_a_400_too(stripe_client, world, case):
    param, call, missing_id = MORE_CASES[case]
    assert_missing_reference(stripe_client, world, param, call, missing_id)


def test_a_deleted_customer_is_a_missing_reference(stripe_client):
    gone = customer(stripe_client)
    stripe_client.v1.customers.delete(gone.id)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.invoices.create({"customer": gone.id})
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (
        400, "resource_missing", "customer")


def test_the_object_in_the_url_is_still_a_404(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.invoices.update("in_missing", {"description": "x"})
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (
        404, "resource_missing", "id")
