"""The Invoices list, the Invoice page and its actions, through AppTest on real services."""

from __future__ import annotations

import pytest

from tests.ui import seed
from tests.ui.conftest import texts
from ui import tables

MY_PAGES = ("pages/invoices.py", "pages/invoice.py", "pages/new_invoice.py")


@pytest.mark.parametrize("page_file", MY_PAGES)
def test_page_url_without_login_shows_only_the_login(app_test, page_file):
    at = app_test(page_file, invoice="in_123").run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not at.dataframe and not at.metric and not at.selectbox
    assert [t.value for t in at.title] == ["Invoicing dashboard"]


@pytest.fixture
def billed(services):
    """A customer with one draft and one open invoice."""
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    draft = seed.draft_invoice(services, customer.id, price.id, quantity=2)
    opened = seed.open_invoice(services, customer.id, price.id)
    return customer, price, draft, opened


def test_invoices_filtered_by_customer_in_the_url(app_test, billed):
    customer, _, draft, opened = billed
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id).run()
    shown = at.dataframe[0].value
    assert sorted(shown["Invoice ID"]) == sorted([draft.id, opened.id])
    assert set(shown["Total"]) == {"$20.00"}
    assert set(shown["Status"]) == {"Draft", "Open"}
    assert at.caption[0].value.startswith("As of ")


def test_status_filter_and_export_are_exactly_what_is_shown(app_test, billed):
    customer, _, _, opened = billed
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id, status="Open").run()
    shown = at.dataframe[0].value
    assert list(shown["Invoice ID"]) == [opened.id]
    csv = tables.csv_bytes(shown).decode("utf-8-sig").splitlines()
    assert len(csv) == 2 and opened.number in csv[1]
    at.button(key="invoices_export.prepare").click().run()  # every match, built once
    assert {b.label for b in at.get("download_button")} == {"CSV", "Excel"}


def test_invoice_page_offers_only_what_status_and_role_allow(app_test, billed):
    _, _, draft, opened = billed
    labels = lambda at: {b.label for b in at.button}  # noqa: E731
    approver_draft = labels(app_test("pages/invoice.py", role="approver", invoice=draft.id).run())
    assert "Finalize draft" in approver_draft and "Delete draft" in approver_draft
    assert not any(draft.id in label for label in approver_draft)  # no raw id in buttons
    clerk_open = labels(app_test("pages/invoice.py", role="clerk", invoice=opened.id).run())
    assert f"Send {opened.number}" in clerk_open
    assert not any(label.startswith(("Void", "Record payment", "Finalize")) for label in clerk_open)
    viewer_open = labels(app_test("pages/invoice.py", role="viewer", invoice=opened.id).run())
    # reading the PDF changes nothing, so a viewer may
    assert viewer_open <= {"Refresh", "Log out", "Search", f"Get PDF of {opened.number}"}


def test_invoice_header_names_number_customer_and_amounts(app_test, billed):
    customer, _, _, opened = billed
    at = app_test("pages/invoice.py", role="viewer", invoice=opened.id).run()
    assert at.title[0].value == f"Invoice {opened.number}"
    assert customer.name in texts(at)
    assert {m.label: m.value for m in at.metric}["Total"] == "$20.00"


def test_void_needs_a_reason_then_voids_the_named_invoice(app_test, services, billed):
    _, _, _, opened = billed
    at = app_test("pages/invoice.py", role="approver", invoice=opened.id).run()
    at.button(key="ask.void_invoice").click().run()
    assert f"Void **{opened.number}**" in texts(at)
    at.button(key="confirm_yes.void_invoice").click().run()
    assert "Reason is required." in [e.value for e in at.error]
    assert "Cancel" in [b.label for b in at.button]  # the way out stays after a refusal
    assert services.invoices.get(opened.id).status == "open"
    at.text_area[0].input("Duplicate of another invoice")
    at.button(key="confirm_yes.void_invoice").click().run()
    assert services.invoices.get(opened.id).status == "void"
    assert f"{opened.number} voided" in [t.value for t in at.toast]


def test_unknown_invoice_says_so(app_test, services):
    at = app_test("pages/invoice.py", role="viewer", invoice="in_doesnotexist").run()
    assert "There is no invoice in_doesnotexist" in at.error[0].value


def test_timeline_says_who_finalized_and_sent(app_test, services, billed):
    _, _, draft, _ = billed
    at = app_test("pages/invoice.py", role="approver", invoice=draft.id).run()
    at.button(key="ask.finalize_invoice").click().run()
    at.button(key="confirm_yes.finalize_invoice").click().run()
    number = services.invoices.get(draft.id).number
    assert at.title[0].value == f"Invoice {number}"
    at.button(key="ask.send_invoice").click().run()
    assert "Email invoice **" + number in texts(at)
    at.button(key="confirm_yes.send_invoice").click().run()
    timeline = at.dataframe[0].value
    steps = dict(zip(timeline["What"], timeline["Who"], strict=True))
    assert steps["Finalized"] == "anna" and steps["Sent"] == "anna"
    assert steps["Created"] == "adam"  # the seed's actor made the draft
