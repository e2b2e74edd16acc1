"""The poller reads events a test clock backdates (``created`` behind its cursor), once each.

An action on an object of a clock frozen in the past makes events dated at the clock's
time, which ``GET /v1/events?created[gte]=<cursor>`` never returns. Real flows through
the SDK: a customer on a clock ten days back, an invoice paid out of band, the clock
advanced, another invoice paid; each ``invoice.paid`` must be handled once.
"""

from __future__ import annotations

import time

import pytest
import stripe

from services.payments.events import PaymentEvents
from tests.conftest import client_for
from tests.events import factories as f
from tests.events.test_poller import _emit

DAY = 86_400


@pytest.fixture
def emulator(fresh_emulator):  # type: ignore[no-untyped-def]
    return fresh_emulator()


def _paid_invoice(client: stripe.StripeClient, customer: str, amount: int) -> str:
    client.v1.invoice_items.create(params={"customer": customer, "amount": amount,
                                           "currency": "eur"})
    invoice = client.v1.invoices.create(params={
        "customer": customer, "collection_method": "send_invoice", "days_until_due": 30,
        "pending_invoice_items_behavior": "include"})  # fmt: skip
    assert invoice.id is not None
    client.v1.invoices.finalize_invoice(invoice.id)
    client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True})
    return invoice.id


def _polling_from_now(emulator, engine, first: str):  # type: ignore[no-untyped-def]
    """A client and a poller whose cursor is at the present (``first`` handled)."""
    client = client_for(emulator)
    events = PaymentEvents(engine, client, None)
    _emit(emulator, f.paid(first, created=int(time.time())))
    assert events.poll_once() == 1
    return client, events


def test_backdated_test_clock_events_are_handled_once(emulator, engine):  # type: ignore[no-untyped-def]
    client = client_for(emulator)
    events = PaymentEvents(engine, client, None)
    try:
        _emit(emulator, f.paid("in_now", created=int(time.time())))
        assert events.poll_once() == 1  # the cursor is now at the present

        ten_days_ago = int(time.time()) - 10 * DAY
        clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": ten_days_ago})
        customer = client.v1.customers.create(params={
            "name": "Backdated GmbH", "email": "ap@backdated.test", "test_clock": clock.id})
        first = _paid_invoice(client, customer.id, 4_200)
        paid_events = client.v1.events.list(params={"type": "invoice.paid"}).data
        assert any(e.created <= ten_days_ago + 60 for e in paid_events)  # really backdated

        assert events.poll_once() >= 1
        assert first in set(events.fulfilments()["invoice_id"])
        assert events.poll_once() == 0  # read again, handled once

        client.v1.test_helpers.test_clocks.advance(
            clock.id, params={"frozen_time": ten_days_ago + 3 * DAY})
        second = _paid_invoice(client, customer.id, 9_900)
        assert events.poll_once() >= 1
        assert events.poll_once() == 0
    finally:
        events.close()
    fulfilled = list(events.fulfilments()["invoice_id"])
    assert sorted(fulfilled) == sorted(["in_now", first, second])  # each once
    activity = events.activity()
    assert not activity["event_id"].duplicated().any()


def test_a_clock_made_and_advanced_between_two_polls_is_read_from_where_it_started(  # type: ignore[no-untyped-def]
    emulator, engine
):
    """The events of a clock first seen after it moved on lie between the frozen time
    it was made with and its time now, well before the look-back of its time now; an
    existing customer it took along (made in real time, not in the clock's) is no
    bound either."""
    client, events = _polling_from_now(emulator, engine, "in_before")
    try:
        twenty_days_ago = int(time.time()) - 20 * DAY
        client.v1.test_helpers.test_clocks.create(params={"frozen_time": twenty_days_ago})
        made_here = client.v1.test_helpers.test_clocks.create(
            params={"frozen_time": twenty_days_ago})
        customer = client.v1.customers.create(params={
            "name": "Späte Uhr AG", "email": "ap@spaete-uhr.test", "test_clock": made_here.id})
        early = _paid_invoice(client, customer.id, 1_500)
        client.v1.test_helpers.test_clocks.advance(
            made_here.id, params={"frozen_time": twenty_days_ago + 5 * DAY})
        later = _paid_invoice(client, customer.id, 2_500)

        existing = client.v1.customers.create(params={
            "name": "Mitgenommen KG", "email": "ap@mitgenommen.test"})
        took_along = client.v1.test_helpers.test_clocks.create(
            params={"frozen_time": twenty_days_ago, "customer": existing.id})
        taken = _paid_invoice(client, existing.id, 3_500)  # at the clock's time: 20 days back
        client.v1.test_helpers.test_clocks.advance(
            took_along.id, params={"frozen_time": twenty_days_ago + 2 * DAY})

        assert events.poll_once() == 3  # all three, though days behind the clocks' time now
        assert events.poll_once() == 0
    finally:
        events.close()
    assert sorted(events.fulfilments()["invoice_id"]) == sorted(
        ["in_before", early, later, taken])


def test_a_clock_standing_still_still_brings_what_happens_at_its_time(  # type: ignore[no-untyped-def]
    emulator, engine
):
    """Once a clock stands still the poller reads only the events at its frozen time,
    which is where everything done to its objects lands: a payment made polls later is
    still handled, once; then it moves again and is read back over its move."""
    client, events = _polling_from_now(emulator, engine, "in_start")
    try:
        ten_days_ago = int(time.time()) - 10 * DAY
        clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": ten_days_ago})
        customer = client.v1.customers.create(params={
            "name": "Stillstand OHG", "email": "ap@stillstand.test", "test_clock": clock.id})
        first = _paid_invoice(client, customer.id, 1_000)
        assert events.poll_once() == 1
        assert events.poll_once() == 0  # standing still: read once more, then settled
        assert events.poll_once() == 0
        second = _paid_invoice(client, customer.id, 2_000)  # at its frozen time
        assert events.poll_once() == 1
        client.v1.test_helpers.test_clocks.advance(
            clock.id, params={"frozen_time": ten_days_ago + 2 * DAY})
        third = _paid_invoice(client, customer.id, 3_000)
        assert events.poll_once() == 1
        assert events.poll_once() == 0
    finally:
        events.close()
    assert sorted(events.fulfilments()["invoice_id"]) == sorted(
        ["in_start", first, second, third])
