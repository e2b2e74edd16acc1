"""Tax rates, coupons and discounts on invoices, and the totals Stripe computes from them.

Discounts come before tax; each line and each tax rate is rounded on its own, half up
(Stripe's support example: 15% of $0.43 and of $4.84 is $0.06 + $0.73 = $0.79).
"""

from __future__ import annotations

import stripe

from tests.emulator.helpers import events_about, tag
from tests.emulator.invoicing_helpers import customer, refusal


def _rate(client, percentage, inclusive=False, **fields):
    return client.v1.tax_rates.create({"display_name": fields.pop("display_name", "VAT"),
                                       "percentage": percentage, "inclusive": inclusive,
                                       **fields})


def _invoice(client, amounts, **fields):
    buyer = customer(client)
    invoice = client.v1.invoices.create({"customer": buyer.id, **fields})
    for amount in amounts:
        client.v1.invoice_items.create({"invoice": invoice.id, "amount": amount,
                                        "currency": "usd", "description": f"Work {amount}"})
    return client.v1.invoices.retrieve(invoice.id)


def test_tax_rate_create_retrieve_update_list(stripe_client):
    marker = tag()
    rate = _rate(stripe_client, 19, country="de", jurisdiction="DE", tax_type="vat",
                 description=f"VAT Germany {marker}", metadata={"k": marker})
    assert rate.id.startswith("txr_") and rate.object == "tax_rate"
    assert (rate.percentage, rate.inclusive, rate.active, rate.country) == (19.0, False, True,
                                                                            "DE")
    assert (rate.jurisdiction, rate.tax_type, rate.display_name) == ("DE", "vat", "VAT")
    changed = stripe_client.v1.tax_rates.update(rate.id, {"active": False,
                                                          "display_name": "MwSt"})
    assert (changed.active, changed.display_name, changed.percentage) == (False, "MwSt", 19.0)
    assert stripe_client.v1.tax_rates.retrieve(rate.id).display_name == "MwSt"
    archived = stripe_client.v1.tax_rates.list({"active": False, "limit": 100}).data
    assert rate.id in [r.id for r in archived]
    assert events_about(stripe_client, rate.id, "tax_rate.updated")
    fixed = refusal(lambda: stripe_client.v1.tax_rates.update(rate.id, {"percentage": 5}))
    assert (fixed.code, fixed.param) == ("parameter_unknown", "percentage")
    missing = refusal(lambda: stripe_client.v1.tax_rates.create({"display_name": "VAT",
                                                                 "inclusive": False}))
    assert (missing.code, missing.param) == ("parameter_missing", "percentage")


def test_exclusive_default_tax_rates_round_each_line_half_up(stripe_client):
    rate = _rate(stripe_client, 15)
    invoice = _invoice(stripe_client, (43, 484), default_tax_rates=[rate.id])
    assert [t.amount for line in invoice.lines.data for t in line.taxes] == [6, 73]
    assert (invoice.subtotal, invoice.total, invoice.total_excluding_tax) == (527, 606, 527)
    assert invoice.default_tax_rates[0].id == rate.id
    total_tax = invoice.total_taxes[0]
    assert (total_tax.amount, total_tax.taxable_amount, total_tax.tax_behavior) == (
        79, 527, "exclusive")
    assert total_tax.tax_rate_details.tax_rate == rate.id and total_tax.type == \
        "tax_rate_details"
    assert invoice.amount_due == 606


def test_inclusive_tax_is_inside_the_amount(stripe_client):
    rate = _rate(stripe_client, 20, inclusive=True)
    invoice = _invoice(stripe_client, (1200,), default_tax_rates=[rate.id])
    tax = invoice.lines.data[0].taxes[0]
    assert (tax.amount, tax.taxable_amount, tax.tax_behavior) == (200, 1000, "inclusive")
    assert (invoice.subtotal, invoice.subtotal_excluding_tax) == (1200, 1000)
    assert (invoice.total, invoice.total_excluding_tax, invoice.amount_due) == (1200, 1000, 1200)


