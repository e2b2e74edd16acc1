"""End to end: invoices paid in the emulator with the real stripe SDK reach the dashboard
through signed webhook deliveries (or the poller alone) and leave the right trace."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import stripe
from starlette.applications import Starlette

from services.core.access import Actor, Role
from services.payments.events import PaymentEvents
from tests.conftest import client_for
from tests.events import factories as f
from tests.events.conftest import LiveServer
from ui.http_routes import webhook_route

CLERK = Actor("carla", Role.CLERK)


@dataclass
class PaymentWorld:
    """An isolated emulator, the SDK client, and the events service listening to it."""

    client: stripe.StripeClient
    events: PaymentEvents
    mode: str
    clock_id: str
    frozen_time: int

    def until(self, condition: Callable[[], bool], timeout: float = 15.0) -> bool:
        """Wait for ``condition``; in poller mode poll Stripe while waiting."""
        def check() -> bool:
            if self.mode == "poller":
                self.events.poll_once()
            return condition()

        return f.wait_for(check, timeout)

    def open_invoice(self, amount: int = 5_000) -> stripe.Invoice:
        """A finalized invoice for a new customer on the world's test clock."""
        customer = self.client.v1.customers.create(params={
            "email": "ada@example.com", "name": "Ada Lovelace", "test_clock": self.clock_id,
        })
        invoice = self.client.v1.invoices.create(params={"customer": customer.id})
        self.client.v1.invoice_items.create(params={
            "customer": customer.id, "invoice": invoice.id, "amount": amount, "currency": "usd",
        })
        return self.client.v1.invoices.finalize_invoice(invoice.id)

    def advance_clock(self, seconds: int) -> None:
        """Move the test clock forward (bank debits settle when it passes them)."""
        self.frozen_time += seconds
        self.client.v1.test_helpers.test_clocks.advance(
            self.clock_id, params={"frozen_time": self.frozen_time})


@pytest.fixture(params=["webhook", "poller"])
def world(request, fresh_emulator, engine) -> Iterator[PaymentWorld]:
    emulator = fresh_emulator()
    client = client_for(emulator)
    frozen = int(time.time())
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": frozen})
    events = PaymentEvents(engine, client, None)
    server = None
    if request.param == "webhook":
        server = LiveServer(Starlette(routes=[webhook_route(lambda: events)])).start()
        events.use_emulator_endpoint(f"{server.url}/webhooks/stripe")
    yield PaymentWorld(client, events, request.param, clock.id, frozen)
    if server is not None:
        server.stop()
    events.close()


def _kinds(events: PaymentEvents) -> list[str]:
    return sorted(events.outbox()["kind"])


def test_card_payment_records_the_sale_and_queues_the_confirmation(world: PaymentWorld):
    invoice = world.open_invoice(5_000)

    world.client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"})

    assert world.until(lambda: len(world.events.fulfilments()) == 1
                       and len(world.events.invoice_history(invoice.id)) == 2)
    sale = world.events.fulfilments().iloc[0]
    assert (sale["invoice_id"], sale["amount_paid"], sale["currency"], sale["paid_how"]) == (
        invoice.id, 5_000, "usd", "card")
    assert sale["email"] == "ada@example.com"
    message = world.events.outbox().iloc[0]
    assert (message["kind"], message["recipient"], message["status"]) == (
        "payment confirmation", "ada@example.com", "sent to outbox")
    assert invoice.number in message["subject"]
    assert world.events.invoice_payment_state(invoice.id) is None
    handled = world.events.activity()
    assert sorted(handled["event_type"]) == ["invoice.paid", "invoice.payment_succeeded"]
    assert set(handled["source"]) == {world.mode}


def test_bank_debit_is_pending_then_paid_when_it_settles(world: PaymentWorld):
    invoice = world.open_invoice(7_500)

    paying = world.client.v1.invoices.pay(invoice.id,
                                          params={"payment_method": "pm_usBankAccount"})

    assert paying.status == "open"
    assert world.until(lambda: world.events.invoice_payment_state(invoice.id)
                       == "payment pending")
    assert world.events.todo()["invoice_id"].tolist() == [invoice.id]
    notice = world.events.outbox().iloc[0]
    assert notice["kind"] == "payment processing"
    assert notice["recipient"] == "ada@example.com"
    assert "75.00 USD" in notice["body"]
    assert world.events.fulfilments().empty

    world.advance_clock(2)  # the debit settles

    assert world.until(lambda: len(world.events.fulfilments()) == 1)
    assert world.events.invoice_payment_state(invoice.id) is None
    assert world.events.todo().empty
    assert world.events.fulfilments()["paid_how"].tolist() == ["bank debit"]
    assert _kinds(world.events) == ["payment confirmation", "payment processing"]


def test_declined_card_needs_attention_and_the_link_can_be_resent(world: PaymentWorld):
    invoice = world.open_invoice()

    with pytest.raises(stripe.CardError):
        world.client.v1.invoices.pay(invoice.id,
                                     params={"payment_method": "pm_card_chargeDeclined"})

    assert world.until(lambda: world.events.invoice_payment_state(invoice.id)
                       == "needs attention")
    todo = world.events.todo().iloc[0]
    assert (todo["invoice_id"], todo["action"]) == (invoice.id, "resend payment link")
    email = world.events.outbox().iloc[0]
    assert email["kind"] == "payment failed"
    assert invoice.hosted_invoice_url in email["body"]

    world.events.resend_payment_link(CLERK, invoice.id, form_nonce="nonce-1")

    assert _kinds(world.events) == ["payment failed", "payment link resent"]
    assert world.events.fulfilments().empty

    # The customer then pays by card: paid, off the to-do list, one sale.
    world.client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"})
    assert world.until(lambda: len(world.events.fulfilments()) == 1)
    assert world.events.invoice_payment_state(invoice.id) is None
    assert world.events.todo().empty


def test_paid_out_of_band_is_recorded_as_such(world: PaymentWorld):
    invoice = world.open_invoice()

    world.client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True})

    assert world.until(lambda: len(world.events.fulfilments()) == 1)
    assert world.events.fulfilments()["paid_how"].tolist() == ["out of band"]
    assert world.events.activity()["event_type"].tolist() == ["invoice.paid"]


def test_a_late_processing_event_for_a_settled_debit_changes_nothing(fresh_emulator, engine):
    # No webhook, no poller: the processing event is handed over only after the debit
    # settled and the invoice was paid. Stripe, asked now, says paid: no pending, no notice.
    client = client_for(fresh_emulator(settlement_delay_seconds=0.05))
    events = PaymentEvents(engine, client, None)
    customer = client.v1.customers.create(params={"email": "ada@example.com"})
    invoice = client.v1.invoices.create(params={"customer": customer.id})
    client.v1.invoice_items.create(params={"customer": customer.id, "invoice": invoice.id,
                                           "amount": 2_000, "currency": "usd"})
    client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_usBankAccount"})
    assert f.wait_for(lambda: client.v1.invoices.retrieve(invoice.id).status == "paid")
    processing = next(
        e for e in client.v1.events.list(params={"type": "payment_intent.processing"}).data
    ).to_dict()

    result = events.handle_event(processing)

    assert result.outcome == "handled"
    assert result.invoice_id == invoice.id
    assert events.invoice_payment_state(invoice.id) is None
    assert events.outbox().empty
