"""Lookup page: ``?q=`` in the URL, ids, numbers, emails, names and amounts, links that open."""

from __future__ import annotations

import pytest

from tests.ui.conftest import texts
from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    ADMIN,
    needs_invoicing_fixture,
    nonce,
    open_invoice,
    stripe_services_fixture,
    unique,
)

PAGE = "pages/lookup.py"


def results(at):
    return at.dataframe[0].value


def test_customer_name_from_the_url_lists_the_customer_with_a_link(app_test, stripe_services):
    name = unique("Lookup Bakery")
    customer = stripe_services.customers.create(
        ADMIN, name=name, email="bread@bakery.test", description=None, address=None,
        form_nonce=nonce(),
    )
    at = app_test(PAGE, role="viewer", q=name).run()
    assert not at.exception
    assert at.text_input(key="lookup_text").value == name
    found = results(at)
    assert list(found["object_id"]) == [customer.id]
    assert list(found["open"]) == [f"/customers?customer={customer.id}"]
    assert "reads as a name or words" in texts(at)


def test_typing_an_id_finds_that_object(app_test, stripe_services):
    customer = stripe_services.customers.create(
        ADMIN, name=unique("By Id"), email="id@lookup.test", description=None, address=None,
        form_nonce=nonce(),
    )
    at = app_test(PAGE, role="clerk").run()
    at.text_input(key="lookup_text").input(customer.id).run()
    assert list(results(at)["title"]) == [customer.name]
    assert at.query_params["q"] == customer.id  # shareable


@pytest.mark.usefixtures("needs_invoicing")
def test_invoice_number_email_and_amount_open_the_invoice(app_test, stripe_services):
    customer, invoice = open_invoice(stripe_services, amount=73_519, currency="usd",
                                     days_until_due=10)
    link = f"/invoice?invoice={invoice.id}"
    for query in (invoice.number, customer.email, "735.19"):
        at = app_test(PAGE, role="viewer", q=query).run()
        assert not at.exception
        found = results(at)
        assert link in set(found["open"]), query
    at = app_test(PAGE, role="viewer", q=invoice.number).run()  # exact: opened in one click
    assert f"[Open Invoice {invoice.number}]({link})" in texts(at)


def test_a_name_typed_without_accents_and_with_a_typo_finds_the_customer(
    app_test, stripe_services
):
    name = unique("Bäckerei Zöllner")  # "Bäckerei Zöllner 1a2b3c"
    customer = stripe_services.customers.create(
        ADMIN, name=name, email="brot@zoellner.test", description=None, address=None,
        form_nonce=nonce(),
    )
    typed = "backrei zollner " + name.split()[-1]
    at = app_test(PAGE, role="viewer", q=typed).run()
    assert not at.exception
    assert list(results(at)["object_id"]) == [customer.id]


def test_nothing_found_says_what_to_try(app_test, stripe_services):
    at = app_test(PAGE, role="viewer", q="cus_doesnotexist000").run()
    assert "Nothing matches “cus_doesnotexist000”" in at.info[0].value
    assert not at.dataframe


def test_page_url_without_login_shows_only_the_login(app_test, stripe_services):
    at = app_test(PAGE, q="anything").run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Lookup" not in texts(at)
