"""Done-when of issue 12 in a real browser: tax, a line discount, an edited quantity, and
the preview, the finalized invoice and its PDF agree to the cent with Stripe's rules.

The expected figures are worked out here by hand (discount before tax, each line's
discount and tax rounded half up):
- as typed first, 2 × 33.33 = 66.66; 10 % off = 6.666 → 6.67; 59.99 after the discount;
  20 % VAT = 11.998 → 12.00; total 71.99;
- after the quantity becomes 3: 99.99; 10 % off = 9.999 → 10.00; 89.99; VAT 17.998 →
  18.00; total 107.99.
The VAT rate, coupon, price and customer are made through the services in setup.
"""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import httpx
import pypdf
import pytest
from playwright.sync_api import Page, expect

from services.core.access import Actor, Role
from tests.ui.browser.conftest import Dashboard, log_in, wait_for_app
from tests.ui.browser.test_invoice_flow_browser import client, confirm, pick

pytestmark = pytest.mark.browser
ADMIN = Actor("setup", Role.ADMIN)


@pytest.fixture(scope="module")
def book(dashboard: Dashboard) -> dict[str, Any]:
    """Customer, a 33.33 USD price, VAT 20 % exclusive and a 10 % coupon."""
    from services.container import build_services
    from services.core.settings import Settings

    keys = ("STRIPE_API_KEY", "STRIPE_API_BASE", "DATABASE_URL")
    made = build_services(Settings.from_mapping({k: dashboard.env[k] for k in keys}))
    tag = uuid.uuid4().hex[:6]
    customer = made.customers.create(
        ADMIN, name=f"Tax Customer {tag}", email=f"tax{tag}@example.com", description=None,
        address=None, form_nonce=uuid.uuid4().hex)
    product = made.catalog.create_product(ADMIN, name=f"Audit day {tag}", description=None,
                                          form_nonce=uuid.uuid4().hex)
    price = made.catalog.create_price(
        ADMIN, product_id=product.id, amount_text="33.33", currency="usd",
        recurring_interval=None, nickname=None, form_nonce=uuid.uuid4().hex)
    vat = made.catalog.taxes.create_tax_rate(
        ADMIN, display_name=f"VAT{tag}", percentage_text="20", inclusive=False,
        country="DE", jurisdiction=None, description=None, form_nonce=uuid.uuid4().hex)
    coupon = made.catalog.taxes.create_coupon(
        ADMIN, name=f"Ten {tag}", percent_off_text="10", amount_off_text=None, currency=None,
        max_redemptions=None, redeem_by=None, form_nonce=uuid.uuid4().hex)
    return {"customer": customer, "product": product, "price": price, "vat": vat,
            "coupon": coupon}


def choose(page: Page, label: str, text: str) -> None:
    """Add the option containing ``text`` to the multiselect labelled ``label``."""
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    box.click()
    page.keyboard.type(text)
    expect(page.get_by_role("option").filter(has_text=text).first).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app(page)


def metric(page: Page, label: str) -> Any:
    return page.get_by_test_id("stMetric").filter(has_text=label).first


def test_preview_finalized_invoice_and_pdf_agree_with_stripes_rules(
    dashboard: Dashboard, page: Page, book: dict[str, Any]
) -> None:
    log_in(page, dashboard.url, "anna", path="/new_invoice")
    page.get_by_role("button", name="Refresh").click()  # objects made after the server start
    wait_for_app(page)
    pick(page, "Customer", book["customer"].name)
    pick(page, "Price", book["product"].name)
    quantity = page.get_by_role("spinbutton", name="Quantity")
    quantity.fill("2")
    quantity.press("Tab")
    choose(page, "Coupons on this item", book["coupon"].name)
    page.get_by_role("button", name="Add item").click()
    wait_for_app(page)
    choose(page, "Tax rates for every item", book["vat"].display_name)
    expect(metric(page, "Total")).to_contain_text("$71.99")  # Stripe's preview, by hand above

    page.get_by_role("button", name="Create invoice").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("is saved"))).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Open invoice ")).click()
    wait_for_app(page)
    expect(metric(page, "Total")).to_contain_text("$71.99")

    line_form = page.get_by_test_id("stForm").filter(has_text="Save line")
    line_quantity = line_form.get_by_role("spinbutton", name="Quantity")
    line_quantity.fill("3")
    line_quantity.press("Tab")
    line_form.get_by_role("button", name="Save line").click()
    wait_for_app(page)
    expect(metric(page, "Total")).to_contain_text("$107.99")

    page.get_by_role("button", name=re.compile(r"^Finalize ")).click()
    wait_for_app(page)
    expect(page.get_by_role("dialog")).to_contain_text("Checked: email, currency")
    confirm(page, "Finalize")
    expect(metric(page, "Total")).to_contain_text("$107.99")

    (invoice,) = client(dashboard).v1.invoices.list({"customer": book["customer"].id}).data
    assert invoice.status == "open"
    assert (invoice.subtotal, invoice.total_excluding_tax, invoice.total) == (8999, 8999, 10799)
    assert [t.amount for t in invoice.total_taxes] == [1800]
    assert [d.amount for d in invoice.total_discount_amounts] == [1000]

    page.get_by_role("button", name=re.compile(r"^Get PDF of ")).click()
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(r"^Download PDF")).click()
    saved = download.value
    assert saved.suggested_filename == f"Invoice-{invoice.number}.pdf"
    text = pdf_text(saved.path().read_bytes())
    for figure in ("99.99 USD", "-10.00 USD", "18.00 USD", "107.99 USD"):
        assert figure in text, figure
    # what Stripe serves is what was downloaded (the bytes differ only in the render time)
    assert pdf_text(httpx.get(invoice.invoice_pdf).content) == text


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())
