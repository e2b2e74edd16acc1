"""Customers page: create, edit, search, one customer's view, roles, login gate."""

from __future__ import annotations

from services.core.models import Address
from tests.ui.conftest import texts
from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    ADMIN,
    needs_invoicing_fixture,
    nonce,
    stripe_services_fixture,
    unique,
)

PAGE = "pages/customers.py"


def fill(at, form: str, **fields: str) -> None:
    """Type into the form; ``address_city`` is the widget of field ``address.city``."""
    for field, text in fields.items():
        name = field.replace("address_", "address.", 1)
        at.text_input(key=f"{form}.{name}").input(text)


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_clerk_creates_a_customer_and_the_form_is_cleared(app_test, stripe_services):
    name = unique("Acme Tools")
    at = app_test(PAGE, role="clerk").run()
    fill(at, "new_customer", name=name, email="ap@acme-tools.test", address_city="Lyon",
         address_country="fr")
    button(at, "Create customer").click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == [f"Customer {name} created"]
    assert at.text_input(key="new_customer.name").value == ""
    found = [c for c in stripe_services.customers.find("ap@acme-tools.test") if c.name == name]
    assert len(found) == 1
    assert (found[0].address.city, found[0].address.country) == ("Lyon", "FR")
    assert name in set(at.dataframe[0].value["name"])  # the table was refreshed


def test_bad_email_is_shown_under_the_email_field_and_nothing_is_created(
    app_test, stripe_services
):
    name = unique("No Email Ltd")
    at = app_test(PAGE, role="clerk").run()
    fill(at, "new_customer", name=name, email="not-an-email")
    button(at, "Create customer").click().run()
    assert [e.value for e in at.error] == [
        "'not-an-email' is not an email address (expected name@example.com)."
    ]
    assert at.text_input(key="new_customer.name").value == name  # kept for correction
    assert not [c for c in stripe_services.customers.find(name) if c.name == name]


def test_bad_country_is_named(app_test, stripe_services):
    at = app_test(PAGE, role="admin").run()
    fill(at, "new_customer", name=unique("Far Away"), email="far@away.test",
         address_country="France")
    button(at, "Create customer").click().run()
    assert "Country must be a two-letter code" in at.error[0].value


def test_viewer_gets_no_create_or_edit_form(app_test, stripe_services):
    customer = stripe_services.customers.create(
        ADMIN, name=unique("Viewer Visible"), email="vv@example.test", description=None,
        address=None, form_nonce=nonce(),
    )
    at = app_test(PAGE, role="viewer").run()
    assert "Create customer" not in [b.label for b in at.button]
    at = app_test(PAGE, role="viewer", customer=customer.id).run()
    assert not at.exception
    assert at.title[0].value == customer.name
    assert "Save changes" not in [b.label for b in at.button]


