"""Invoices on drafts and reads: create defaults and due terms, update, delete, list
filters, search, lines pagination, expand, and the endive shape of every object."""

from __future__ import annotations

import time

from tests.emulator.helpers import events_about, tag
from tests.emulator.invoicing_helpers import customer, draft, open_invoice, refusal

INVOICE_FIELDS = {
    "account_country", "account_name", "account_tax_ids", "amount_due", "amount_overpaid",
    "amount_paid", "amount_remaining", "amount_shipping", "application", "attempt_count",
    "attempted", "auto_advance", "automatic_tax", "automatically_finalizes_at",
    "billing_reason", "collection_method", "created", "currency", "custom_fields", "customer",
    "customer_account", "customer_address", "customer_email", "customer_name",
    "customer_phone", "customer_shipping", "customer_tax_exempt", "customer_tax_ids",
    "default_payment_method", "default_source", "default_tax_rates", "description",
    "discounts", "due_date", "effective_at", "ending_balance", "footer", "from_invoice",
    "hosted_invoice_url", "id", "invoice_pdf", "issuer", "last_finalization_error",
    "latest_revision", "lines", "livemode", "metadata", "next_payment_attempt", "number",
    "object", "on_behalf_of", "parent", "payment_settings", "period_end", "period_start",
    "post_payment_credit_notes_amount", "pre_payment_credit_notes_amount", "receipt_number",
    "rendering", "shipping_cost", "shipping_details", "starting_balance",
    "statement_descriptor", "status", "status_transitions", "subtotal",
    "subtotal_excluding_tax", "test_clock", "total", "total_discount_amounts",
    "total_excluding_tax", "total_pretax_credit_amounts", "total_taxes",
    "webhooks_delivered_at", "status_details", "threshold_reason"}
ITEM_FIELDS = {
    "amount", "currency", "customer", "customer_account", "date", "description",
    "discountable", "discounts", "id", "invoice", "livemode", "metadata", "net_amount",
    "object", "parent", "period", "pricing", "proration", "quantity", "quantity_decimal",
    "tax_rates", "test_clock", "frozen_fields", "invoicing_rules", "proration_details"}
LINE_FIELDS = {
    "amount", "currency", "description", "discount_amounts", "discountable", "discounts",
    "id", "invoice", "livemode", "metadata", "object", "parent", "period",
    "pretax_credit_amounts", "pricing", "quantity", "quantity_decimal", "subscription",
    "subtotal", "taxes"}
REMOVED_SINCE_BASIL = {"paid", "paid_out_of_band", "charge", "payment_intent", "subscription",
                       "price", "unit_amount", "plan"}


def test_shapes_follow_the_endive_fixtures(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (1299,))
    body = invoice.to_dict()
    assert set(body) == INVOICE_FIELDS
    line = body["lines"]["data"][0]
    assert set(line) == LINE_FIELDS and line["id"].startswith("il_")
    item = stripe_client.v1.invoice_items.retrieve(
        line["parent"]["invoice_item_details"]["invoice_item"]).to_dict()
    assert set(item) == ITEM_FIELDS
    assert not REMOVED_SINCE_BASIL & set(body)
    assert not REMOVED_SINCE_BASIL & set(item)
    assert not {"price", "unit_amount", "plan"} & set(line)


def test_create_defaults(stripe_client):
    buyer = customer(stripe_client, name="Defaults Co", email="d@co.test")
    invoice = stripe_client.v1.invoices.create({"customer": buyer.id})
    assert invoice.id.startswith("in_") and invoice.status == "draft"
    assert invoice.collection_method == "charge_automatically"
    assert invoice.auto_advance is False and invoice.automatically_finalizes_at is None
    assert invoice.billing_reason == "manual" and invoice.currency == "usd"
    assert invoice.number is None and invoice.hosted_invoice_url is None
    assert invoice.due_date is None and invoice.ending_balance is None
    assert (invoice.customer_name, invoice.customer_email) == ("Defaults Co", "d@co.test")
    assert invoice.lines.url == f"/v1/invoices/{invoice.id}/lines"
    assert events_about(stripe_client, invoice.id, "invoice.created")
    stripe_client.v1.customers.update(buyer.id, {"name": "Renamed Co", "balance": -300})
    mirrored = stripe_client.v1.invoices.retrieve(invoice.id)
    assert (mirrored.customer_name, mirrored.starting_balance) == ("Renamed Co", -300)


