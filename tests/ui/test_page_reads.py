"""Opening the pages that show customers, the catalog and one invoice makes no Stripe request
(the New invoice page's totals are Stripe's preview: one request per new content).

The data is made first through the services (each write stores Stripe's answer in the
read model); from then on every Stripe request of this process is recorded at the SDK's
HTTP client (``tests/services/stripe_requests.py``) while the pages run, pickers and
totals preview included.
"""

from __future__ import annotations

import pytest

from services.core.models import DraftItem
from tests.services.stripe_requests import record_stripe_requests
from tests.ui import seed
from tests.ui.conftest import texts
from ui.forms import widget_key

LINES = 25


def test_customers_catalog_new_invoice_and_invoice_pages_ask_stripe_nothing(
    app_test, services, monkeypatch: pytest.MonkeyPatch
):
    customer = seed.customer(services)
    price = seed.one_time_price(services, "12.00")
    invoice = services.invoices.create_draft(
        seed.ADMIN, customer_id=customer.id,
        items=[DraftItem(amount=500 + n, description=f"Item {n + 1}") for n in range(LINES)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=seed.nonce(),
    )  # fmt: skip
    requests = record_stripe_requests(monkeypatch)

    listing = app_test("pages/customers.py", role="viewer").run()
    assert customer.id in set(listing.dataframe[0].value["customer_id"])
    searched = app_test("pages/customers.py", role="viewer", search=customer.email).run()
    assert list(searched.dataframe[0].value["customer_id"]) == [customer.id]
    one = app_test("pages/customers.py", role="clerk", customer=customer.id).run()
    assert one.title[0].value == customer.name

    catalog = app_test("pages/catalog.py", role="clerk").run()
    assert price.id in set(catalog.dataframe[0].value["price_id"])
    catalog.toggle(key="catalog_show_archived").set_value(True).run()

    new = app_test("pages/new_invoice.py", role="clerk").run()
    new.selectbox(key=widget_key("new_invoice", "customer")).set_value(customer.id)
    new.selectbox(key=widget_key("new_invoice_item", "price")).set_value(price.id)
    new.button(key="add_item").click().run()
    assert {m.label: m.value for m in new.metric}["Total (1 item)"] == "$12.00"
    # The totals are Stripe's own preview (README: "The preview"): one request for the
    # new content, and nothing else; every page then reads the read model only.
    assert requests.sent == [("POST", "/v1/invoices/create_preview")]
    requests.clear()

    listed = app_test("pages/invoices.py", role="viewer", customer=customer.id).run()
    assert not listed.exception

    page = app_test("pages/invoice.py", role="approver", invoice=invoice.id).run()
    assert not page.exception
    assert f"Lines ({LINES})" in [header.value for header in page.subheader]
    shown = [frame.value for frame in page.dataframe]
    lines = [frame for frame in shown if "Description" in frame.columns]
    assert len(lines) == 1  # the lines table, whatever else the page shows around it
    assert list(lines[0]["Description"]) == [f"Item {n + 1}" for n in range(LINES)]

    for at in (listing, searched, one, catalog, new, listed, page):
        assert not at.exception and not at.error, texts(at)
    assert requests.sent == []

    # The recorder sees the services' requests: a write, and an id not stored yet.
    seed.customer(services)
    assert ("POST", "/v1/customers") in requests.sent
    requests.clear()
    app_test("pages/invoice.py", role="viewer", invoice="in_notstoredyet").run()
    assert requests.sent == [("GET", "/v1/invoices/in_notstoredyet")]