def test_search_narrows_the_table_and_selecting_a_row_opens_the_customer(
    app_test, stripe_services
):
    name = unique("Searchable Widgets")
    customer = stripe_services.customers.create(
        ADMIN, name=name, email="sw@example.test", description="key account",
        address=None, form_nonce=nonce(),
    )
    at = app_test(PAGE, role="viewer", search=name).run()
    table = at.dataframe[0].value
    assert list(table["customer_id"]) == [customer.id]
    at.session_state[f"customers_table.{name}"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    at.run()
    assert at.query_params["customer"] == customer.id
    assert at.title[0].value == name
    assert "key account" in texts(at)


def test_clerk_edits_a_customer_from_its_view(app_test, stripe_services):
    customer = stripe_services.customers.create(
        ADMIN, name=unique("Old Name"), email="old@example.test", description=None,
        address=Address(city="Paris", country="FR"), form_nonce=nonce(),
    )
    at = app_test(PAGE, role="clerk", customer=customer.id).run()
    form = f"edit_customer.{customer.id}"
    assert at.text_input(key=f"{form}.address.city").value == "Paris"  # prefilled
    at.text_input(key=f"{form}.name").input("New Name SA")
    at.text_input(key=f"{form}.email").input("billing@new-name.test")
    button(at, "Save changes").click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == ["Customer New Name SA saved"]
    saved = stripe_services.customers.get(customer.id)
    assert (saved.name, saved.email, saved.address.city) == (
        "New Name SA", "billing@new-name.test", "Paris"
    )
    assert at.title[0].value == "New Name SA"


def test_customer_view_shows_outstanding_and_overdue(
    app_test, stripe_services, needs_invoicing
):
    from services.core.access import Actor, Role
    from services.core.models import DraftItem

    approver = Actor("anna", Role.APPROVER)
    customer = stripe_services.customers.create(
        ADMIN, name=unique("Owing Co"), email="owing@example.test", description=None,
        address=None, form_nonce=nonce(),
    )
    draft = stripe_services.invoices.create_draft(
        approver, customer_id=customer.id,
        items=[DraftItem(amount=12_345, description="Consulting")], days_until_due=30,
        memo=None, footer=None, po_number=None, currency="usd", form_nonce=nonce(),
    )
    stripe_services.invoices.finalize(approver, draft.id, form_nonce=nonce())
    at = app_test(PAGE, role="viewer", customer=customer.id).run()
    assert not at.exception
    outstanding = next(m for m in at.metric if m.label == "Outstanding")
    overdue = next(m for m in at.metric if m.label == "Overdue")
    assert outstanding.value == "$123.45"
    assert overdue.value == "nothing"  # due in 30 days
    assert list(at.dataframe[0].value["Total"]) == ["$123.45"]


def test_page_url_without_login_shows_only_the_login(app_test, stripe_services):
    at = app_test(PAGE, customer="cus_anything").run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Customers" not in texts(at)
    assert not at.dataframe


def test_each_completed_create_draws_a_new_form_instance(app_test, stripe_services):
    """The button carries its form instance's nonce: a double click (both clicks sent by
    the button drawn before the first finished) is one create, while a click on the
    button drawn after it is a new submission (the browser tests click both ways)."""
    name = unique("Twice Clicked")
    at = app_test(PAGE, role="clerk").run()
    keys = []
    for _ in range(2):  # the user submits the same details again, on purpose
        fill(at, "new_customer", name=name, email="twice@example.test")
        keys.append(button(at, "Create customer").key)
        button(at, "Create customer").click().run()
        assert [t.value for t in at.toast] == [f"Customer {name} created"]
    assert keys[0] != keys[1]
    assert len([c for c in stripe_services.customers.find(name) if c.name == name]) == 2


def test_an_unknown_customer_link_says_so_in_words(app_test, stripe_services):
    at = app_test(PAGE, role="viewer", customer="cus_doesnotexist00").run()
    assert not at.exception
    assert at.error[0].value.startswith("Could not load the customer:")
    assert "All customers" in [b.label for b in at.button]  # a way back


def test_one_match_is_counted_as_one_customer(app_test, stripe_services):
    name = unique("Rossi Singular")
    stripe_services.customers.create(ADMIN, name=name, email="rossi-one@example.test",
                                     description=None, address=None, form_nonce=nonce())
    at = app_test(PAGE, role="viewer").run()
    search = next(t for t in at.text_input if t.placeholder.startswith("e.g. Acme"))
    search.input(name).run()
    assert f"1 customer matching “{name}”" in [c.value for c in at.caption]


def test_a_list_cut_at_its_limit_says_so_and_how_to_find_the_others(
    app_test, stripe_services, monkeypatch
):
    """The list shows the newest customers only (1,000 by default); when the book holds
    more, the caption says how many there are and that search finds any of them."""
    from services.customers.records import Customers

    for n in range(3):
        stripe_services.customers.create(ADMIN, name=unique(f"Cut {n}"), email="cut@example.test",
                                         description=None, address=None, form_nonce=nonce())
    total = stripe_services.customers.count()
    table = Customers.table
    monkeypatch.setattr(Customers, "table", lambda self, limit=2: table(self, limit))
    monkeypatch.setattr("services.customers.records.NEWEST_CUSTOMERS", 2)
    at = app_test(PAGE, role="viewer").run()
    assert (f"The newest 2 of {total:,} customers: search by name or email to find any "
            "other.") in [c.value for c in at.caption]
