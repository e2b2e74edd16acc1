"""The event poller: GET /v1/events after the last event seen, same handlers, same dedupe,
and safe beside the webhook. Events are emitted inside an isolated emulator."""

from __future__ import annotations

import threading
import time

import pytest

from services.payments.events import PaymentEvents
from stripe_emulator.backend.events import emit_event
from tests.conftest import client_for
from tests.events import factories as f
from tests.events.conftest import LiveServer
from ui.http_routes import webhook_route


def _emit(emulator, evt: dict) -> dict:
    """Have the emulator emit ``evt``'s object under ``evt``'s type (stored, delivered)."""
    return emit_event(emulator.state, evt["type"], evt["data"]["object"])


@pytest.fixture
def emulator(fresh_emulator):
    return fresh_emulator()


def test_poller_alone_handles_each_payment_event_once(emulator, engine):
    events = PaymentEvents(engine, client_for(emulator), None)
    now = int(time.time())
    _emit(emulator, f.paid("in_poll_paid", created=now))
    _emit(emulator, f.payment_failed("in_poll_failed", created=now))
    _emit(emulator, f.processing("in_poll_debit", created=now))
    emit_event(emulator.state, "customer.created", {"id": "cus_noise", "object": "customer"})

    assert events.poll_once() == 3
    assert events.poll_once() == 0  # nothing new after the last event seen

    assert events.fulfilments()["invoice_id"].tolist() == ["in_poll_paid"]
    assert events.invoice_payment_state("in_poll_failed") == "needs attention"
    assert events.invoice_payment_state("in_poll_debit") == "payment pending"
    assert set(events.activity()["source"]) == {"poller"}
    assert len(events.outbox()) == 3

    _emit(emulator, f.paid("in_poll_debit", created=now + 1))
    assert events.poll_once() == 1
    assert events.invoice_payment_state("in_poll_debit") is None


def test_poller_beside_the_webhook_never_handles_twice(emulator, engine):
    events = PaymentEvents(engine, client_for(emulator), None)
    server = LiveServer(_app(events)).start()
    try:
        events.use_emulator_endpoint(f"{server.url}/webhooks/stripe")
        emitted = []
        stop = threading.Event()
        polled: list[int] = []

        def poll_while_delivering() -> None:
            while not stop.is_set():
                polled.append(events.poll_once())

        poller = threading.Thread(target=poll_while_delivering)
        poller.start()
        for i in range(20):
            emitted.append(_emit(emulator, f.paid(f"in_race{i:03d}", created=int(time.time()))))
        assert f.wait_for(lambda: all(
            d["status"] == "succeeded" for e in emitted
            for d in emulator.state.webhooks.deliveries_of(e["id"])
        ), timeout=20)
        stop.set()
        poller.join(20)
        polled.append(events.poll_once())
        assert events.wait_until_idle(10)
    finally:
        server.stop()
        events.close()

    activity = events.activity()
    assert sorted(activity["event_id"]) == sorted(e["id"] for e in emitted)
    assert set(activity["outcome"]) == {"handled"}
    assert len(events.fulfilments()) == 20
    assert len(events.outbox()) == 20
    webhook_handled = int((activity["source"] == "webhook").sum())
    assert webhook_handled + sum(polled) == 20


def _app(events: PaymentEvents):
    from starlette.applications import Starlette

    return Starlette(routes=[webhook_route(lambda: events)])


def test_background_polling_picks_up_new_events(emulator, engine):
    events = PaymentEvents(engine, client_for(emulator), None, sweep_interval=0.1)
    events.start_background(poll=True)
    try:
        _emit(emulator, f.paid("in_background", created=int(time.time())))

        assert f.wait_for(lambda: len(events.fulfilments()) == 1)
    finally:
        events.close()
    assert events.activity()["source"].tolist() == ["poller"]


def test_an_event_from_a_test_clock_in_the_future_does_not_hide_later_events(emulator, engine):
    client = client_for(emulator)
    now = int(time.time())
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": now})
    client.v1.test_helpers.test_clocks.advance(clock.id,
                                               params={"frozen_time": now + 30 * 86_400})
    events = PaymentEvents(engine, client, None)
    future = f.paid("in_future", created=now)["data"]["object"] | {"test_clock": clock.id}
    emitted = emit_event(emulator.state, "invoice.paid", future)
    assert emitted["created"] >= now + 30 * 86_400
    assert events.poll_once() == 1

    _emit(emulator, f.paid("in_present", created=now))  # a real-time event, after it

    assert events.poll_once() == 1
    assert sorted(events.fulfilments()["invoice_id"]) == ["in_future", "in_present"]
    assert events.poll_once() == 0


def test_payments_before_polling_started_are_history_not_news(emulator, engine):
    """A dashboard that starts reading events at the newest one does not handle (and
    email about) the payments of the minutes before, which its look-back would reach;
    from the starting second on (that second included: it may hold more) it does."""
    events = PaymentEvents(engine, client_for(emulator), None)
    try:
        now = int(time.time())
        _emit(emulator, f.paid("in_before_start", created=now))
        time.sleep(1.1)  # the emulator dates events by its clock: a second later
        newest = _emit(emulator, f.paid("in_at_start", created=now))
        events.start_polling_at(newest["id"], newest["created"])
        _emit(emulator, f.paid("in_after_start", created=now))
        assert events.poll_once() == 2
        assert sorted(events.fulfilments()["invoice_id"]) == ["in_after_start", "in_at_start"]
    finally:
        events.close()
