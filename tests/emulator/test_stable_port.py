"""A file-backed emulator answers on the same port after a restart, so the hosted
invoice links stored in its objects keep opening (issue 14 item 9: demo mode's
"Customer's payment page" links broke after every restart)."""

from __future__ import annotations

from pathlib import Path

import stripe

from stripe_emulator.embedded import start_emulator


def test_a_restarted_emulator_keeps_its_port_and_its_hosted_links(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    first = start_emulator(db)
    try:
        client = stripe.StripeClient("sk_test_port", base_addresses={"api": first.base_url})
        customer = client.v1.customers.create(params={"email": "port@example.test"})
        draft = client.v1.invoices.create(params={"customer": customer.id,
                                                  "collection_method": "send_invoice",
                                                  "days_until_due": 30})
        client.v1.invoice_items.create(params={"customer": customer.id, "invoice": draft.id,
                                               "amount": 1000, "currency": "usd"})
        hosted = client.v1.invoices.finalize_invoice(draft.id).hosted_invoice_url
    finally:
        first.stop()
    again = start_emulator(db)
    try:
        assert again.base_url == first.base_url
        assert hosted is not None and hosted.startswith(again.base_url)
    finally:
        again.stop()
