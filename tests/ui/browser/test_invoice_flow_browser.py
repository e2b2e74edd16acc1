"""Invoices in a real browser: the seed workflow, a viewer's view, a double-clicked save.

The Catalog and Customers pages belong to another part of the work; product,
price and customer are therefore made through the services in setup, and the
invoice part is driven in the browser.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import stripe
from playwright.sync_api import Page, expect

from services.core.access import Actor, Role
from services.core.models import DraftItem
from tests.ui.browser.conftest import ROOT, Dashboard, log_in, wait_for_app

pytestmark = pytest.mark.browser
ADMIN = Actor("setup", Role.ADMIN)


@pytest.fixture(scope="module")
def setup_services(dashboard: Dashboard) -> Any:
    """Services in the test process, on the dashboard's emulator and database."""
    from services.container import build_services
    from services.core.settings import Settings

    keys = ("STRIPE_API_KEY", "STRIPE_API_BASE", "DATABASE_URL")
    return build_services(Settings.from_mapping({k: dashboard.env[k] for k in keys}))


@pytest.fixture(scope="module")
def customers(setup_services: Any) -> list[Any]:
    """Customers made before any page loads (pickers cache the customer list)."""
    return [new_customer(setup_services) for _ in range(4)]


@pytest.fixture(scope="module")
def gold_special(setup_services: Any, customers: list[Any]) -> tuple[Any, Any]:
    """Product "Gold Special" with a 10.00 USD price (made before any page loads)."""
    product = setup_services.catalog.create_product(
        ADMIN, name="Gold Special", description=None, form_nonce=uuid.uuid4().hex)
    price = setup_services.catalog.create_price(
        ADMIN, product_id=product.id, amount_text="10.00", currency="usd",
        recurring_interval=None, nickname=None, form_nonce=uuid.uuid4().hex)
    return product, price


def new_customer(setup_services: Any) -> Any:
    name = f"Browser Customer {uuid.uuid4().hex[:6]}"
    return setup_services.customers.create(
        ADMIN, name=name, email=f"{uuid.uuid4().hex[:6]}@example.com", description=None,
        address=None, form_nonce=uuid.uuid4().hex)


def pick(page: Page, label: str, text: str) -> None:
    """Choose the option containing ``text`` in the selectbox labelled ``label``."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    box.click()
    page.keyboard.type(text)
    expect(page.get_by_role("option").filter(has_text=text).first).to_be_visible()
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(box.get_by_role("combobox")).to_have_value(re.compile(re.escape(text)))


def fill_new_invoice(page: Page, customer_name: str) -> None:
    page.get_by_role("button", name="Refresh").click()  # customers made after the server start
    wait_for_app(page)
    pick(page, "Customer", customer_name)
    pick(page, "Price", "Gold Special")
    page.get_by_role("button", name="Add item").click()
    wait_for_app(page)
    days = page.get_by_role("spinbutton", name="Days until due")
    days.fill("30")
    days.press("Tab")
    wait_for_app(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Total")).to_contain_text("$10.00")


def confirm(page: Page, button: str) -> None:
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button, exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("dialog")).to_have_count(0)


def client(dashboard: Dashboard) -> stripe.StripeClient:
    return stripe.StripeClient(dashboard.env["STRIPE_API_KEY"],
                               base_addresses={"api": dashboard.env["STRIPE_API_BASE"]})


def test_seed_workflow_as_approver_ends_paid(
    dashboard: Dashboard, page: Page, customers: list[Any], gold_special: Any
) -> None:
    customer = customers[0]
    log_in(page, dashboard.url, "anna", path="/new_invoice")
    fill_new_invoice(page, customer.name)
    page.get_by_role("button", name="Create invoice").click()
    wait_for_app(page)
    page.get_by_role("button", name=re.compile(r"^Finalize ")).click()
    wait_for_app(page)
    confirm(page, "Finalize")
    page.get_by_role("button", name=re.compile(r"^Send ")).click()
    wait_for_app(page)
    confirm(page, "Send")
    page.get_by_role("link", name=re.compile(r"^Open invoice ")).click()
    wait_for_app(page)
    page.get_by_role("button", name=re.compile(r"^Record payment for ")).click()
    wait_for_app(page)
    page.get_by_role("dialog").get_by_role("textbox", name=re.compile("^Reference")).fill(
        "Bank transfer ref 4711")
    confirm(page, "Record payment")
    badge = page.get_by_role("paragraph").filter(
        has=page.get_by_role("img", name="check_circle icon"))
    expect(badge.first).to_have_text(re.compile(r"Paid$"))
    (invoice,) = client(dashboard).v1.invoices.list({"customer": customer.id}).data
    assert invoice.status == "paid" and invoice.total == 1000


def test_viewer_finds_no_write_buttons(
    dashboard: Dashboard, page: Page, setup_services: Any, customers: list[Any],
    gold_special: Any,
) -> None:
    customer = customers[1]
    draft = setup_services.invoices.create_draft(
        ADMIN, customer_id=customer.id,
        items=[DraftItem(price_id=gold_special[1].id, quantity=1, amount=None, description=None)],
        days_until_due=30, memo=None, footer=None,
        po_number=None, currency="usd", form_nonce=uuid.uuid4().hex)
    log_in(page, dashboard.url, "vera", path=f"/invoice?invoice={draft.id}")
    expect(page.get_by_role("heading", name=re.compile("^Draft for "))).to_be_visible()
    for word in ("Finalize", "Send", "Void", "Record payment", "Delete", "Duplicate", "Mark"):
        expect(page.get_by_role("button", name=re.compile(f"^{word}"))).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_text("New invoice")).to_have_count(0)


def test_selecting_a_row_opens_that_invoice(
    dashboard: Dashboard, page: Page, setup_services: Any, customers: list[Any],
    gold_special: Any,
) -> None:
    customer = customers[3]  # this customer's only invoice
    draft = setup_services.invoices.create_draft(
        ADMIN, customer_id=customer.id,
        items=[DraftItem(price_id=gold_special[1].id, quantity=3, amount=None, description=None)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=uuid.uuid4().hex)
    listing = "/invoices" if (ROOT / "pages/overview.py").exists() else "/"
    log_in(page, dashboard.url, "vera", path=f"{listing}?customer={customer.id}")
    expect(page.get_by_text("1 invoice · select a row to open it")).to_be_visible()
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()  # the row must be on screen to be clicked
    grid = table.bounding_box()
    assert grid is not None
    page.mouse.click(grid["x"] + 15, grid["y"] + 35 + 17)  # the first row's row marker
    page.wait_for_url(re.compile(f"invoice={draft.id}"), timeout=15_000)
    wait_for_app(page)
    shown = setup_services.invoices.get(draft.id)
    expect(page.get_by_role("heading", name=f"Draft for {shown.customer_name}")).to_be_visible()
    expect(page.get_by_text(f"Draft {shown.id}", exact=True)).to_be_visible()
