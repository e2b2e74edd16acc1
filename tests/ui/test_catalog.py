"""Catalog page: create products and prices, money errors under Amount, archive, roles, gate."""

from __future__ import annotations

import pytest

from tests.ui.conftest import texts
from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    ADMIN,
    needs_invoicing_fixture,
    nonce,
    stripe_services_fixture,
    unique,
)

PAGE = "pages/catalog.py"
pytestmark = pytest.mark.usefixtures("needs_invoicing")


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def product_named(services, name: str, include_archived: bool = False):
    return [p for p in services.catalog.products(include_archived) if p.name == name]


def test_clerk_creates_a_product_and_it_is_ready_for_a_price(app_test, stripe_services):
    name = unique("Gold Special")
    at = app_test(PAGE, role="clerk").run()
    at.text_input(key="new_product.name").input(name)
    at.text_area(key="new_product.description").input("Our best plan")
    button(at, "Create product").click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == [f"Product {name} created"]
    [product] = product_named(stripe_services, name)
    assert product.description == "Our best plan"
    assert at.text_input(key="new_product.name").value == ""  # cleared after success
    assert at.selectbox(key="new_price.product_id").value == product.id
    assert name in set(at.dataframe[0].value["product"])


def test_product_without_a_name_is_refused_under_the_name_field(app_test, stripe_services):
    before = len(stripe_services.catalog.products())
    at = app_test(PAGE, role="clerk").run()
    button(at, "Create product").click().run()
    assert [e.value for e in at.error] == ["Give the product a name."]
    assert len(stripe_services.catalog.products()) == before


def test_price_typed_as_money_in_usd_and_jpy(app_test, stripe_services):
    product = stripe_services.catalog.create_product(
        ADMIN, name=unique("Priced"), description=None, form_nonce=nonce()
    )
    at = app_test(PAGE, role="clerk").run()
    at.selectbox(key="new_price.product_id").set_value(product.id)
    at.text_input(key="new_price.amount").input("1,234.50")
    at.selectbox(key="new_price.interval").set_value("month")
    button(at, "Add price").click().run()
    assert [t.value for t in at.toast] == ["Price \\$1,234.50 / month added"]  # plain text
    assert at.text_input(key="new_price.amount").value == ""
    at.text_input(key="new_price.amount").input("1500")
    at.selectbox(key="new_price.currency").set_value("jpy")
    at.selectbox(key="new_price.interval").set_value("")
    button(at, "Add price").click().run()
    assert [t.value for t in at.toast] == ["Price ¥1,500 added"]
    [saved] = product_named(stripe_services, product.name)
    assert sorted((p.unit_amount, p.currency, p.interval) for p in saved.prices) == [
        (1500, "jpy", None), (123450, "usd", "month"),
    ]
    assert {"$1,234.50 / month", "¥1,500"} <= set(at.dataframe[0].value["price"])


@pytest.mark.parametrize(
    ("typed", "currency", "message"),
    [
        ("12,5", "usd", "use a dot for decimals"),
        ("-3", "usd", "cannot be negative"),
        ("10.5", "jpy", "JPY has no decimal places"),
    ],
)
def test_bad_amount_is_shown_under_amount_and_nothing_is_created(
    app_test, stripe_services, typed, currency, message
):
    product = stripe_services.catalog.create_product(
        ADMIN, name=unique("Unpriced"), description=None, form_nonce=nonce()
    )
    at = app_test(PAGE, role="admin").run()
    at.selectbox(key="new_price.product_id").set_value(product.id)
    at.text_input(key="new_price.amount").input(typed)
    at.selectbox(key="new_price.currency").set_value(currency)
    button(at, "Add price").click().run()
    assert len(at.error) == 1 and message in at.error[0].value
    assert at.text_input(key="new_price.amount").value == typed  # kept for correction
    assert product_named(stripe_services, product.name)[0].prices == ()


def test_price_needs_a_product(app_test, stripe_services):
    at = app_test(PAGE, role="clerk").run()
    at.text_input(key="new_price.amount").input("10.00")
    button(at, "Add price").click().run()
    assert [e.value for e in at.error] == ["Choose the product this price belongs to."]


def test_archiving_a_product_asks_first_then_hides_it(app_test, stripe_services):
    kept = stripe_services.catalog.create_product(
        ADMIN, name=unique("Still Sold"), description=None, form_nonce=nonce()
    )
    product = stripe_services.catalog.create_product(
        ADMIN, name=unique("Old Plan"), description=None, form_nonce=nonce()
    )
    at = app_test(PAGE, role="clerk").run()
    at.selectbox(key="archive_product_choice.False").set_value(product.id).run()
    at.button(key="archive_product_button").click().run()
    assert f"**Product {product.name}** will no longer be offered" in texts(at)
    assert product_named(stripe_services, product.name)  # nothing happened yet
    at.button(key="confirm_yes.archive_product").click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == [f"Product {product.name} archived"]
    assert not product_named(stripe_services, product.name)
    [archived] = product_named(stripe_services, product.name, include_archived=True)
    assert archived.active is False
    shown = set(at.dataframe[0].value["product"])
    assert product.name not in shown and kept.name in shown
    at.toggle(key="catalog_show_archived").set_value(True).run()
    assert product.name in set(at.dataframe[0].value["product"])  # shown when asked


def test_archiving_a_price(app_test, stripe_services):
    product = stripe_services.catalog.create_product(
        ADMIN, name=unique("Two Prices"), description=None, form_nonce=nonce()
    )
    price = stripe_services.catalog.create_price(
        ADMIN, product_id=product.id, amount_text="9.99", currency="eur",
        recurring_interval=None, nickname="launch", form_nonce=nonce(),
    )
    at = app_test(PAGE, role="admin").run()
    at.selectbox(key="archive_product_choice.False").set_value(product.id).run()
    at.selectbox(key="archive_price_choice.False").set_value(price.id).run()
    at.button(key="archive_price_button").click().run()
    at.button(key="confirm_yes.archive_price").click().run()
    assert not at.exception
    assert stripe_services.catalog.get_price(price.id).active is False


def test_viewer_sees_the_catalog_but_no_forms_or_archive(app_test, stripe_services):
    name = unique("Visible Product")
    stripe_services.catalog.create_product(ADMIN, name=name, description=None, form_nonce=nonce())
    at = app_test(PAGE, role="viewer").run()
    assert name in set(at.dataframe[0].value["product"])
    labels = [b.label for b in at.button]
    assert not [label for label in labels if "Create" in label or "Archive" in label]
    assert "Add price" not in labels


def test_page_url_without_login_shows_only_the_login(app_test, stripe_services):
    at = app_test(PAGE).run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Catalog" not in texts(at)
    assert not at.dataframe
