"""Invoice items: pricing (catalog price, flat amount → inline price), pending vs attached,
update/delete rules, the 250-item limit, currencies, list filters, events."""

from __future__ import annotations

import stripe

from stripe_emulator.backend.invoicing import attach_item, save_invoice
from stripe_emulator.models.invoice import INVOICES
from stripe_emulator.models.invoice_item import INVOICE_ITEMS
from tests.emulator.helpers import events_about
from tests.emulator.invoicing_helpers import customer, draft, open_invoice, price, refusal


def test_item_priced_by_a_catalog_price_times_quantity(stripe_client):
    buyer = customer(stripe_client)
    catalog = price(stripe_client, unit_amount=1250)
    item = stripe_client.v1.invoice_items.create({
        "customer": buyer.id, "pricing": {"price": catalog.id}, "quantity": 3,
        "description": "Consulting", "metadata": {"po": "PO-7"}})
    assert item.id.startswith("ii_") and item.object == "invoiceitem"
    assert (item.amount, item.quantity, item.currency) == (3750, 3, "usd")
    assert item.pricing.price_details.price == catalog.id
    assert item.pricing.price_details.product == catalog.product
    assert item.invoice is None and item.metadata.to_dict() == {"po": "PO-7"}
    assert item.date == item.period.start == item.period.end
    assert events_about(stripe_client, item.id, "invoiceitem.created")


def test_item_from_a_price_is_described_by_its_product_name(stripe_client):
    buyer = customer(stripe_client)
    catalog = price(stripe_client, unit_amount=1000)
    product = stripe_client.v1.products.retrieve(catalog.product)
    invoice = draft(stripe_client, buyer.id, ())
    item = stripe_client.v1.invoice_items.create(
        {"invoice": invoice.id, "pricing": {"price": catalog.id}, "quantity": 2})
    assert item.description == product.name
    lines = stripe_client.v1.invoices.line_items.list(invoice.id)
    assert [line.description for line in lines.data] == [product.name]


def test_flat_amount_mints_a_one_off_inline_price(stripe_client):
    buyer = customer(stripe_client)
    item = stripe_client.v1.invoice_items.create({
        "customer": buyer.id, "amount": 4200, "currency": "eur", "description": "Setup fee"})
    assert (item.amount, item.quantity, item.currency) == (4200, 1, "eur")
    minted = stripe_client.v1.prices.retrieve(item.pricing.price_details.price)
    assert minted.unit_amount == 4200 and minted.currency == "eur" and minted.active is False
    assert item.pricing.unit_amount_decimal == minted.unit_amount_decimal
    listed = stripe_client.v1.prices.list({"product": minted.product}).data
    assert listed == []  # inline prices stay out of the catalog


def test_item_on_a_draft_derives_the_customer_and_becomes_a_line(stripe_client):
    buyer = customer(stripe_client)
    invoice = stripe_client.v1.invoices.create({"customer": buyer.id})
    item = stripe_client.v1.invoice_items.create({"invoice": invoice.id, "amount": 999,
                                                  "currency": "usd"})
    assert item.customer == buyer.id and item.invoice == invoice.id
    invoice = stripe_client.v1.invoices.retrieve(invoice.id)
    line = invoice.lines.data[0]
    assert line.parent.invoice_item_details.invoice_item == item.id
    assert (invoice.subtotal, invoice.total, invoice.amount_due) == (999, 999, 999)
    updated = events_about(stripe_client, invoice.id, "invoice.updated")[0]
    assert updated.data.previous_attributes.to_dict()["total"] == 0


def test_update_reprices_the_item_and_its_draft(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (1000,))
    item_id = invoice.lines.data[0].parent.invoice_item_details.invoice_item
    item = stripe_client.v1.invoice_items.update(item_id, {"amount": 2500,
                                                           "description": "Revised"})
    assert item.amount == 2500 and item.description == "Revised"
    invoice = stripe_client.v1.invoices.retrieve(invoice.id)
    assert invoice.total == 2500 and invoice.lines.data[0].description == "Revised"
    catalog = price(stripe_client, unit_amount=300)
    item = stripe_client.v1.invoice_items.update(item_id, {"pricing": {"price": catalog.id},
                                                           "quantity": 4})
    assert (item.amount, item.quantity) == (1200, 4)
    assert stripe_client.v1.invoices.retrieve(invoice.id).amount_due == 1200


def test_delete_releases_the_line_and_emits_deleted(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (700, 300))
    item_id = invoice.lines.data[0].parent.invoice_item_details.invoice_item
    gone = stripe_client.v1.invoice_items.delete(item_id)
    assert gone.deleted is True and gone.id == item_id
    assert stripe_client.v1.invoices.retrieve(invoice.id).total == 300
    assert events_about(stripe_client, item_id, "invoiceitem.deleted")
    error = refusal(lambda: stripe_client.v1.invoice_items.retrieve(item_id))
    assert error.http_status == 404 and error.code == "resource_missing"


