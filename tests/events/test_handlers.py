"""What each payment event leaves behind: the sales log, the to-do list, the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.core.access import Actor, Role
from services.core.database import make_plain_engine
from services.core.errors import InvalidInput, NotAllowedInState, NotFound, PermissionDenied
from services.payments.events import PaymentEvents
from tests.events import factories as f

T0 = 1_790_000_000
CLERK = Actor("carla", Role.CLERK)


def test_invoice_paid_records_the_sale_and_queues_a_confirmation(events: PaymentEvents):
    result = events.handle_event(f.paid("in_sale", created=T0, amount=250_000))

    assert result.outcome == "handled"
    assert "2,500.00 USD by card" in result.summary
    sale = events.fulfilments().iloc[0]
    assert (sale["invoice_id"], sale["customer_id"], sale["email"]) == (
        "in_sale", "cus_ada", "ada@example.com")
    assert (sale["amount_paid"], sale["currency"], sale["paid_how"]) == (250_000, "usd", "card")
    assert sale["paid_at"] == datetime.fromtimestamp(T0, UTC)
    message = events.outbox().iloc[0]
    assert message["recipient"] == "ada@example.com"
    assert message["status"] == "sent to outbox"  # no SMTP configured: kept, visible
    assert "2,500.00 USD" in message["body"]


def test_paid_delivered_under_different_event_ids_is_one_sale(events: PaymentEvents):
    results = [events.handle_event(f.paid("in_twice", created=T0 + i)) for i in range(3)]

    assert [r.outcome for r in results] == ["handled"] * 3
    assert "Already in the sales log" in results[1].summary
    assert len(events.fulfilments()) == 1
    assert len(events.outbox()) == 1


def test_payment_succeeded_is_noted_and_never_counted_twice(events: PaymentEvents):
    events.handle_event(f.payment_succeeded("in_both", created=T0))
    events.handle_event(f.paid("in_both", created=T0))
    events.handle_event(f.payment_succeeded("in_both", created=T0 + 1))

    assert len(events.fulfilments()) == 1
    assert events.fulfilments()["paid_how"].tolist() == ["card"]
    notes = events.invoice_history("in_both")["note"].tolist()
    assert notes.count("Payment collected by Stripe") == 2
    assert len(events.outbox()) == 1


def test_paid_without_an_attempt_is_out_of_band(events: PaymentEvents):
    events.handle_event(f.paid("in_oob", created=T0, attempted=False))

    assert events.fulfilments()["paid_how"].tolist() == ["out of band"]


def test_paid_after_processing_is_a_bank_debit(events: PaymentEvents):
    events.handle_event(f.processing("in_ach", created=T0))
    assert events.invoice_payment_state("in_ach") == "payment pending"
    notice = events.outbox().iloc[0]
    assert notice["subject"].startswith("We received your payment")
    assert "being processed" in notice["body"]

    events.handle_event(f.paid("in_ach", created=T0 + 4 * 86_400))

    assert events.invoice_payment_state("in_ach") is None
    assert events.fulfilments()["paid_how"].tolist() == ["bank debit"]


def test_processing_for_no_known_invoice_is_ignored(events: PaymentEvents):
    evt = f.processing("in_x", created=T0)
    evt["data"]["object"]["metadata"] = {}

    result = events.handle_event(evt)

    assert result.outcome == "ignored"
    assert events.outbox().empty


def test_failed_payment_needs_attention_with_the_payment_link(events: PaymentEvents):
    events.handle_event(f.payment_failed("in_fail", created=T0, attempt_count=2))

    assert events.invoice_payment_state("in_fail") == "needs attention"
    row = events.todo().iloc[0]
    assert (row["invoice_id"], row["detail"], row["action"]) == (
        "in_fail", "Payment attempt 2 failed", "resend payment link")
    email = events.outbox().iloc[0]
    assert "please try again" in email["subject"]
    assert "https://invoice.stripe.com/i/acct_x/in_fail" in email["body"]


def test_resend_queues_the_link_again_once_per_form(events: PaymentEvents):
    events.handle_event(f.payment_failed("in_resend", created=T0))

    events.resend_payment_link(CLERK, "in_resend", form_nonce="form-1")
    events.resend_payment_link(CLERK, "in_resend", form_nonce="form-1")  # double click
    events.resend_payment_link(CLERK, "in_resend", form_nonce="form-2")

    kinds = events.outbox()["kind"].tolist()
    assert kinds.count("payment link resent") == 2
    resent = events.outbox().iloc[0]
    assert resent["subject"].startswith("Reminder: Payment failed")
    assert "https://invoice.stripe.com/i/acct_x/in_resend" in resent["body"]
    history = events.invoice_history("in_resend")["note"].tolist()
    assert history.count("Payment link resent by carla") == 2


def test_resend_is_refused_to_a_viewer(events: PaymentEvents):
    events.handle_event(f.payment_failed("in_viewer", created=T0))

    with pytest.raises(PermissionDenied):
        events.resend_payment_link(Actor("vera", Role.VIEWER), "in_viewer", form_nonce="n")
    assert len(events.outbox()) == 1


def test_resend_is_refused_for_a_paid_or_unknown_invoice(events: PaymentEvents):
    events.handle_event(f.payment_failed("in_later_paid", created=T0))
    events.handle_event(f.paid("in_later_paid", created=T0 + 60))

    with pytest.raises(NotAllowedInState) as refused:
        events.resend_payment_link(CLERK, "in_later_paid", form_nonce="n")
    assert refused.value.field == "invoice_id"
    with pytest.raises(NotFound):
        events.resend_payment_link(CLERK, "in_unknown", form_nonce="n")
    with pytest.raises(InvalidInput) as missing:
        events.resend_payment_link(CLERK, "in_later_paid", form_nonce="")
    assert missing.value.field == "form_nonce"


def test_a_customer_without_email_shows_a_failed_message(events: PaymentEvents):
    events.handle_event(f.paid("in_noemail", created=T0, email=None))

    message = events.outbox().iloc[0]
    assert message["status"] == "failed"
    assert "no email address" in message["last_error"]


def test_an_event_recorded_before_a_crash_is_handled_after_restart(engine):
    before_crash = PaymentEvents(engine, None, f.SECRET)
    evt = f.paid("in_crash", created=T0)
    assert before_crash.record(evt, source="webhook")  # answered 200, then the process died
    assert before_crash.activity()["outcome"].tolist() == ["received"]

    after_restart = PaymentEvents(engine, None, f.SECRET)
    after_restart.start_background()  # what app.py does at start
    try:
        deadline_ok = f.wait_for(lambda: len(after_restart.fulfilments()) == 1)
    finally:
        after_restart.close()
    assert deadline_ok
    assert after_restart.activity()["outcome"].tolist() == ["handled"]


def test_a_handler_error_is_shown_and_can_be_retried(events: PaymentEvents):
    evt = f.paid("in_broken", created=T0)
    del evt["data"]["object"]["id"]  # an invoice without its id cannot be fulfilled

    result = events.handle_event(evt)

    assert result.outcome == "failed"
    row = events.activity().iloc[0]
    assert row["outcome"] == "failed"
    assert "KeyError" in row["error"]
    assert events.retry_failed(evt["id"]).outcome == "failed"  # still broken, still shown
    assert events.activity()["outcome"].tolist() == ["failed"]
    handled = f.paid("in_fine", created=T0)
    events.handle_event(handled)
    with pytest.raises(NotAllowedInState):
        events.retry_failed(handled["id"])


def test_the_service_creates_its_tables_on_a_bare_database(empty_database_url: str):
    bare = make_plain_engine(empty_database_url)
    service = PaymentEvents(bare, None, f.SECRET)

    assert service.handle_event(f.paid("in_bare", created=T0)).outcome == "handled"
    assert len(service.fulfilments()) == 1


def test_every_resend_and_every_refused_one_is_audited(engine):
    from services.core.audit import AuditLog

    audit = AuditLog(engine)
    audited = PaymentEvents(engine, None, f.SECRET, audit=audit)
    try:
        audited.handle_event(f.payment_failed("in_audited", created=T0))
        audited.resend_payment_link(CLERK, "in_audited", form_nonce="form-a")
        with pytest.raises(PermissionDenied):
            audited.resend_payment_link(Actor("vera", Role.VIEWER), "in_audited",
                                        form_nonce="form-b")
    finally:
        audited.close()
    rows = audit.history("in_audited")
    assert list(zip(rows["username"], rows["action"], rows["outcome"], strict=True)) == [
        ("carla", "resend_payment_link", "success"),
        ("vera", "resend_payment_link", "failure"),
    ]