def test_item_tax_rates_override_the_invoice_defaults(stripe_client):
    standard, reduced = _rate(stripe_client, 20), _rate(stripe_client, 5.5)
    invoice = _invoice(stripe_client, (1000,), default_tax_rates=[standard.id])
    item = stripe_client.v1.invoice_items.create({
        "invoice": invoice.id, "amount": 2000, "currency": "usd", "tax_rates": [reduced.id]})
    assert [r.id for r in item.tax_rates] == [reduced.id]
    invoice = stripe_client.v1.invoices.retrieve(invoice.id)
    taxes = {t.tax_rate_details.tax_rate: t.amount for t in invoice.total_taxes}
    assert taxes == {standard.id: 200, reduced.id: 110}
    assert invoice.total == 3310


def test_invoice_percent_coupon_applies_before_tax(stripe_client):
    coupon = stripe_client.v1.coupons.create({"percent_off": 10, "duration": "once",
                                              "name": "Ten off"})
    rate = _rate(stripe_client, 20)
    invoice = _invoice(stripe_client, (1000, 500), default_tax_rates=[rate.id],
                       discounts=[{"coupon": coupon.id}])
    [discount_id] = invoice.discounts
    assert discount_id.startswith("di_")
    lines = invoice.lines.data
    assert [[(d.amount, d.discount) for d in line.discount_amounts] for line in lines] == [
        [(100, discount_id)], [(50, discount_id)]]
    assert [line.taxes[0].amount for line in lines] == [180, 90]
    assert [line.taxes[0].taxable_amount for line in lines] == [900, 450]
    assert (invoice.subtotal, invoice.total, invoice.total_excluding_tax) == (1500, 1620, 1350)
    assert [(d.amount, d.discount) for d in invoice.total_discount_amounts] == [
        (150, discount_id)]
    assert invoice.total_pretax_credit_amounts[0].type == "discount"
    assert stripe_client.v1.coupons.retrieve(coupon.id).times_redeemed == 1
    expanded = stripe_client.v1.invoices.retrieve(
        invoice.id, {"expand": ["discounts.source.coupon", "total_discount_amounts.discount"]})
    assert expanded.discounts[0].source.coupon.name == "Ten off"
    assert expanded.discounts[0].invoice == invoice.id
    assert expanded.total_discount_amounts[0].discount.id == discount_id


def test_amount_off_coupon_is_spread_over_lines_in_proportion(stripe_client):
    coupon = stripe_client.v1.coupons.create({"amount_off": 500, "currency": "usd"})
    invoice = _invoice(stripe_client, (1000, 3000), discounts=[{"coupon": coupon.id}])
    assert [line.discount_amounts[0].amount for line in invoice.lines.data] == [125, 375]
    assert (invoice.subtotal, invoice.total) == (4000, 3500)
    euro = stripe_client.v1.coupons.create({"amount_off": 500, "currency": "eur"})
    wrong = refusal(lambda: stripe_client.v1.invoices.update(
        invoice.id, {"discounts": [{"coupon": euro.id}]}))
    assert wrong.param == "discounts[0][coupon]"


def test_item_discounts_come_before_invoice_discounts(stripe_client):
    ten = stripe_client.v1.coupons.create({"percent_off": 10})
    half = stripe_client.v1.coupons.create({"percent_off": 50})
    invoice = _invoice(stripe_client, (), discounts=[{"coupon": half.id}])
    item = stripe_client.v1.invoice_items.create({
        "invoice": invoice.id, "amount": 2000, "currency": "usd",
        "discounts": [{"coupon": ten.id}]})
    assert item.discounts[0].startswith("di_") and item.net_amount is None
    invoice = stripe_client.v1.invoices.retrieve(invoice.id)
    line = invoice.lines.data[0]
    assert [d.amount for d in line.discount_amounts] == [200, 900]
    assert line.discounts == item.discounts
    assert (invoice.subtotal, invoice.total) == (1800, 900)
    kept = stripe_client.v1.invoices.update(invoice.id, {"discounts": [
        {"discount": invoice.discounts[0]}]})
    assert kept.discounts == invoice.discounts
    cleared = stripe_client.v1.invoices.update(invoice.id, {"discounts": ""})
    assert (cleared.discounts, cleared.total) == ([], 1800)


