"""A 0.00 invoice: Stripe marks it paid when it is finalized, but nothing was charged, so the
dashboard says "no payment needed" instead of "paid by card" and thanks nobody for 0.00."""

from __future__ import annotations

from services.payments.events import PaymentEvents
from services.payments.handlers import NO_PAYMENT_NEEDED
from tests.events import factories as f

T0 = 1_790_000_000


def test_a_zero_invoice_is_paid_with_no_payment_needed(events: PaymentEvents) -> None:
    events.handle_event(f.payment_succeeded("in_zero", created=T0) | {"data": {"object": f.invoice(
        "in_zero", status="paid", amount_due=0, amount_paid=0, attempted=True, paid_at=T0)}})
    result = events.handle_event(f.paid("in_zero", created=T0, amount=0))

    assert "No payment needed" in result.summary and "card" not in result.summary
    assert events.fulfilments()["paid_how"].tolist() == [NO_PAYMENT_NEEDED]
    notes = events.invoice_history("in_zero")["note"].tolist()
    assert not any("card" in note or "collected by Stripe" in note for note in notes)
    assert events.outbox().empty  # no "we received your payment of 0.00 USD"


def test_an_invoice_with_money_due_is_still_paid_by_card(events: PaymentEvents) -> None:
    result = events.handle_event(f.paid("in_some", created=T0, amount=100))
    assert "by card" in result.summary
    assert events.fulfilments()["paid_how"].tolist() == ["card"]