def test_create_with_send_invoice_terms(stripe_client):
    buyer = customer(stripe_client)
    invoice = stripe_client.v1.invoices.create({
        "customer": buyer.id, "collection_method": "send_invoice", "days_until_due": 14,
        "description": "Memo", "footer": "Thanks", "metadata": {"ref": "A1"},
        "custom_fields": [{"name": "PO", "value": "4711"}], "currency": "eur"})
    assert invoice.due_date == invoice.created + 14 * 86_400
    assert (invoice.description, invoice.footer, invoice.currency) == ("Memo", "Thanks", "eur")
    assert invoice.custom_fields[0].to_dict() == {"name": "PO", "value": "4711"}
    due = int(time.time()) + 30 * 86_400
    fixed = stripe_client.v1.invoices.create({"customer": buyer.id, "due_date": due,
                                              "collection_method": "send_invoice"})
    assert fixed.due_date == due


def test_due_terms_refusals(stripe_client):
    buyer = customer(stripe_client)
    cases = [
        ({"collection_method": "send_invoice"}, "days_until_due", None,
         "If invoice collection method is 'send_invoice', you must specify 'due_date' or "
         "'days_until_due'."),
        ({"collection_method": "send_invoice", "days_until_due": 3, "due_date": 2_000_000_000},
         "due_date", "parameters_exclusive",
         "You may only specify one of these parameters: days_until_due, due_date."),
        ({"days_until_due": 3}, "days_until_due", None,
         "You can only specify 'due_date' or 'days_until_due' if invoice collection method "
         "is 'send_invoice'."),
        ({"collection_method": "by_pigeon"}, "collection_method", None, None),
    ]
    for extra, param, code, message in cases:
        error = refusal(lambda e=extra: stripe_client.v1.invoices.create(
            {"customer": buyer.id, **e}))
        assert (error.http_status, error.param, error.code) == (400, param, code)
        if message:
            assert error.user_message == message
    missing = refusal(lambda: stripe_client.v1.invoices.create({}))
    assert (missing.param, missing.code) == ("customer", "parameter_missing")
    nobody = refusal(lambda: stripe_client.v1.invoices.create({"customer": "cus_nobody"}))
    assert (nobody.http_status, nobody.param, nobody.code) == (400, "customer",
                                                               "resource_missing")


def test_update_a_draft_emits_previous_attributes(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (500,))
    updated = stripe_client.v1.invoices.update(invoice.id, {
        "description": "New memo", "collection_method": "send_invoice", "days_until_due": 10})
    assert updated.description == "New memo" and updated.collection_method == "send_invoice"
    assert updated.due_date == invoice.created + 10 * 86_400
    event = events_about(stripe_client, invoice.id, "invoice.updated")[0]
    previous = event.data.previous_attributes.to_dict()
    assert previous["description"] is None
    assert previous["collection_method"] == "charge_automatically"


def test_finalized_invoice_refuses_field_updates_but_takes_metadata(stripe_client):
    invoice = open_invoice(stripe_client)
    for field, value in (("description", "late"), ("footer", "x"), ("days_until_due", 3)):
        error = refusal(lambda f=field, v=value: stripe_client.v1.invoices.update(
            invoice.id, {f: v}))
        assert error.http_status == 400 and error.param == field
        assert error.user_message == "Finalized invoices can't be updated in this way"
    switched = stripe_client.v1.invoices.update(invoice.id, {"auto_advance": True})
    assert switched.auto_advance is True
    paid = stripe_client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    error = refusal(lambda: stripe_client.v1.invoices.update(paid.id, {"auto_advance": True}))
    assert (error.http_status, error.param) == (400, "auto_advance")
    tagged = stripe_client.v1.invoices.update(paid.id, {"metadata": {"crm": "42"}})
    assert tagged.metadata.to_dict() == {"crm": "42"} and tagged.status == "paid"


def test_delete_only_drafts(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (100,))
    gone = stripe_client.v1.invoices.delete(invoice.id)
    assert gone.to_dict() == {"id": invoice.id, "object": "invoice", "deleted": True}
    assert events_about(stripe_client, invoice.id, "invoice.deleted")
    error = refusal(lambda: stripe_client.v1.invoices.retrieve(invoice.id))
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")
    finalized = open_invoice(stripe_client)
    error = refusal(lambda: stripe_client.v1.invoices.delete(finalized.id))
    assert error.http_status == 400 and error.user_message == "You can only delete draft invoices."


