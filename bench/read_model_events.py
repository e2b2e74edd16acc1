"""Figure 3 of ``bench.read_model_bench``: events applied per second through PaymentEvents.

``make_events`` makes real events from the invoice life (customer, draft, items,
finalize, pay) on an emulator and reads them back; ``run_events`` applies them on a new
app database with the read model on, one by one (``handle_event``: every object event
re-reads its object) or as a burst (all recorded first, then the worker's
``handle_unhandled``), and counts the Stripe requests it made and the events that failed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import stripe

from bench.read_model_backfill import app_services
from bench.request_counter import RequestCounter
from services.readmodel.sync import OBJECT_EVENT_TYPES
from stripe_emulator.embedded import RunningEmulator

LATENCY_EVENTS = 150  # events applied with Stripe at --latency-ms (for comparison)


@dataclass
class EventsFigure:
    """One row of figure 3: events applied, seconds, Stripe requests made, events failed."""

    database: str
    events: int
    object_events: int
    seconds: float
    requests: int
    failed: int


def make_events(client: stripe.StripeClient, wanted: int) -> list[dict[str, Any]]:
    """At least ``wanted`` real events from the invoice life (customer, draft, items,
    finalize, pay), read back from ``GET /v1/events``, oldest first."""
    made = 0
    while made < wanted:
        customer = client.v1.customers.create(params={"name": f"Events {made}",
                                                      "email": f"e{made}@bench.test"})
        invoice = client.v1.invoices.create(params={
            "customer": customer.id, "collection_method": "send_invoice",
            "days_until_due": 30, "auto_advance": False})  # fmt: skip
        for amount in (1500, 2500):
            client.v1.invoice_items.create(params={
                "customer": customer.id, "invoice": invoice.id, "amount": amount,
                "currency": "usd"})  # fmt: skip
        client.v1.invoices.finalize_invoice(invoice.id)
        client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True})
        made = len(_all_events(client))
    return list(reversed(_all_events(client)))


def _all_events(client: stripe.StripeClient) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        page = client.raw_request("get", "/v1/events", **params).data
        events += page["data"]
        if not page.get("has_more"):
            return events
        params["starting_after"] = page["data"][-1]["id"]


def run_events(label: str, database_url: str, emulator: RunningEmulator,
               counter: RequestCounter, events: list[dict[str, Any]], *,
               burst: bool = False) -> EventsFigure:
    """Apply ``events`` on a new app database with the read model on.

    One by one (``burst=False``): ``handle_event`` records each event and handles it at
    once, so every object event re-reads its object (the worst case). Burst: every event
    is recorded first (as webhooks arriving together), then the worker's path
    (``handle_unhandled``) handles them: an object already re-read after an event arrived
    is not read again for it.
    """
    services = app_services(database_url, emulator.base_url, None)
    try:
        services.upkeep.begin_at_now()
        before = counter.total()
        started = time.perf_counter()
        if burst:
            for event in events:
                services.events.record(event, source="bench")
            while services.events.handle_unhandled(limit=500):
                pass
            failed = int((services.events.activity(limit=len(events) + 10)["outcome"]
                          == "failed").sum())
        else:
            failed = sum(services.events.handle_event(event, source="bench").outcome
                         == "failed" for event in events)
        seconds = time.perf_counter() - started
        objects = sum(event["type"] in OBJECT_EVENT_TYPES for event in events)
        return EventsFigure(label, len(events), objects, seconds, counter.total() - before,
                            failed)
    finally:
        services.events.close()
        services.engine.dispose()
