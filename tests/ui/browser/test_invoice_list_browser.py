"""The Invoices page's sort and page live in the URL in a real browser: a click on page 2
writes ``page=2`` beside the filters and sort, and a reload opens that same page."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from services.core.access import Actor, Role
from services.core.models import DraftItem
from tests.ui.browser.conftest import Dashboard, log_in, wait_for_app

pytestmark = pytest.mark.browser
ADMIN = Actor("setup", Role.ADMIN)
DRAFTS = 51  # one more than the smallest page


@pytest.fixture(scope="module")
def drafts(dashboard: Dashboard) -> tuple[str, list[str]]:
    """A customer with ``DRAFTS`` drafts of 1.00 to 51.00 (made through the services)."""
    from services.container import build_services
    from services.core.settings import Settings

    keys = ("STRIPE_API_KEY", "STRIPE_API_BASE", "DATABASE_URL")
    services = build_services(Settings.from_mapping({k: dashboard.env[k] for k in keys}))
    customer = services.customers.create(
        ADMIN, name=f"Paging {uuid.uuid4().hex[:6]}", email=f"{uuid.uuid4().hex[:6]}@example.com",
        description=None, address=None, form_nonce=uuid.uuid4().hex)  # fmt: skip
    made = [services.invoices.create_draft(
        ADMIN, customer_id=customer.id,
        items=[DraftItem(amount=100 * (n + 1), description=f"Line {n + 1}")],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=uuid.uuid4().hex).id for n in range(DRAFTS)]  # fmt: skip
    return customer.id, made


def test_page_and_sort_are_kept_in_the_url(dashboard: Dashboard, page: Page,
                                           drafts: tuple[str, list[Any]]) -> None:
    customer_id, _ = drafts
    log_in(page, dashboard.url, "vera",
           path=f"/invoices?customer={customer_id}&sort=Total&order=Descending&rows=50")
    expect(page.get_by_text(f"Rows 1–50 of {DRAFTS} invoices")).to_be_visible()

    page.get_by_role("navigation", name="Pagination").get_by_role("button", name="Page 2").click()
    expect(page.get_by_text(f"Rows 51–51 of {DRAFTS} invoices")).to_be_visible()
    assert re.search(r"[?&]page=2(&|$)", page.url) and "sort=Total" in page.url
    assert f"customer={customer_id}" in page.url  # descending, the default, is not written

    page.reload()
    wait_for_app(page)
    expect(page.get_by_text(f"Rows 51–51 of {DRAFTS} invoices")).to_be_visible()
