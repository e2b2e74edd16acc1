"""How fresh the read model says it is: "events applied up to" and "last checked".

The caption on every page and the Admin panel read :meth:`ReadModelUpkeep.freshness`.
They must move when an event's effect reaches the read model, whichever way it came
(webhook or catch-up), also for customers on a test clock (the demo book's), whose
events Stripe dates by the clock's frozen time; and "last checked" must move every time
a catch-up reads Stripe's events, periodic or asked for, even when nothing was new.
Each test runs on its own emulator and the app database of the run (SQLite or
PostgreSQL).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import stripe
from sqlalchemy import update

from services.container import Services
from services.readmodel import store
from services.readmodel.tables import sync_state
from services.reporting.receivables import InvoiceFilters
from tests.events.factories import SECRET, sign, wait_for
from tests.services.conftest import services_for, unique

HOUR = 3600


@pytest.fixture
def own(fresh_emulator, app_database_url: str) -> Iterator[tuple[Services, stripe.StripeClient]]:  # type: ignore[no-untyped-def]
    running = fresh_emulator()
    services = services_for(running.base_url, app_database_url, backfill=True)
    services.events.webhook_secret = SECRET  # as STRIPE_WEBHOOK_SECRET would set it
    client = stripe.StripeClient("sk_test_emulator", base_addresses={"api": running.base_url})
    yield services, client
    services.close()


def _an_hour_old(services: Services) -> int:
    """Make the freshness an hour old (as after a quiet hour); return that moment."""
    then = int(time.time()) - HOUR
    with services.engine.begin() as conn:
        conn.execute(update(sync_state).where(sync_state.c.name == store.EVENTS_CURSOR)
                     .values(position=then, updated_at=then))
    assert services.upkeep.freshness().last_event_at == then
    assert services.upkeep.freshness().checked_at == then
    return then


def _invoice_on_a_test_clock(client: stripe.StripeClient) -> str:
    """An open invoice, made in Stripe only, for a customer on a clock frozen 10 days ago
    (as the demo book's customers are): Stripe dates its events 10 days ago."""
    frozen = int((datetime.now(UTC) - timedelta(days=10)).timestamp())
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": frozen})
    customer = client.v1.customers.create(params={"name": unique("Clocked"),
                                                  "test_clock": clock.id})
    invoice = client.v1.invoices.create(params={
        "customer": customer.id, "collection_method": "send_invoice", "days_until_due": 30,
        "auto_advance": False,
    })  # fmt: skip
    client.v1.invoice_items.create(params={"customer": customer.id, "invoice": invoice.id,
                                           "amount": 3_558_000, "currency": "eur"})
    client.v1.invoices.finalize_invoice(invoice.id)
    return invoice.id


def _deliver_by_webhook(services: Services, client: stripe.StripeClient, invoice_id: str) -> None:
    """POST /webhooks/stripe, signed, for every event about ``invoice_id``, oldest first;
    then wait until the worker has handled them."""
    listed = [event.to_dict() for event in
              client.v1.events.list(params={"limit": 100}).auto_paging_iter()]
    events = [event for event in listed if invoice_id in (
        event["data"]["object"].get("id"), event["data"]["object"].get("invoice"))]
    assert events, "the emulator made no event about the invoice"
    for event in reversed(events):
        body = json.dumps(event, default=str)  # Stripe sends decimals as strings
        reply = services.events.receive_webhook(body.encode(), {"Stripe-Signature": sign(body)})
        assert reply.status == 200, reply.body
    assert services.events.wait_until_idle(10)


def _open_invoice_ids(services: Services) -> set[str]:
    table = services.reports.invoices_table(InvoiceFilters(statuses=("open",)))
    return set(table["invoice_id"])


def test_a_webhook_event_of_a_test_clock_customer_moves_the_freshness(own) -> None:  # type: ignore[no-untyped-def]
    services, client = own
    then = _an_hour_old(services)
    invoice_id = _invoice_on_a_test_clock(client)
    delivered_from = int(time.time())
    _deliver_by_webhook(services, client, invoice_id)
    assert invoice_id in _open_invoice_ids(services)  # the data is current...
    freshness = services.upkeep.freshness()
    # ...and so is what the caption says: not the hour-old figure, not the clock's date
    assert freshness.last_event_at is not None and freshness.last_event_at >= delivered_from
    assert freshness.last_event_at <= int(time.time())
    assert freshness.checked_at is not None and freshness.checked_at >= delivered_from
    assert then < delivered_from


def test_a_webhook_event_never_moves_the_freshness_into_the_future(own) -> None:  # type: ignore[no-untyped-def]
    services, client = own
    _an_hour_old(services)
    frozen = int((datetime.now(UTC) + timedelta(days=30)).timestamp())
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": frozen})
    customer = client.v1.customers.create(params={"name": unique("Ahead"),
                                                  "test_clock": clock.id})
    event = next(e.to_dict() for e in client.v1.events.list(params={"type": "customer.created"})
                 .auto_paging_iter() if e.data.object.id == customer.id)
    assert event["created"] >= frozen  # Stripe dates it by the clock, 30 days ahead
    body = json.dumps(event, default=str)
    assert services.events.receive_webhook(
        body.encode(), {"Stripe-Signature": sign(body)}).status == 200
    assert services.events.wait_until_idle(10)
    assert (services.upkeep.freshness().last_event_at or 0) <= int(time.time())


def test_a_catch_up_with_nothing_new_still_moves_last_checked(own) -> None:  # type: ignore[no-untyped-def]
    services, _client = own
    then = _an_hour_old(services)
    started = int(time.time())
    assert services.upkeep.catch_up() == 0
    freshness = services.upkeep.freshness()
    assert freshness.checked_at is not None and freshness.checked_at >= started
    assert freshness.last_event_at == then  # no new event: the newest applied is unchanged


def test_the_periodic_catch_up_runs_and_records(own) -> None:  # type: ignore[no-untyped-def]
    services, client = own
    _an_hour_old(services)
    services.upkeep.start(every_seconds=0.2).join(10)  # the first catch-up is done here
    started = int(time.time())
    invoice_id = _invoice_on_a_test_clock(client)  # no webhook reaches the dashboard
    assert wait_for(lambda: invoice_id in _open_invoice_ids(services), timeout=10), (
        "the periodic catch-up did not bring the invoice made in Stripe")
    assert (services.upkeep.freshness().last_event_at or 0) >= started
    # Once nothing is new, it still runs, and says so: "last checked" keeps moving.
    first = services.upkeep.freshness().checked_at or 0
    assert wait_for(lambda: (services.upkeep.freshness().checked_at or 0) > first,
                    timeout=10), "the periodic catch-up did not record that it ran"
