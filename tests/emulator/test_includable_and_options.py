"""Fields Stripe leaves out unless asked (``expand[]`` of includable fields), and the
customer, price, invoice and test-clock parameters that fill them or change behaviour."""

from __future__ import annotations

import time

import stripe

from tests.emulator.invoicing_helpers import customer, draft, open_invoice, price, refusal


def test_customer_includables_are_left_out_until_expanded(stripe_client):
    buyer = stripe_client.v1.customers.create({
        "name": "Tax Co", "address": {"country": "DE", "city": "Berlin"},
        "tax_id_data": [{"type": "eu_vat", "value": "DE123456789"}],
        "cash_balance": {"settings": {"reconciliation_mode": "manual"}},
        "tax": {"ip_address": "203.0.113.9"}, "source": "tok_visa"})
    shown = buyer.to_dict()
    for name in ("tax_ids", "cash_balance", "tax", "sources", "subscriptions",
                 "invoice_credit_balance"):
        assert name not in shown
    full = stripe_client.v1.customers.retrieve(buyer.id, {"expand": [
        "tax_ids", "cash_balance", "tax", "sources", "subscriptions", "default_source"]})
    tax_id = full.tax_ids.data[0]
    assert (tax_id.object, tax_id.type, tax_id.value, tax_id.country) == (
        "tax_id", "eu_vat", "DE123456789", "DE")
    assert full.cash_balance.settings.reconciliation_mode == "manual"
    assert (full.tax.automatic_tax, full.tax.location.country, full.tax.ip_address) == (
        "supported", "DE", "203.0.113.9")
    card = full.sources.data[0]
    assert (card.object, card.brand, card.last4) == ("card", "Visa", "4242")
    assert full.default_source.id == card.id == buyer.default_source
    assert full.subscriptions.data == []
    invoice = draft(stripe_client, buyer.id, (500,))
    assert [(t.type, t.value) for t in invoice.customer_tax_ids] == [("eu_vat", "DE123456789")]


def test_a_card_source_pays_like_its_test_token(stripe_client):
    buyer = customer(stripe_client, source="tok_mastercard")
    invoice = stripe_client.v1.invoices.finalize_invoice(
        draft(stripe_client, buyer.id, (1200,)).id)
    assert stripe_client.v1.invoices.pay(invoice.id).status == "paid"
    declined = refusal(lambda: stripe_client.v1.customers.update(
        buyer.id, {"source": "tok_chargeDeclined"}), stripe.CardError)
    assert (declined.http_status, declined.code) == (402, "card_declined")
    unknown = refusal(lambda: stripe_client.v1.customers.update(buyer.id, {"source": "tok_x"}))
    assert (unknown.http_status, unknown.code, unknown.param) == (400, "resource_missing",
                                                                  "source")


def test_tax_location_validated_immediately(stripe_client):
    error = refusal(lambda: stripe_client.v1.customers.create({
        "tax": {"validate_location": "immediately"}}))
    assert (error.code, error.param) == ("customer_tax_location_invalid",
                                         "tax[validate_location]")


def test_price_tiers_and_currency_options_are_includable(stripe_client):
    product = stripe_client.v1.products.create({"name": "Seats"})
    tiered = stripe_client.v1.prices.create({
        "currency": "usd", "product": product.id, "billing_scheme": "tiered",
        "tiers_mode": "graduated", "tiers": [{"up_to": 10, "unit_amount": 500},
                                             {"up_to": "inf", "unit_amount": 400,
                                              "flat_amount": 100}]})
    assert "tiers" not in tiered.to_dict() and tiered.billing_scheme == "tiered"
    shown = stripe_client.v1.prices.retrieve(tiered.id, {"expand": ["tiers"]})
    assert [(t.up_to, t.unit_amount, t.flat_amount) for t in shown.tiers] == [
        (10, 500, None), (None, 400, 100)]
    item = stripe_client.v1.invoice_items.create({
        "customer": customer(stripe_client).id, "pricing": {"price": tiered.id},
        "quantity": 12})
    assert item.amount == 10 * 500 + 2 * 400 + 100
    multi = price(stripe_client, unit_amount=1000,
                  currency_options={"eur": {"unit_amount": 900}})
    assert "currency_options" not in multi.to_dict()
    options = stripe_client.v1.prices.retrieve(multi.id, {"expand": ["currency_options"]})
    assert (options.currency_options["usd"].unit_amount,
            options.currency_options["eur"].unit_amount) == (1000, 900)
    euro_item = stripe_client.v1.invoice_items.create({
        "customer": customer(stripe_client).id, "pricing": {"price": multi.id},
        "currency": "eur", "quantity": 2})
    assert (euro_item.currency, euro_item.amount) == ("eur", 1800)
    bad = refusal(lambda: stripe_client.v1.prices.create({
        "currency": "usd", "product": product.id, "billing_scheme": "tiered",
        "tiers_mode": "volume", "tiers": [{"up_to": "inf", "unit_amount": 1},
                                          {"up_to": 5, "unit_amount": 2}]}))
    assert bad.param == "tiers[0][up_to]"


