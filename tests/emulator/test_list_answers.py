"""List pages answer the same invoices as retrieving each one (no copy shortcut leaks)."""

from __future__ import annotations

import httpx

from tests.conftest import TEST_API_KEY
from tests.emulator.invoicing_helpers import customer, draft


def test_a_list_page_shows_each_invoice_exactly_as_retrieving_it(stripe_client, emulator):
    buyer = customer(stripe_client, name="List Page Ltd")
    made = [draft(stripe_client, buyer.id, (1200 + i, 300), metadata={"batch": str(i)}).id
            for i in range(6)]
    stripe_client.v1.invoices.finalize_invoice(made[0])
    headers = {"Authorization": f"Bearer {TEST_API_KEY}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers) as http:
        page = http.get("/v1/invoices", params={"customer": buyer.id, "limit": 100})
        single = http.get(f"/v1/invoices/{made[0]}")
        retrieved = {i: http.get(f"/v1/invoices/{i}").json() for i in made}
    listed = page.json()["data"]
    assert [invoice["id"] for invoice in listed] == made[::-1]
    assert all(invoice == retrieved[invoice["id"]] for invoice in listed)
    assert not any(key.startswith("_") for invoice in listed for key in invoice)
    # one object keeps Stripe's pretty printing; the long list page goes out compact
    assert single.text.startswith('{\n  "id"')
    assert "\n" not in page.text
