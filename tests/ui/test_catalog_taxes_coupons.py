"""Catalog page, tax rates and coupons: create, refusals under the field, archive, delete.

Through AppTest on real services and the emulator: what a finance clerk sees (toasts,
tables, errors under the field) and what Stripe then holds.
"""

from __future__ import annotations

import pytest
import stripe

from tests.ui.conftest import texts
from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    ADMIN,
    needs_invoicing_fixture,
    nonce,
    stripe_services_fixture,
    unique,
)
from tests.ui.test_catalog import PAGE, button, pytestmark  # noqa: F401  (the same page)
from ui.catalog_taxes import COUPON_FORM, TAX_FORM
from ui.forms import widget_key


def table_with(at, column: str):
    """The dataframe that has ``column`` (the tax-rate or the coupon list)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def stripe_tax_rates(client, name: str) -> list:
    return [r for r in client.v1.tax_rates.list({"limit": 100}).auto_paging_iter()
            if r.display_name == name]


def stripe_coupons(client, name: str) -> list:
    return [c for c in client.v1.coupons.list({"limit": 100}).auto_paging_iter()
            if c.name == name]


def test_clerk_creates_a_tax_rate_it_is_listed_and_the_form_empties(
    app_test, stripe_services, stripe_client
):
    name = unique("VAT")[:50]
    at = app_test(PAGE, role="clerk").run()
    at.text_input(key=widget_key(TAX_FORM, "display_name")).input(name)
    at.text_input(key=widget_key(TAX_FORM, "percentage")).input("19 %")
    at.text_input(key=widget_key(TAX_FORM, "country")).input("de")
    button(at, "Create tax rate").click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == [f"Tax rate {name} 19% (excl.) · DE created"]
    (rate,) = stripe_tax_rates(stripe_client, name)
    assert (rate.percentage, rate.inclusive, rate.country, rate.active) == (19, False, "DE",
                                                                            True)
    listed = table_with(at, "Tax rate")
    assert list(listed.loc[listed["Id"] == rate.id, "Percentage"]) == ["19%"]
    assert at.text_input(key=widget_key(TAX_FORM, "display_name")).value == ""


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("percentage", "twenty", "Type the percentage as a number such as 20 or 8.25"),
        ("percentage", "120", "The percentage must be more than 0 and at most 100."),
        ("country", "D1", "The country is a two-letter code such as DE or FR."),
    ],
)
def test_bad_tax_rate_input_is_refused_under_its_field_and_nothing_is_created(
    app_test, stripe_services, stripe_client, field, typed, message
):
    name = unique("Refused tax")
    at = app_test(PAGE, role="clerk").run()
    at.text_input(key=widget_key(TAX_FORM, "display_name")).input(name)
    at.text_input(key=widget_key(TAX_FORM, "percentage")).input("20")
    at.text_input(key=widget_key(TAX_FORM, "country")).input("DE")
    at.text_input(key=widget_key(TAX_FORM, field)).input(typed)
    button(at, "Create tax rate").click().run()
    assert len(at.error) == 1 and message in at.error[0].value
    assert list(at.session_state[f"_errors.{TAX_FORM}"]) == [field]
    assert at.text_input(key=widget_key(TAX_FORM, field)).value == typed  # kept to correct
    assert stripe_tax_rates(stripe_client, name) == []
    assert not at.toast


def test_archiving_a_tax_rate_asks_first_then_it_is_no_longer_offered(
    app_test, stripe_services, stripe_client
):
    kept, rate = (stripe_services.catalog.taxes.create_tax_rate(
        ADMIN, display_name=unique(name)[:50], percentage_text="16", inclusive=False,
        country=None, jurisdiction=None, description=None, form_nonce=nonce())
        for name in ("New VAT", "Old VAT"))
    at = app_test(PAGE, role="clerk").run()
    at.selectbox(key="archive_tax_rate_choice").set_value(rate.id).run()
    at.button(key="archive_tax_rate_button").click().run()
    assert f"**Tax rate {rate.label}** can no longer be put on new invoices" in texts(at)
    assert stripe_client.v1.tax_rates.retrieve(rate.id).active  # nothing happened yet
    at.button(key="confirm_yes.archive_tax_rate").click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == [f"Tax rate {rate.label} archived"]
    assert stripe_client.v1.tax_rates.retrieve(rate.id).active is False
    assert at.selectbox(key="archive_tax_rate_choice").options == [kept.label]
    assert list(table_with(at, "Tax rate")["Id"]) == [kept.id]  # archived ones hidden


def test_clerk_creates_a_percent_and_a_limited_amount_coupon(
    app_test, stripe_services, stripe_client
):
    loyalty, welcome = unique("Loyalty"), unique("Welcome")
    at = app_test(PAGE, role="clerk").run()
    at.text_input(key=widget_key(COUPON_FORM, "name")).input(loyalty)
    at.text_input(key=widget_key(COUPON_FORM, "percent_off")).input("12.5")
    button(at, "Create coupon").click().run()
    assert [t.value for t in at.toast] == [f"Coupon {loyalty} (12.5% off) created"]
    at.text_input(key=widget_key(COUPON_FORM, "name")).input(welcome)
    at.text_input(key=widget_key(COUPON_FORM, "amount_off")).input("5.00")
    at.selectbox(key=widget_key(COUPON_FORM, "currency")).set_value("eur")
    at.checkbox(key=widget_key(COUPON_FORM, "limit_redemptions")).check()
    at.number_input(key=widget_key(COUPON_FORM, "max_redemptions")).set_value(3)
    button(at, "Create coupon").click().run()
    assert not at.exception
    (percent,) = stripe_coupons(stripe_client, loyalty)
    (amount,) = stripe_coupons(stripe_client, welcome)
    assert (percent.percent_off, percent.amount_off, percent.duration) == (12.5, None, "once")
    assert (amount.amount_off, amount.currency, amount.max_redemptions) == (500, "eur", 3)
    listed = table_with(at, "Coupon")
    assert list(listed.loc[listed["Id"] == amount.id, "Used"]) == ["0 of 3"]
    assert at.text_input(key=widget_key(COUPON_FORM, "name")).value == ""


@pytest.mark.parametrize(
    ("percent_off", "amount_off", "field", "message"),
    [
        ("10", "5.00", "percent_off", "Give either a percentage off or an amount off, not both."),
        ("", "", "percent_off", "Give a percentage off or an amount off."),
        ("", "five", "amount_off", "five"),
        ("0", "", "percent_off", "The percentage off must be more than 0 and at most 100."),
    ],
)
def test_bad_coupon_input_is_refused_under_its_field_and_nothing_is_created(
    app_test, stripe_services, stripe_client, percent_off, amount_off, field, message
):
    name = unique("Refused coupon")
    at = app_test(PAGE, role="clerk").run()
    at.text_input(key=widget_key(COUPON_FORM, "name")).input(name)
    at.text_input(key=widget_key(COUPON_FORM, "percent_off")).input(percent_off)
    at.text_input(key=widget_key(COUPON_FORM, "amount_off")).input(amount_off)
    button(at, "Create coupon").click().run()
    assert list(at.session_state[f"_errors.{COUPON_FORM}"]) == [field]
    assert len(at.error) == 1 and message in at.error[0].value
    assert stripe_coupons(stripe_client, name) == []
    assert at.text_input(key=widget_key(COUPON_FORM, "name")).value == name


def test_deleting_a_coupon_asks_first_then_stripe_no_longer_has_it(
    app_test, stripe_services, stripe_client
):
    coupon = stripe_services.catalog.taxes.create_coupon(
        ADMIN, name=unique("Spring"), percent_off_text="15", amount_off_text=None,
        currency=None, max_redemptions=None, redeem_by=None, form_nonce=nonce())
    at = app_test(PAGE, role="clerk").run()
    at.selectbox(key="delete_coupon_choice").set_value(coupon.id).run()
    at.button(key="delete_coupon_button").click().run()
    assert f"**Coupon {coupon.label}** is deleted" in texts(at)
    assert stripe_client.v1.coupons.retrieve(coupon.id).id == coupon.id  # not yet
    at.button(key="confirm_yes.delete_coupon").click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == [f"Coupon {coupon.label} deleted"]
    with pytest.raises(stripe.InvalidRequestError) as gone:
        stripe_client.v1.coupons.retrieve(coupon.id)
    assert (gone.value.http_status, gone.value.code) == (404, "resource_missing")


def test_a_viewer_sees_the_lists_but_no_forms(app_test, stripe_services):
    rate = stripe_services.catalog.taxes.create_tax_rate(
        ADMIN, display_name=unique("Seen VAT")[:50], percentage_text="7", inclusive=True,
        country=None, jurisdiction=None, description=None, form_nonce=nonce())
    at = app_test(PAGE, role="viewer").run()
    assert not at.exception
    labels = {b.label for b in at.button}
    assert "Create tax rate" not in labels and "Create coupon" not in labels
    assert not any(b.key == "archive_tax_rate_button" for b in at.button)
    listed = table_with(at, "Tax rate")
    assert list(listed.loc[listed["Id"] == rate.id, "Kind"]) == ["inclusive"]
