"""New invoice page: the tax-rate and coupon pickers, Stripe's totals and the saved draft.

Through AppTest on real services and the emulator. Figures by hand, Stripe's rules:
2 × 50.00 = 100.00; a 10 % coupon on the item takes 10.00 (subtotal 90.00); 20 %
exclusive VAT on 90.00 = 18.00; total 108.00.
"""

from __future__ import annotations

from tests.ui import seed
from tests.ui.test_new_invoice_page import create_button
from ui.draft_items import FORM, ITEM_FORM
from ui.forms import widget_key

PAGE = "pages/new_invoice.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def vat(services, percentage: str = "20", inclusive: bool = False):
    return services.catalog.taxes.create_tax_rate(
        seed.ADMIN, display_name="VAT", percentage_text=percentage, inclusive=inclusive,
        country=None, jurisdiction=None, description=None, form_nonce=seed.nonce())


def coupon(services, name: str, *, percent: str | None = None, amount: str | None = None,
           currency: str | None = None):
    return services.catalog.taxes.create_coupon(
        seed.ADMIN, name=name, percent_off_text=percent, amount_off_text=amount,
        currency=currency, max_redemptions=None, redeem_by=None, form_nonce=seed.nonce())


def test_item_coupon_and_invoice_tax_rate_give_stripes_total_and_are_saved(
    app_test, services, stripe_client
):
    buyer, price = seed.customer(services), seed.one_time_price(services, "50.00")
    rate, loyalty = vat(services), coupon(services, "Loyalty", percent="10")
    at = app_test(PAGE, role="clerk").run()
    at.selectbox(key=widget_key(FORM, "customer")).set_value(buyer.id)
    at.selectbox(key=widget_key(ITEM_FORM, "price")).set_value(price.id)
    at.number_input(key=widget_key(ITEM_FORM, "quantity")).set_value(2)
    at.multiselect(key=widget_key(ITEM_FORM, "coupons")).set_value([loyalty.id])
    at.button(key="add_item").click().run()
    (row,) = at.dataframe[0].value.to_dict("records")
    assert (row["Amount"], row["Coupons"]) == ("$100.00", loyalty.label)
    assert metrics(at)["Total (1 item)"] == "$90.00"  # the coupon, no tax yet
    at.multiselect(key=widget_key(FORM, "default_tax_rates")).set_value([rate.id]).run()
    assert not at.exception
    assert metrics(at)["Total (1 item)"] == "$108.00"
    create_button(at).click().run()
    (saved,) = stripe_client.v1.invoices.list({"customer": buyer.id}).data
    assert [r.id for r in saved.default_tax_rates] == [rate.id]
    assert (saved.subtotal, saved.total) == (9000, 10800)
    assert [d.amount for d in saved.total_discount_amounts] == [1000]
    assert saved.discounts == []  # the coupon is the item's, not the invoice's
    next(b for b in at.button if b.label == "Start another invoice").click().run()
    assert at.multiselect(key=widget_key(FORM, "default_tax_rates")).value == []  # cleared


def test_invoice_coupon_and_an_item_rate_of_its_own(app_test, services, stripe_client):
    buyer, price = seed.customer(services), seed.one_time_price(services, "50.00")
    standard, reduced = vat(services, "20"), vat(services, "7")
    welcome = coupon(services, "Welcome", amount="5.00", currency="usd")
    at = app_test(PAGE, role="clerk").run()
    at.selectbox(key=widget_key(FORM, "customer")).set_value(buyer.id)
    at.selectbox(key=widget_key(ITEM_FORM, "price")).set_value(price.id)
    at.multiselect(key=widget_key(ITEM_FORM, "tax_rates")).set_value([reduced.id])
    at.button(key="add_item").click().run()
    at.multiselect(key=widget_key(FORM, "default_tax_rates")).set_value([standard.id])
    at.multiselect(key=widget_key(FORM, "coupons")).set_value([welcome.id]).run()
    # 50.00 − 5.00 = 45.00; the item's own 7 % (not the invoice's 20 %) = 3.15
    assert metrics(at)["Total (1 item)"] == "$48.15"
    create_button(at).click().run()
    (saved,) = stripe_client.v1.invoices.list({"customer": buyer.id}).data
    assert saved.total == 4815 and [t.amount for t in saved.total_taxes] == [315]
    assert len(saved.discounts) == 1


def test_pickers_offer_only_what_can_go_on_this_invoice(app_test, services):
    kept, archived = vat(services, "19"), vat(services, "16")
    services.catalog.taxes.archive_tax_rate(seed.ADMIN, archived.id, form_nonce=seed.nonce())
    in_usd = coupon(services, "Five dollars", amount="5.00", currency="usd")
    in_eur = coupon(services, "Five euros", amount="5.00", currency="eur")
    percent = coupon(services, "Ten percent", percent="10")
    at = app_test(PAGE, role="clerk").run()
    for picker in (widget_key(FORM, "default_tax_rates"), widget_key(ITEM_FORM, "tax_rates")):
        assert at.multiselect(key=picker).options == [kept.label]
    for picker in (widget_key(FORM, "coupons"), widget_key(ITEM_FORM, "coupons")):
        assert sorted(at.multiselect(key=picker).options) == sorted(
            [in_usd.label, percent.label])
    at.selectbox(key=widget_key(FORM, "currency")).set_value("eur").run()
    assert sorted(at.multiselect(key=widget_key(FORM, "coupons")).options) == sorted(
        [in_eur.label, percent.label])


def test_a_coupon_deleted_after_it_was_chosen_is_named_and_nothing_is_saved(
    app_test, services, stripe_client
):
    buyer = seed.customer(services)
    gone = coupon(services, "Gone soon", percent="10")
    at = app_test(PAGE, role="clerk").run()
    at.selectbox(key=widget_key(FORM, "customer")).set_value(buyer.id)
    at.segmented_control(key=widget_key(ITEM_FORM, "kind")).set_value("Custom amount").run()
    at.text_input(key=widget_key(ITEM_FORM, "description")).input("Setup")
    at.text_input(key=widget_key(ITEM_FORM, "amount")).input("80.00")
    at.button(key="add_item").click().run()
    at.multiselect(key=widget_key(FORM, "coupons")).set_value([gone.id]).run()
    assert metrics(at)["Total (1 item)"] == "$72.00"
    services.catalog.taxes.delete_coupon(seed.ADMIN, gone.id, form_nonce=seed.nonce())
    create_button(at).click().run()
    assert dict(at.session_state[f"_errors.{FORM}"]) == {
        "discounts": f"There is no coupon {gone.id}."}  # shown under the coupon picker
    gone_text = f"There is no coupon {gone.id}."
    # under the coupon picker, and summed up under the button
    assert [e.value for e in at.error] == [gone_text, f"Not saved: {gone_text} (marked above)"]
    assert list(stripe_client.v1.invoices.list({"customer": buyer.id}).data) == []
