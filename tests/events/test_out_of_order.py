"""Events in any arrival order end in the state the facts say, not the last arrival."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.payments.events import PaymentEvents
from tests.events import factories as f

T0 = 1_790_000_000  # event times (unix seconds); only their order matters


def _deliver(events: PaymentEvents, *sequence: dict) -> None:
    for evt in sequence:
        result = events.handle_event(evt)
        assert result.outcome in ("handled", "duplicate"), result


def test_paid_before_processing_stays_paid(events: PaymentEvents):
    processing = f.processing("in_ooo1", created=T0)
    paid = f.paid("in_ooo1", created=T0 + 3 * 86_400)

    _deliver(events, paid, processing)

    assert events.invoice_payment_state("in_ooo1") is None
    assert events.todo().empty
    sale = events.fulfilments().iloc[0]
    assert sale["paid_how"] == "bank debit"  # the late processing event says how it was paid
    # no "being processed" notice after the confirmation
    assert events.outbox()["kind"].tolist() == ["payment confirmation"]


def test_an_old_failure_delivered_after_paid_stays_paid(events: PaymentEvents):
    failure = f.payment_failed("in_ooo2", created=T0)
    paid = f.paid("in_ooo2", created=T0 + 600)

    _deliver(events, paid, failure)

    assert events.invoice_payment_state("in_ooo2") is None
    assert events.todo().empty
    assert events.outbox()["kind"].tolist() == ["payment confirmation"]


def test_processing_then_failed_needs_attention(events: PaymentEvents):
    _deliver(events, f.processing("in_ooo3", created=T0),
             f.payment_failed("in_ooo3", created=T0 + 4 * 86_400))

    assert events.invoice_payment_state("in_ooo3") == "needs attention"
    todo = events.todo()
    assert todo["action"].tolist() == ["resend payment link"]


def test_failed_delivered_before_its_earlier_processing_still_needs_attention(
    events: PaymentEvents,
):
    _deliver(events, f.payment_failed("in_ooo4", created=T0 + 86_400),
             f.processing("in_ooo4", created=T0))

    assert events.invoice_payment_state("in_ooo4") == "needs attention"
    # The stale processing event queues no "being processed" notice.
    assert events.outbox()["kind"].tolist() == ["payment failed"]


def test_a_new_debit_after_a_failure_is_pending(events: PaymentEvents):
    _deliver(events, f.payment_failed("in_ooo5", created=T0),
             f.processing("in_ooo5", created=T0 + 3600))

    assert events.invoice_payment_state("in_ooo5") == "payment pending"
    assert events.todo()["action"].tolist() == [""]


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_every_arrival_order_of_a_debit_story_ends_paid_once(events: PaymentEvents, order):
    story = [
        f.payment_failed("in_story", created=T0),                  # a card fails
        f.processing("in_story", created=T0 + 3600),               # a bank debit starts
        f.paid("in_story", created=T0 + 5 * 86_400),               # it settles
        f.payment_succeeded("in_story", created=T0 + 5 * 86_400),
    ]

    _deliver(events, *(story[i] for i in order))

    assert events.invoice_payment_state("in_story") is None
    assert events.todo().empty
    sales = events.fulfilments()
    assert sales["invoice_id"].tolist() == ["in_story"]
    assert sales["amount_paid"].tolist() == [12_345]
    assert sales["paid_how"].tolist() == ["bank debit"]
    assert events.outbox()["kind"].tolist().count("payment confirmation") == 1


_FACTS = {"failed": f.payment_failed, "processing": f.processing, "paid": f.paid}
_invoice_numbers = itertools.count()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(story=st.lists(st.tuples(st.sampled_from(sorted(_FACTS)), st.integers(0, 5)),
                      min_size=1, max_size=6),
       arrival=st.randoms(use_true_random=False))
def test_any_story_in_any_arrival_order_ends_as_its_facts_say(events: PaymentEvents, story,
                                                              arrival):
    invoice_id = f"in_prop{next(_invoice_numbers):05d}"
    deliveries = [_FACTS[kind](invoice_id, created=T0 + minute * 60) for kind, minute in story]
    arrival.shuffle(deliveries)

    _deliver(events, *deliveries)

    state = events.invoice_payment_state(invoice_id)
    sales = events.fulfilments()
    if any(kind == "paid" for kind, _ in story):
        assert state is None
        assert sales["invoice_id"].tolist().count(invoice_id) == 1
    else:
        latest = max(minute for _, minute in story)
        kinds_at_latest = {kind for kind, minute in story if minute == latest}
        expected = "needs attention" if "failed" in kinds_at_latest else "payment pending"
        assert state == expected
        assert invoice_id not in sales["invoice_id"].tolist()
    messages = events.outbox()
    confirmations = messages[(messages["invoice_id"] == invoice_id)
                             & (messages["kind"] == "payment confirmation")]
    assert len(confirmations) == (1 if state is None else 0)
