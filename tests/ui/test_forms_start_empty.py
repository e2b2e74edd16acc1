"""After a successful create every form starts empty, in the browser too.

Streamlit redraws a field with what the browser holds unless the server *assigns* the
field a value; only then does the element carry ``set_value`` and the browser replace
what was typed. A field merely dropped from session state reads empty on the server
while the browser keeps showing (and submits again) the typed text, so a second click
makes a duplicate. Each test checks both: the field is empty and told to the browser,
and a second click with the empty form creates nothing.
"""

from __future__ import annotations

from tests.ui import seed
from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    needs_invoicing_fixture,
    stripe_services_fixture,
    unique,
)
from ui.catalog_taxes import COUPON_FORM, TAX_FORM
from ui.forms import widget_key


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def assert_sent_empty(at, key: str) -> None:
    """The field reads empty and the browser is told to show it empty."""
    field = at.text_input(key=key)
    assert field.value == ""
    assert field.proto.set_value and field.proto.value == ""


def test_new_customer_form_is_empty_after_create_and_a_second_click_creates_nothing(
    app_test, stripe_services
):
    name = unique("Empty Again")
    at = app_test("pages/customers.py", role="clerk").run()
    at.text_input(key="new_customer.name").input(name)
    at.text_input(key="new_customer.email").input("empty-again@example.test")
    at.text_input(key="new_customer.address.city").input("Lyon")
    button(at, "Create customer").click().run()
    assert [t.value for t in at.toast] == [f"Customer {name} created"]
    for field in ("name", "email", "address.city"):
        assert_sent_empty(at, f"new_customer.{field}")
    button(at, "Create customer").click().run()
    assert not at.toast
    assert any("name" in e.value.lower() for e in at.error)
    assert len([c for c in stripe_services.customers.find(name) if c.name == name]) == 1


def _create_once_then_sent_empty(app_test, form: str, label: str,  # type: ignore[no-untyped-def]
                                 values: dict[str, str]) -> None:
    """Fill ``form`` on the catalog page, press ``label``: one toast, every field sent
    back empty; pressing it again creates nothing."""
    at = app_test("pages/catalog.py", role="clerk").run()
    for field, value in values.items():
        at.text_input(key=widget_key(form, field)).input(value)
    button(at, label).click().run()
    assert len(at.toast) == 1
    for field in values:
        assert_sent_empty(at, widget_key(form, field))
    button(at, label).click().run()
    assert not at.toast


def test_new_tax_rate_form_is_empty_after_create(app_test, stripe_services, stripe_client,
                                                 needs_invoicing):
    name = unique("VAT")[:50]
    _create_once_then_sent_empty(app_test, TAX_FORM, "Create tax rate",
                                 {"display_name": name, "percentage": "19", "country": "DE"})
    rates = [r for r in stripe_client.v1.tax_rates.list({"limit": 100}).auto_paging_iter()
             if r.display_name == name]
    assert len(rates) == 1


def test_new_coupon_form_is_empty_after_create(app_test, stripe_services, stripe_client,
                                               needs_invoicing):
    name = unique("Spring")[:40]
    _create_once_then_sent_empty(app_test, COUPON_FORM, "Create coupon",
                                 {"name": name, "percent_off": "10"})
    coupons = [c for c in stripe_client.v1.coupons.list({"limit": 100}).auto_paging_iter()
               if c.name == name]
    assert len(coupons) == 1


def test_custom_amount_item_form_is_empty_after_add_and_a_second_click_adds_nothing(
    app_test, services
):
    seed.customer(services)
    at = app_test("pages/new_invoice.py", role="clerk").run()
    at.segmented_control(key=widget_key("new_invoice_item", "kind")).set_value("Custom amount")
    at.run()
    at.text_input(key=widget_key("new_invoice_item", "description")).input("Setup fee")
    at.text_input(key=widget_key("new_invoice_item", "amount")).input("99.50")
    at.button(key="add_item").click().run()
    assert len(at.session_state["new_invoice.items"]) == 1
    for field in ("description", "amount"):
        assert_sent_empty(at, widget_key("new_invoice_item", field))
    at.button(key="add_item").click().run()
    assert len(at.session_state["new_invoice.items"]) == 1
    assert at.error