def test_list_filters(stripe_client):
    buyer = customer(stripe_client)
    first = draft(stripe_client, buyer.id, (100,))
    second = stripe_client.v1.invoices.finalize_invoice(
        draft(stripe_client, buyer.id, (200,), collection_method="send_invoice",
              days_until_due=5).id)
    mine = stripe_client.v1.invoices.list({"customer": buyer.id})
    assert [i.id for i in mine.data] == [second.id, first.id] and mine.url == "/v1/invoices"
    opened = stripe_client.v1.invoices.list({"customer": buyer.id, "status": "open"}).data
    assert [i.id for i in opened] == [second.id]
    sending = stripe_client.v1.invoices.list({"customer": buyer.id,
                                              "collection_method": "send_invoice"}).data
    assert [i.id for i in sending] == [second.id]
    due = stripe_client.v1.invoices.list({"customer": buyer.id,
                                          "due_date": {"gt": second.due_date - 1}}).data
    assert [i.id for i in due] == [second.id]
    created = stripe_client.v1.invoices.list({"customer": buyer.id,
                                              "created": {"lt": first.created}}).data
    assert created == []
    page = stripe_client.v1.invoices.list({"customer": buyer.id, "limit": 1})
    assert page.has_more is True
    error = refusal(lambda: stripe_client.v1.invoices.list({"status": "overdue"}))
    assert error.param == "status" and error.user_message == (
        "Invalid status: must be one of draft, open, void, paid, or uncollectible")


def test_search_by_number_status_customer_total_metadata(stripe_client):
    marker = tag()
    invoice = open_invoice(stripe_client, (4321,), metadata={"batch": marker})
    by_number = stripe_client.v1.invoices.search({"query": f"number:'{invoice.number}'"})
    assert by_number.object == "search_result" and [i.id for i in by_number.data] == [invoice.id]
    lower = stripe_client.v1.invoices.search({"query": f"number:'{invoice.number.lower()}'"})
    assert [i.id for i in lower.data] == [invoice.id]
    combined = stripe_client.v1.invoices.search({"query": (
        f"metadata['batch']:'{marker}' AND status:'open' AND total:4321 AND "
        f"customer:'{invoice.customer}' AND currency:'usd'")})
    assert [i.id for i in combined.data] == [invoice.id]
    assert stripe_client.v1.invoices.search(
        {"query": f"metadata['batch']:'{marker}' AND status:'paid'"}).data == []
    error = refusal(lambda: stripe_client.v1.invoices.search({"query": "number:"}))
    assert error.http_status == 400 and error.param == "query"


def test_lines_are_paginated(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, tuple(range(1, 13)))
    assert len(invoice.lines.data) == 10 and invoice.lines.has_more is True
    first = stripe_client.v1.invoices.line_items.list(invoice.id, {"limit": 5})
    assert [line.amount for line in first.data] == [1, 2, 3, 4, 5] and first.has_more
    everything = list(stripe_client.v1.invoices.line_items.list(invoice.id).auto_paging_iter())
    assert [line.amount for line in everything] == list(range(1, 13))
    back = stripe_client.v1.invoices.line_items.list(invoice.id, {
        "ending_before": first.data[-1].id, "limit": 2})
    assert [line.amount for line in back.data] == [3, 4]
    error = refusal(lambda: stripe_client.v1.invoices.line_items.list("in_missing"))
    assert (error.http_status, error.param) == (404, "invoice")


def test_expand_customer_lines_and_prices(stripe_client):
    buyer = customer(stripe_client, name="Expandable")
    invoice = draft(stripe_client, buyer.id, (100,))
    expanded = stripe_client.v1.invoices.retrieve(invoice.id, {"expand": [
        "customer", "lines", "lines.data.pricing.price_details.price"]})
    assert expanded.customer.name == "Expandable"
    assert expanded.lines.data[0].pricing.price_details.price.unit_amount == 100
    listed = stripe_client.v1.invoices.list({"customer": buyer.id,
                                             "expand": ["data.customer"]})
    assert listed.data[0].customer.id == buyer.id
    error = refusal(lambda: stripe_client.v1.invoices.list({"expand": ["customer"]}))
    assert error.param == "expand"


def test_a_listed_draft_shows_its_customers_current_name(stripe_client):
    customer = stripe_client.v1.customers.create(params={"name": "Before Rename"})
    draft = stripe_client.v1.invoices.create(params={"customer": customer.id,
                                                    "auto_advance": False})
    stripe_client.v1.customers.update(customer.id, params={"name": "After Rename"})
    listed = stripe_client.v1.invoices.list(params={"customer": customer.id}).data
    assert [invoice.customer_name for invoice in listed] == ["After Rename"]
    assert stripe_client.v1.invoices.retrieve(draft.id).customer_name == "After Rename"
