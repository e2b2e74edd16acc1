"""Every report page opens in a real browser behind the login, by menu and by deep link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui.browser.conftest import Dashboard, log_in, wait_for_app

pytestmark = pytest.mark.browser
SLOW = 20_000  # ms: a page's first run reads Stripe; CI machines can be busy

PAGES = {  # path → title the page shows
    "/": "Overview", "/catalog": "Catalog", "/customers": "Customers",
    "/overdue": "Overdue & aging", "/lookup?q=nobody-by-that-name": "Lookup",
    "/payment_activity": "Payment activity",
}


def test_report_pages_open_without_errors(dashboard: Dashboard, page: Page) -> None:
    log_in(page, dashboard.url, "carl")
    for path, title in PAGES.items():
        page.goto(f"{dashboard.url}{path}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=SLOW)
        expect(page.get_by_test_id("stException"), f"an error on {path}").to_have_count(0)


def test_deep_link_to_a_customer_lands_there_after_login(dashboard: Dashboard,
                                                         page: Page) -> None:
    import stripe

    client = stripe.StripeClient("sk_test_emulator",
                                 base_addresses={"api": dashboard.emulator.base_url})
    customer = client.v1.customers.create(params={"name": "Deep Link Dairy",
                                                  "email": "milk@dairy.test"})
    log_in(page, dashboard.url, "vera", path=f"/customers?customer={customer.id}")
    expect(page.get_by_role("heading", name="Deep Link Dairy")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)  # a viewer


def test_admin_page_is_not_offered_to_an_approver(dashboard: Dashboard, page: Page) -> None:
    log_in(page, dashboard.url, "anna")
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Admin", exact=True)).to_have_count(0)
    page.goto(f"{dashboard.url}/admin")
    wait_for_app(page)
    expect(page.get_by_text("Audit log")).to_have_count(0)


def test_sidebar_lookup_box_opens_lookup_with_the_matches(dashboard: Dashboard,
                                                          page: Page) -> None:
    import stripe

    client = stripe.StripeClient("sk_test_emulator",
                                 base_addresses={"api": dashboard.emulator.base_url})
    client.v1.customers.create(params={"name": "Sidebar Sawmill", "email": "saw@mill.test"})
    log_in(page, dashboard.url, "carl", path="/catalog")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("textbox", name="Look up").fill("Sidebar Sawmill")
    sidebar.get_by_role("button", name="Search").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Lookup").first).to_be_visible(timeout=SLOW)
    expect(page.get_by_text(re.compile("“Sidebar Sawmill” reads as a name"))).to_be_visible(
        timeout=SLOW
    )
    expect(page.get_by_role("textbox", name="Search", exact=True)).to_have_value(
        "Sidebar Sawmill"
    )
    assert "q=Sidebar" in page.url
