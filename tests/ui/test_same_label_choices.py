"""Two tax rates (or coupons) that read alike are still two choices in the pickers.

Streamlit keeps a picker's choice by its shown text; equal labels would fold two
different rates into one and the form would say "chosen twice". Through AppTest on
real services and the emulator.
"""

from __future__ import annotations

from tests.ui import seed
from tests.ui.test_new_invoice_page import create_button
from tests.ui.test_new_invoice_taxes_coupons import coupon, vat
from ui.draft_items import FORM, ITEM_FORM
from ui.forms import widget_key

PAGE = "pages/new_invoice.py"


def test_two_rates_and_two_coupons_with_one_label_are_both_applied(
    app_test, services, stripe_client
):
    buyer, price = seed.customer(services), seed.one_time_price(services, "50.00")
    first, second = vat(services, "10"), vat(services, "10")
    assert first.label == second.label
    one, other = coupon(services, "Spring", amount="1.00", currency="usd"), coupon(
        services, "Spring", amount="1.00", currency="usd")
    at = app_test(PAGE, role="clerk").run()
    rates = at.multiselect(key=widget_key(FORM, "default_tax_rates"))
    shown = rates.options
    assert len(set(shown)) == len(shown)  # no two rates read alike
    at.selectbox(key=widget_key(FORM, "customer")).set_value(buyer.id)
    at.selectbox(key=widget_key(ITEM_FORM, "price")).set_value(price.id)
    at.button(key="add_item").click().run()
    at.multiselect(key=widget_key(FORM, "default_tax_rates")).set_value([first.id, second.id])
    at.multiselect(key=widget_key(FORM, "coupons")).set_value([one.id, other.id]).run()
    assert not at.exception
    assert at.multiselect(key=widget_key(FORM, "default_tax_rates")).value == [first.id, second.id]
    assert at.multiselect(key=widget_key(FORM, "coupons")).value == [one.id, other.id]
    create_button(at).click().run()
    assert not [e.value for e in at.error]
    (saved,) = stripe_client.v1.invoices.list({"customer": buyer.id}).data
    assert sorted(r.id for r in saved.default_tax_rates) == sorted([first.id, second.id])
    assert len(saved.discounts) == 2
    # 50.00 − 2 × 1.00 = 48.00; two 10 % exclusive rates on 48.00 = 2 × 4.80
    assert saved.total == 4800 + 960


def test_removal_picker_tells_alike_rates_apart(app_test, services):
    vat(services, "10"), vat(services, "10")
    at = app_test("pages/catalog.py", role="admin").run()
    options = at.selectbox(key="archive_tax_rate_choice").options
    assert len(options) == 2 and len(set(options)) == 2
