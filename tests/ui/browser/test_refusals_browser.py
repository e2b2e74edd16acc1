"""A page the role may not open says why (issue 14 item 9): a viewer's /admin and
/new_invoice used to land silently on Overview."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.ui.browser.conftest import Dashboard, log_in, wait_for_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/admin", "/new_invoice"])
def test_a_viewer_is_told_why_a_page_is_not_for_them(
    dashboard: Dashboard, page: Page, path: str
) -> None:
    log_in(page, dashboard.url, "vera")
    page.goto(f"{dashboard.url}{path}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Not for your role")).to_be_visible()
    expect(page.get_by_text("Your role (viewer) may not open this page")).to_be_visible()
    assert page.url.endswith(path)
    expect(page.get_by_role("heading", name="Overview")).to_have_count(0)
    nav = page.get_by_test_id("stSidebarNav")
    for title in ("Admin", "New invoice"):  # still not offered in the menu
        expect(nav.get_by_text(title, exact=True)).to_have_count(0)
