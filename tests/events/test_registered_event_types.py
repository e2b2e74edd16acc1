"""The dashboard's own webhook endpoint is sent every event its read model follows.

Tax rates, coupons, credit notes and invoice payments are kept in the read model by
their events; an endpoint registered without them would leave the Catalog's tax rates
and coupons and an invoice's credit notes stale until the next catch-up.
"""

from __future__ import annotations

from services.container import build_services
from services.core.settings import Settings
from tests.conftest import client_for

#: The event families issue 12's dashboard relies on (stripe-python 16.1's names).
NEEDED = {"tax_rate.created", "tax_rate.updated", "coupon.created", "coupon.updated",
          "coupon.deleted", "credit_note.created", "credit_note.updated",
          "credit_note.voided", "invoice_payment.paid", "invoice.paid",
          "invoice.payment_failed", "payment_intent.processing"}


def test_the_emulator_endpoint_is_registered_for_the_read_models_events(
    fresh_emulator, app_database_url: str
):
    emulator = fresh_emulator()
    services = build_services(Settings(stripe_api_key="sk_test_emulator",
                                       stripe_api_base=emulator.base_url,
                                       database_url=app_database_url))
    url = "http://127.0.0.1:1/webhooks/stripe-types"
    assert services.events.use_emulator_endpoint(url).startswith("whsec_")
    client = client_for(emulator)
    (endpoint,) = [e for e in client.v1.webhook_endpoints.list({"limit": 100}).data
                   if e.url == url]
    assert set(endpoint.enabled_events) >= NEEDED
    assert set(endpoint.enabled_events) == set(services.events.subscribed_types)
