"""Login in a real browser: the cookie, logout revocation, deep links, pages without login."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.browser.conftest import Dashboard, log_in, login_cookie, wait_for_app

pytestmark = pytest.mark.browser


def sidebar_user(page: Page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def test_login_cookie_survives_a_reload(dashboard: Dashboard, page: Page) -> None:
    log_in(page, dashboard.url, "anna")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("anna · approver")
    assert login_cookie(page) is not None, "the login cookie was not written"
    page.reload()
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("anna · approver")
    expect(page.get_by_role("textbox", name="Password")).to_have_count(0)


def test_copied_cookie_is_refused_after_logout(dashboard: Dashboard, browser: Browser) -> None:
    first = browser.new_context()
    page = first.new_page()
    log_in(page, dashboard.url, "carl")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("carl · clerk")
    cookie = login_cookie(page)
    assert cookie is not None, "the login cookie was not written"
    copied = [cookie]
    page.get_by_role("button", name="Log out").click()
    wait_for_app(page)
    expect(page.get_by_text("You have logged out.")).to_be_visible()

    second = browser.new_context()
    second.add_cookies(copied)
    other = second.new_page()
    other.goto(f"{dashboard.url}/invoices")
    wait_for_app(other)
    expect(other.get_by_role("textbox", name="Password")).to_be_visible()
    expect(other.get_by_role("button", name="Log out")).to_have_count(0)
    expect(other.get_by_text("carl · clerk")).to_have_count(0)
    first.close()
    second.close()


def test_page_url_without_login_shows_only_the_login(dashboard: Dashboard, page: Page) -> None:
    for path in ("/invoices", "/new_invoice", "/invoice?invoice=in_anything"):
        page.goto(f"{dashboard.url}{path}")
        wait_for_app(page)
        expect(page.get_by_role("textbox", name="Password")).to_be_visible()
        main = page.get_by_test_id("stMain").inner_text()
        assert "Invoices" not in main and "New invoice" not in main
        expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_login_keeps_the_deep_link_target(dashboard: Dashboard, page: Page) -> None:
    log_in(page, dashboard.url, "vera", path="/invoice?invoice=in_not_there")
    assert "/invoice?invoice=in_not_there" in page.url
    expect(page.get_by_text("There is no invoice in_not_there")).to_be_visible()