def test_coupon_rules_redemptions_and_lifecycle(stripe_client):
    marker = tag()
    once = stripe_client.v1.coupons.create({"id": f"ONCE{marker}", "percent_off": 25.5,
                                            "max_redemptions": 1, "metadata": {"m": marker}})
    assert (once.id, once.percent_off, once.duration, once.valid) == (
        f"ONCE{marker}", 25.5, "once", True)
    _invoice(stripe_client, (1000,), discounts=[{"coupon": once.id}])
    spent = stripe_client.v1.coupons.retrieve(once.id)
    assert (spent.times_redeemed, spent.valid) == (1, False)
    again = refusal(lambda: _invoice(stripe_client, (), discounts=[{"coupon": once.id}]))
    assert (again.http_status, again.param) == (400, "discounts[0][coupon]")
    clash = refusal(lambda: stripe_client.v1.coupons.create({"id": once.id, "percent_off": 5}))
    assert clash.code == "resource_already_exists"
    both = refusal(lambda: stripe_client.v1.coupons.create({"percent_off": 5, "amount_off": 5,
                                                            "currency": "usd"}))
    assert both.code == "parameters_exclusive"
    months = refusal(lambda: stripe_client.v1.coupons.create({"percent_off": 5,
                                                              "duration": "repeating"}))
    assert (months.code, months.param) == ("parameter_missing", "duration_in_months")
    renamed = stripe_client.v1.coupons.update(once.id, {"name": "Launch"})
    assert renamed.name == "Launch"
    assert once.id in [c.id for c in stripe_client.v1.coupons.list({"limit": 100}).data]
    gone = stripe_client.v1.coupons.delete(once.id)
    assert gone.deleted is True
    missing = refusal(lambda: stripe_client.v1.coupons.retrieve(once.id))
    assert (missing.http_status, missing.code) == (404, "resource_missing")


def test_missing_tax_rates_and_coupons_are_missing_references(stripe_client):
    buyer = customer(stripe_client)
    cases = [
        (lambda: stripe_client.v1.invoices.create({"customer": buyer.id,
                                                   "default_tax_rates": ["txr_missing"]}),
         "default_tax_rates[0]"),
        (lambda: stripe_client.v1.invoice_items.create({
            "customer": buyer.id, "amount": 5, "currency": "usd", "tax_rates": ["txr_missing"]}),
         "tax_rates[0]"),
        (lambda: stripe_client.v1.invoices.create({"customer": buyer.id,
                                                   "discounts": [{"coupon": "nope"}]}),
         "discounts[0][coupon]"),
        (lambda: stripe_client.v1.invoice_items.create({
            "customer": buyer.id, "amount": 5, "currency": "usd",
            "discounts": [{"promotion_code": "promo_missing"}]}),
         "discounts[0][promotion_code]"),
    ]
    for call, param in cases:
        error = refusal(call)
        assert (error.http_status, error.code, error.param) == (400, "resource_missing", param)
    listed = stripe_client.v1.invoices.list({"customer": buyer.id}).data
    assert listed == []  # nothing was stored


def test_archived_tax_rate_cannot_be_applied_anew(stripe_client):
    rate = _rate(stripe_client, 7)
    stripe_client.v1.tax_rates.update(rate.id, {"active": False})
    error = refusal(lambda: _invoice(stripe_client, (), default_tax_rates=[rate.id]))
    assert (error.http_status, error.param) == (400, "default_tax_rates[0]")
    assert isinstance(error, stripe.InvalidRequestError)
