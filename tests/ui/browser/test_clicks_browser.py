"""Clicks in a real browser land on what was clicked and deliberate repeats happen
(issue 14 items 1 and 2): two users on one list, a reminder, double clicks."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import stripe
from playwright.sync_api import Browser, Page, expect

from services.core.models import DraftItem
from tests.ui.browser import test_invoice_flow_browser as flow
from tests.ui.browser.conftest import Dashboard, log_in, wait_for_app
from tests.ui.browser.test_invoice_flow_browser import ADMIN, client, confirm, new_customer

# the invoice flow's module fixtures: services on the dashboard's emulator, a USD price
setup_services, customers, gold_special = flow.setup_services, flow.customers, flow.gold_special

pytestmark = pytest.mark.browser
ROW = 35  # px: the height of the grid's header and of each row


def draft(setup_services: Any, customer_id: str, price_id: str, quantity: int) -> Any:
    return setup_services.invoices.create_draft(
        ADMIN, customer_id=customer_id,
        items=[DraftItem(price_id=price_id, quantity=quantity, amount=None, description=None)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=uuid.uuid4().hex)


def open_invoice(setup_services: Any, price_id: str) -> Any:
    customer = new_customer(setup_services)
    made = draft(setup_services, customer.id, price_id, 1)
    return setup_services.invoices.finalize(ADMIN, made.id, form_nonce=uuid.uuid4().hex)


def ask_to_send(dashboard: Dashboard, page: Page, setup_services: Any, price_id: str) -> Any:
    """An open invoice, shown to an approver with its Send confirmation open."""
    invoice = open_invoice(setup_services, price_id)
    log_in(page, dashboard.url, "anna", path=f"/invoice?invoice={invoice.id}")
    page.get_by_role("button", name=f"Send {invoice.number}", exact=True).click()
    wait_for_app(page)
    return invoice


def sent_events(dashboard: Dashboard, invoice_id: str) -> int:
    events = client(dashboard).v1.events.list({"type": "invoice.sent", "limit": 100})
    return sum(1 for e in events.auto_paging_iter() if e.data.object.id == invoice_id)


def invoices_of(dashboard: Dashboard, customer_id: str) -> list[stripe.Invoice]:
    return list(client(dashboard).v1.invoices.list({"customer": customer_id}).data)


def test_a_row_clicked_after_another_user_duplicated_opens_the_invoice_clicked(
    dashboard: Dashboard, page: Page, browser: Browser, setup_services: Any,
    gold_special: Any,
) -> None:
    customer = new_customer(setup_services)
    older = draft(setup_services, customer.id, gold_special[1].id, 1)  # A
    newer = draft(setup_services, customer.id, gold_special[1].id, 2)  # B
    log_in(page, dashboard.url, "vera", path=f"/invoices?customer={customer.id}")
    expect(page.get_by_text(re.compile(r"of 2 invoices · select a row"))).to_be_visible()

    other = browser.new_context()  # user 2 duplicates A in the dashboard meanwhile
    try:
        second = other.new_page()
        log_in(second, dashboard.url, "carl", path=f"/invoice?invoice={older.id}")
        second.get_by_role("button", name=re.compile(r"^Duplicate ")).click()
        second.wait_for_url(re.compile(r"invoice=in_(?!" + older.id[3:] + ")"))
        wait_for_app(second)
    finally:
        other.close()
    assert len(invoices_of(dashboard, customer.id)) == 3

    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()  # a taller filter bar must not put the row off screen
    grid = table.bounding_box()
    assert grid is not None
    page.mouse.click(grid["x"] + 15, grid["y"] + ROW + ROW + ROW // 2)  # A's row, as drawn
    page.wait_for_url(re.compile(r"invoice=in_"), timeout=15_000)
    wait_for_app(page)
    assert f"invoice={older.id}" in page.url, f"opened {page.url}, not A ({older.id})"
    assert newer.id not in page.url


def test_send_then_send_again_emails_twice(
    dashboard: Dashboard, page: Page, setup_services: Any, gold_special: Any
) -> None:
    invoice = ask_to_send(dashboard, page, setup_services, gold_special[1].id)
    confirm(page, "Send")
    again = page.get_by_role("button", name=f"Send {invoice.number} again", exact=True)
    expect(again).to_be_visible()
    again.click()
    wait_for_app(page)
    confirm(page, "Send again")
    expect(page.get_by_text(re.compile(r"Reminder: .* sent to .* again"))).to_be_visible()
    assert sent_events(dashboard, invoice.id) == 2
    sends = setup_services.audit.table(object_id=invoice.id, action="send_invoice")
    assert list(sends["outcome"]) == ["success", "success"]


def test_a_double_click_on_confirm_send_emails_once(
    dashboard: Dashboard, page: Page, setup_services: Any, gold_special: Any
) -> None:
    invoice = ask_to_send(dashboard, page, setup_services, gold_special[1].id)
    page.get_by_role("dialog").get_by_role("button", name="Send", exact=True).dblclick()
    wait_for_app(page)
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.wait_for_timeout(1500)  # let any second, overlapping run finish its write
    assert sent_events(dashboard, invoice.id) == 1


def test_a_double_click_on_duplicate_makes_one_copy(
    dashboard: Dashboard, page: Page, setup_services: Any, gold_special: Any
) -> None:
    customer = new_customer(setup_services)
    original = draft(setup_services, customer.id, gold_special[1].id, 1)
    log_in(page, dashboard.url, "carl", path=f"/invoice?invoice={original.id}")
    page.get_by_role("button", name=re.compile(r"^Duplicate ")).dblclick()
    page.wait_for_url(re.compile(r"invoice=in_(?!" + original.id[3:] + ")"))
    wait_for_app(page)
    page.wait_for_timeout(1500)  # let any second, overlapping run finish its write
    assert len(invoices_of(dashboard, customer.id)) == 2