def test_items_of_a_finalized_invoice_cannot_change(stripe_client):
    invoice = open_invoice(stripe_client, (1500,))
    item_id = invoice.lines.data[0].parent.invoice_item_details.invoice_item
    for call in (lambda: stripe_client.v1.invoice_items.update(item_id, {"amount": 1}),
                 lambda: stripe_client.v1.invoice_items.delete(item_id)):
        error = refusal(call)
        assert error.http_status == 400 and error.code == "invoice_not_editable"
    error = refusal(lambda: stripe_client.v1.invoice_items.create(
        {"invoice": invoice.id, "amount": 5, "currency": "usd"}))
    assert error.code == "invoice_not_editable" and error.param == "invoice"


def test_mixing_currencies_on_one_invoice_is_refused(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (1000,), currency="usd")
    error = refusal(lambda: stripe_client.v1.invoice_items.create(
        {"invoice": invoice.id, "amount": 5, "currency": "gbp"}))
    assert error.http_status == 400 and error.param == "currency"
    assert "combine currencies" in error.user_message


def test_at_most_250_items_per_invoice(emulator, stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (100,))
    state = emulator.state
    template = state.store.get(INVOICE_ITEMS,
                               invoice.lines.data[0].parent.invoice_item_details.invoice_item)
    # 249 more items through the backend directly (fast), the 251st through the API.
    with state.store.transaction():
        stored = state.store.require(INVOICES, invoice.id)
        for n in range(249):
            item = dict(template, id=f"ii_bulk{n}_{invoice.id[-6:]}", invoice=None)
            attach_item(state, stored, item)
            state.store.insert(INVOICE_ITEMS, item)
        save_invoice(state, stored)
    assert stripe_client.v1.invoices.retrieve(invoice.id).total == 25_000
    error = refusal(lambda: stripe_client.v1.invoice_items.create(
        {"invoice": invoice.id, "amount": 1, "currency": "usd"}))
    assert error.http_status == 400 and error.param == "invoice"
    assert "250" in error.user_message


def test_list_filters_customer_invoice_pending(stripe_client):
    buyer = customer(stripe_client)
    pending = stripe_client.v1.invoice_items.create({"customer": buyer.id, "amount": 10,
                                                     "currency": "usd"})
    invoice = draft(stripe_client, buyer.id, (20,))
    attached_id = invoice.lines.data[0].parent.invoice_item_details.invoice_item
    by_customer = stripe_client.v1.invoice_items.list({"customer": buyer.id}).data
    assert [i.id for i in by_customer] == [attached_id, pending.id]  # newest first
    assert [i.id for i in stripe_client.v1.invoice_items.list(
        {"customer": buyer.id, "pending": True}).data] == [pending.id]
    assert [i.id for i in stripe_client.v1.invoice_items.list(
        {"invoice": invoice.id}).data] == [attached_id]
    repriced = stripe_client.v1.invoice_items.update(pending.id, {"amount": 15,
                                                                 "metadata": {"k": "v"}})
    assert (repriced.amount, repriced.invoice, repriced.metadata.k) == (15, None, "v")


def test_pending_items_join_an_invoice_created_with_include(stripe_client):
    buyer = customer(stripe_client)
    first = stripe_client.v1.invoice_items.create({"customer": buyer.id, "amount": 100,
                                                   "currency": "usd"})
    second = stripe_client.v1.invoice_items.create({"customer": buyer.id, "amount": 200,
                                                    "currency": "usd"})
    excluded = stripe_client.v1.invoices.create({"customer": buyer.id})
    assert excluded.total == 0 and excluded.lines.data == []
    included = stripe_client.v1.invoices.create({"customer": buyer.id,
                                                 "pending_invoice_items_behavior": "include"})
    assert included.total == 300
    ids = [line.parent.invoice_item_details.invoice_item for line in included.lines.data]
    assert ids == [second.id, first.id]  # swept newest first
    assert stripe_client.v1.invoice_items.retrieve(first.id).invoice == included.id


def test_item_refusals_name_the_parameter(stripe_client):
    buyer = customer(stripe_client)
    recurring = price(stripe_client, recurring={"interval": "month"})
    cases = [
        ({"amount": 5, "currency": "usd"}, "customer", "parameter_missing"),
        ({"customer": buyer.id, "amount": 5}, "currency", "parameter_missing"),
        ({"customer": buyer.id}, "amount", "parameter_missing"),
        ({"customer": buyer.id, "amount": 5, "currency": "usd", "quantity": 2}, "quantity",
         "parameters_exclusive"),
        ({"customer": buyer.id, "pricing": {"price": recurring.id}}, "pricing[price]", None),
        ({"customer": buyer.id, "pricing": {"price": "price_nope"}}, "pricing[price]",
         "resource_missing"),
        ({"customer": "cus_nope", "amount": 5, "currency": "usd"}, "customer",
         "resource_missing"),
        ({"customer": buyer.id, "amount": 5, "currency": "usd", "colour": "red"}, "colour",
         "parameter_unknown"),
        ({"customer": buyer.id, "amount": 5, "currency": "xyz"}, "currency", None),
    ]
    for params, param, code in cases:
        error = refusal(lambda p=params: stripe_client.v1.invoice_items.create(p))
        assert (error.http_status, error.param, error.code) == (400, param, code), params


def test_deleted_invoice_item_stub_and_missing_item(stripe_client):
    error = refusal(lambda: stripe_client.v1.invoice_items.delete("ii_missing"))
    assert isinstance(error, stripe.InvalidRequestError)
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")
