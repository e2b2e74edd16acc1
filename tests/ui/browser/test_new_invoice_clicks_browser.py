"""New invoice in Chromium: a double click on "Create invoice" saves one draft, and the
same content created again on purpose ("Start another invoice") is a second draft.
(This replaces the double-click test that test_invoice_flow_browser.py had.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.ui.browser import test_invoice_flow_browser as flow
from tests.ui.browser.conftest import Dashboard, log_in, wait_for_app
from tests.ui.browser.test_invoice_flow_browser import client, fill_new_invoice, new_customer

# the invoice flow's module fixtures: services on the dashboard's emulator, a USD price
setup_services, customers, gold_special = flow.setup_services, flow.customers, flow.gold_special

pytestmark = pytest.mark.browser


def drafts_of(dashboard: Dashboard, customer_id: str) -> list[tuple[str | None, int]]:
    made = client(dashboard).v1.invoices.list({"customer": customer_id}).data
    return [(invoice.status, invoice.total) for invoice in made]


def test_double_click_saves_one_draft_and_a_deliberate_repeat_saves_another(
    dashboard: Dashboard, page: Page, setup_services: Any, gold_special: Any
) -> None:
    customer = new_customer(setup_services)
    log_in(page, dashboard.url, "carl", path="/new_invoice")
    fill_new_invoice(page, customer.name)
    page.get_by_role("button", name="Create invoice").dblclick()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("is saved"))).to_be_visible()
    page.wait_for_timeout(1500)  # let any second, overlapping run finish its write
    assert drafts_of(dashboard, customer.id) == [("draft", 1000)]

    page.get_by_role("button", name="Start another invoice").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Create invoice")).to_be_visible()
    fill_new_invoice(page, customer.name)  # the very same content, on purpose
    page.get_by_role("button", name="Create invoice").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("is saved"))).to_be_visible()
    assert drafts_of(dashboard, customer.id) == [("draft", 1000)] * 2