def test_invoice_includables_and_payments_fields(stripe_client):
    invoice = open_invoice(stripe_client, (700,))
    assert "confirmation_secret" not in invoice.to_dict()
    full = stripe_client.v1.invoices.retrieve(invoice.id, {"expand": [
        "confirmation_secret", "amount_paid_off_stripe"]})
    assert full.confirmation_secret.type == "payment_intent"
    assert full.confirmation_secret.client_secret.startswith("pi_")
    assert full.amount_paid_off_stripe == 0
    stripe_client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    paid = stripe_client.v1.invoices.retrieve(invoice.id, {"expand": ["amount_paid_off_stripe",
                                                                      "confirmation_secret"]})
    assert (paid.amount_paid_off_stripe, paid.confirmation_secret) == (700, None)
    intent = stripe_client.v1.payment_intents.retrieve(
        full.confirmation_secret.client_secret.split("_secret_")[0])
    wrong = refusal(lambda: stripe_client.v1.payment_intents.retrieve(
        intent.id, {"client_secret": "pi_x_secret_y"}))
    assert wrong.param == "client_secret"


def test_invoice_options_number_shipping_rendering_and_auto_finalize(stripe_client):
    buyer = customer(stripe_client)
    now = int(time.time())
    invoice = stripe_client.v1.invoices.create({
        "customer": buyer.id, "number": f"CUSTOM-{now}", "auto_advance": True,
        "automatically_finalizes_at": now + 7200, "effective_at": now - 86400,
        "rendering": {"amount_tax_display": "exclude_tax", "pdf": {"page_size": "a4"}},
        "shipping_details": {"name": "Dock 4", "address": {"country": "US", "city": "Austin"}},
        "shipping_cost": {"shipping_rate_data": {"display_name": "Freight",
                                                 "fixed_amount": {"amount": 1500,
                                                                  "currency": "usd"}}},
        "payment_settings": {"payment_method_types": ["card"]},
        "automatic_tax": {"enabled": False}})
    stripe_client.v1.invoice_items.create({"invoice": invoice.id, "amount": 5000,
                                           "currency": "usd"})
    invoice = stripe_client.v1.invoices.retrieve(invoice.id)
    assert invoice.automatically_finalizes_at == now + 7200
    assert (invoice.amount_shipping, invoice.shipping_cost.amount_total) == (1500, 1500)
    assert (invoice.subtotal, invoice.total) == (5000, 6500)
    assert invoice.rendering.pdf.page_size == "a4"
    assert invoice.shipping_details.address.city == "Austin"
    assert invoice.payment_settings.payment_method_types == ["card"]
    finalized = stripe_client.v1.invoices.finalize_invoice(invoice.id)
    assert (finalized.number, finalized.effective_at) == (f"CUSTOM-{now}", now - 86400)
    taken = refusal(lambda: stripe_client.v1.invoices.create(
        {"customer": buyer.id, "number": f"CUSTOM-{now}"}))
    assert taken.param == "number"
    stripe_tax = refusal(lambda: stripe_client.v1.invoices.create(
        {"customer": buyer.id, "automatic_tax": {"enabled": True}}))
    assert stripe_tax.param == "automatic_tax[enabled]"
    manual = refusal(lambda: stripe_client.v1.invoices.create(
        {"customer": buyer.id, "automatically_finalizes_at": now + 60}))
    assert manual.param == "automatically_finalizes_at"


def test_a_revision_replaces_the_invoice_it_revises(stripe_client):
    original = open_invoice(stripe_client, (800, 200))
    revision = stripe_client.v1.invoices.create({
        "customer": original.customer,
        "from_invoice": {"action": "revision", "invoice": original.id}})
    assert revision.from_invoice.invoice == original.id
    assert [line.amount for line in revision.lines.data] == [800, 200]
    final = stripe_client.v1.invoices.finalize_invoice(revision.id)
    assert final.number == f"{original.number}-1"
    voided = stripe_client.v1.invoices.retrieve(original.id)
    assert (voided.status, voided.latest_revision) == ("void", revision.id)


def test_a_test_clock_can_take_an_existing_customer(stripe_client):
    buyer = customer(stripe_client)
    clock = stripe_client.v1.test_helpers.test_clocks.create(
        {"frozen_time": 1_700_000_000, "customer": buyer.id})
    assert stripe_client.v1.customers.retrieve(buyer.id).test_clock == clock.id
    again = refusal(lambda: stripe_client.v1.test_helpers.test_clocks.create(
        {"frozen_time": 1_700_000_000, "customer": buyer.id}))
    assert again.param == "customer"
