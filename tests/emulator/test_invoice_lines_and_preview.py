"""A draft's line endpoints (add/update/remove lines, one line's update) and
``invoices.create_preview`` (the invoice that would be made; nothing is kept)."""

from __future__ import annotations

from tests.emulator.helpers import events_about
from tests.emulator.invoicing_helpers import customer, draft, open_invoice, price, refusal


def test_add_lines_creates_items_and_attaches_pending_ones(stripe_client):
    buyer = customer(stripe_client)
    catalog = price(stripe_client, unit_amount=700)
    pending = stripe_client.v1.invoice_items.create({"customer": buyer.id, "amount": 300,
                                                     "currency": "usd"})
    invoice = draft(stripe_client, buyer.id)
    rate = stripe_client.v1.tax_rates.create({"display_name": "VAT", "percentage": 10,
                                              "inclusive": False})
    added = stripe_client.v1.invoices.add_lines(invoice.id, {
        "lines": [
            {"pricing": {"price": catalog.id}, "quantity": 2, "tax_rates": [rate.id]},
            {"price_data": {"currency": "usd", "product_data": {"name": "Rush fee"},
                            "unit_amount": 250}, "description": "Rush"},
            {"invoice_item": pending.id},
        ],
        "invoice_metadata": {"po": "PO-9"}})
    assert [line.amount for line in added.lines.data] == [1400, 250, 300]
    assert [line.description for line in added.lines.data][1] == "Rush"
    assert added.lines.data[0].taxes[0].amount == 140
    assert (added.subtotal, added.total) == (1950, 2090)
    assert added.metadata.to_dict() == {"po": "PO-9"}
    assert stripe_client.v1.invoice_items.retrieve(pending.id).invoice == invoice.id
    assert events_about(stripe_client, invoice.id, "invoice.updated")
    missing = refusal(lambda: stripe_client.v1.invoices.add_lines(invoice.id, {
        "lines": [{"pricing": {"price": "price_missing"}}]}))
    assert (missing.http_status, missing.code, missing.param) == (
        400, "resource_missing", "lines[0][pricing][price]")


def test_update_lines_and_one_line_change_their_items(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (1000, 2000))
    first, second = invoice.lines.data
    updated = stripe_client.v1.invoices.update_lines(invoice.id, {"lines": [
        {"id": first.id, "amount": 1500, "description": "Changed"},
        {"id": second.id, "quantity": 3}]})
    assert [line.amount for line in updated.lines.data] == [1500, 6000]
    item_id = first.parent.invoice_item_details.invoice_item
    assert stripe_client.v1.invoice_items.retrieve(item_id).description == "Changed"
    line = stripe_client.v1.invoices.line_items.update(invoice.id, second.id,
                                                       {"quantity": 1, "metadata": {"k": "v"}})
    assert (line.object, line.id, line.amount, line.metadata.to_dict()) == (
        "line_item", second.id, 2000, {"k": "v"})
    assert stripe_client.v1.invoices.retrieve(invoice.id).total == 3500
    unknown = refusal(lambda: stripe_client.v1.invoices.update_lines(invoice.id, {
        "lines": [{"id": "il_missing", "amount": 5}]}))
    assert (unknown.http_status, unknown.param) == (400, "lines[0][id]")
    gone = refusal(lambda: stripe_client.v1.invoices.line_items.update(invoice.id, "il_missing",
                                                                       {"amount": 5}))
    assert (gone.http_status, gone.code) == (404, "resource_missing")


def test_remove_lines_deletes_or_unassigns(stripe_client):
    buyer = customer(stripe_client)
    invoice = draft(stripe_client, buyer.id, (100, 200, 400))
    one, two, three = invoice.lines.data
    kept_item = two.parent.invoice_item_details.invoice_item
    dropped_item = one.parent.invoice_item_details.invoice_item
    removed = stripe_client.v1.invoices.remove_lines(invoice.id, {"lines": [
        {"id": one.id, "behavior": "delete"}, {"id": two.id, "behavior": "unassign"}]})
    assert [line.id for line in removed.lines.data] == [three.id]
    assert removed.total == 400
    assert stripe_client.v1.invoice_items.retrieve(kept_item).invoice is None
    assert events_about(stripe_client, dropped_item, "invoiceitem.deleted")


