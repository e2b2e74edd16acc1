"""Money in and corrections in a real browser, as an approver: a 1,000.00 invoice paid
300 then 700 through Record payment (what remains shown before confirming), and a
200.00 credit note previewed then issued on another open 1,000.00 invoice.

Invoices are made through the services in setup; the payment and the credit note are
driven in Chromium, and the result is checked in Stripe (the emulator).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from services.core.access import Actor, Role
from services.core.models import DraftItem
from tests.ui.browser.conftest import Dashboard, log_in, wait_for_app
from tests.ui.browser.test_invoice_flow_browser import client, confirm, new_customer, pick
from tests.ui.browser.test_invoice_flow_browser import setup_services as setup_services

pytestmark = pytest.mark.browser
SETUP = Actor("setup", Role.ADMIN)


def open_1000(setup_services: Any) -> Any:
    customer = new_customer(setup_services)
    draft = setup_services.invoices.create_draft(
        SETUP, customer_id=customer.id,
        items=[DraftItem(amount=100000, description="Consulting, October")],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=uuid.uuid4().hex)  # fmt: skip
    return setup_services.invoices.finalize(SETUP, draft.id, form_nonce=uuid.uuid4().hex)


def ask(page: Page, button: str) -> Any:
    page.get_by_role("button", name=re.compile(f"^{button} ")).click()
    wait_for_app(page)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def type_into(page: Page, dialog: Any, label: str, text: str) -> None:
    box = dialog.get_by_role("textbox", name=re.compile(f"^{re.escape(label)}"))
    box.fill(text)
    box.press("Tab")
    wait_for_app(page)


def test_an_approver_records_300_then_700(dashboard: Dashboard, page: Page,
                                          setup_services: Any) -> None:
    invoice = open_1000(setup_services)
    log_in(page, dashboard.url, "anna", path=f"/invoice?invoice={invoice.id}")
    dialog = ask(page, "Record payment for")
    type_into(page, dialog, "Amount received", "300")
    expect(dialog).to_contain_text("After this payment $700.00 remains to be paid")
    type_into(page, dialog, "Reference", "TRX-300")
    confirm(page, "Record payment")
    after = client(dashboard).v1.invoices.retrieve(invoice.id)
    assert (after.status, after.amount_paid, after.amount_remaining) == ("open", 30000, 70000)
    payments = page.get_by_test_id("stDataFrame").filter(has_text="TRX-300")
    expect(payments.first).to_be_visible()

    dialog = ask(page, "Record payment for")
    expect(dialog.get_by_role("textbox", name=re.compile("^Amount received"))).to_have_value(
        "700.00")  # what remains
    expect(dialog).to_contain_text("This pays the invoice in full")
    type_into(page, dialog, "Reference", "TRX-700")
    confirm(page, "Record payment")
    paid = client(dashboard).v1.invoices.retrieve(invoice.id)
    assert (paid.status, paid.amount_paid, paid.amount_remaining) == ("paid", 100000, 0)
    badge = page.get_by_role("paragraph").filter(
        has=page.get_by_role("img", name="check_circle icon"))
    expect(badge.first).to_have_text(re.compile(r"Paid$"))


def test_an_approver_previews_then_issues_a_200_credit_note(dashboard: Dashboard, page: Page,
                                                           setup_services: Any) -> None:
    invoice = open_1000(setup_services)
    log_in(page, dashboard.url, "anna", path=f"/invoice?invoice={invoice.id}")
    dialog = ask(page, "Issue credit note for")
    pick(page, "Reason", "Order change")
    dialog.get_by_text("A custom amount").click()
    wait_for_app(page)
    type_into(page, dialog, "Amount to credit", "200")
    expect(dialog.get_by_role("button", name="Issue credit note")).to_be_disabled()
    dialog.get_by_role("button", name="Preview").click()
    wait_for_app(page)
    expect(dialog).to_contain_text("Owed on the invoice afterwards")
    expect(dialog.get_by_test_id("stDataFrame")).to_be_visible()
    confirm(page, "Issue credit note")
    after = client(dashboard).v1.invoices.retrieve(invoice.id)
    assert (after.status, after.amount_due, after.amount_remaining) == ("open", 80000, 80000)
    (note,) = client(dashboard).v1.credit_notes.list({"invoice": invoice.id}).data
    assert (note.total, note.reason, note.metadata["issued_by"]) == (20000, "order_change",
                                                                     "anna")
    expect(page.get_by_role("button", name=f"Void credit note {note.number}")).to_be_visible()