def test_line_edits_need_a_draft(stripe_client):
    invoice = open_invoice(stripe_client, (500,))
    line = invoice.lines.data[0]
    for call in (
        lambda: stripe_client.v1.invoices.add_lines(invoice.id, {"lines": [{"amount": 5}]}),
        lambda: stripe_client.v1.invoices.remove_lines(invoice.id, {"lines": [
            {"id": line.id, "behavior": "delete"}]}),
        lambda: stripe_client.v1.invoices.line_items.update(invoice.id, line.id, {"amount": 5}),
    ):
        error = refusal(call)
        assert (error.http_status, error.code) == (400, "invoice_not_editable")


def test_preview_computes_discounts_taxes_and_total_and_keeps_nothing(stripe_client):
    buyer = customer(stripe_client)
    pending = stripe_client.v1.invoice_items.create({"customer": buyer.id, "amount": 1000,
                                                     "currency": "usd"})
    rate = stripe_client.v1.tax_rates.create({"display_name": "Sales tax", "percentage": 8.25,
                                              "inclusive": False})
    coupon = stripe_client.v1.coupons.create({"percent_off": 20, "max_redemptions": 1})
    events_before = stripe_client.v1.events.list({"limit": 1}).data[0].id
    preview = stripe_client.v1.invoices.create_preview({
        "customer": buyer.id, "discounts": [{"coupon": coupon.id}],
        "invoice_items": [{"amount": 2000, "currency": "usd", "tax_rates": [rate.id],
                           "description": "Extra"}]})
    assert preview.id.startswith("upcoming_in_") and preview.status == "draft"
    assert [line.id[:7] for line in preview.lines.data] == ["il_tmp_", "il_tmp_"]
    # The customer's pending item first (swept at creation), then the one given.
    assert [line.amount for line in preview.lines.data] == [1000, 2000]
    assert [[d.amount for d in line.discount_amounts] for line in preview.lines.data] == [
        [200], [400]]
    assert preview.lines.data[1].taxes[0].amount == 132  # 8.25% of 1600 = 132
    assert (preview.subtotal, preview.total, preview.amount_due) == (3000, 2532, 2532)
    assert preview.total_discount_amounts[0].amount == 600
    # Nothing was kept: no invoice, the coupon unredeemed, the pending item untouched.
    assert stripe_client.v1.invoices.list({"customer": buyer.id}).data == []
    assert stripe_client.v1.coupons.retrieve(coupon.id).times_redeemed == 0
    assert stripe_client.v1.invoice_items.retrieve(pending.id).invoice is None
    assert stripe_client.v1.events.list({"limit": 1}).data[0].id == events_before


def test_preview_for_customer_details_and_nothing_to_bill(stripe_client):
    preview = stripe_client.v1.invoices.create_preview({
        "customer_details": {"address": {"country": "FR"}},
        "currency": "eur", "invoice_items": [{"unit_amount": 500, "quantity": 2,
                                              "currency": "eur"}]})
    assert (preview.customer, preview.currency, preview.total) == (None, "eur", 1000)
    assert preview.customer_address.country == "FR"
    buyer = customer(stripe_client)
    none = refusal(lambda: stripe_client.v1.invoices.create_preview({"customer": buyer.id}))
    assert (none.http_status, none.code) == (400, "invoice_upcoming_none")
    nobody = refusal(lambda: stripe_client.v1.invoices.create_preview({"customer": "cus_nope"}))
    assert (nobody.http_status, nobody.code, nobody.param) == (400, "resource_missing",
                                                               "customer")
