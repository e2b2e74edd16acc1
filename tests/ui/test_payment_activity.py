"""Payment activity page: to-do list with one-click resend, events, outbox, roles, gate."""

from __future__ import annotations

import dataclasses
import time

import pytest

from tests.ui.conftest import texts
from tests.ui.page_fixtures import stripe_services_fixture  # noqa: F401  (fixture)
from ui import runtime

PAGE = "pages/payment_activity.py"


def install(services, events) -> None:
    """Make the page see ``events`` as the payment-events service."""
    changed = dataclasses.replace(services, events=events)
    runtime.install_services_factory(lambda: changed, replace=True)


def payment_failed_event(invoice_id: str, number: str) -> dict:
    """A Stripe ``invoice.payment_failed`` event (the fields Stripe sends that matter here)."""
    now = int(time.time())
    invoice = {
        "id": invoice_id, "object": "invoice", "status": "open", "number": number,
        "customer": "cus_failing", "customer_email": "ap@failing.test",
        "customer_name": "Failing Ltd", "currency": "eur", "amount_due": 4_990,
        "amount_paid": 0, "amount_remaining": 4_990, "attempted": True, "attempt_count": 1,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/acct_x/{invoice_id}",
        "status_transitions": {"paid_at": None, "finalized_at": now - 3600},
    }
    return {
        "id": f"evt_{invoice_id}", "object": "event", "api_version": "2026-10-28.endive",
        "created": now, "type": "invoice.payment_failed", "livemode": False,
        "pending_webhooks": 1, "data": {"object": invoice},
        "request": {"id": None, "idempotency_key": None},
    }


@pytest.fixture
def payment_events(stripe_services):
    """The real payment-events service on the test's app database, with one failed payment."""
    events_module = pytest.importorskip("services.payments.events")
    events = events_module.PaymentEvents(stripe_services.engine, None, "whsec_ui_test")
    events.handle_event(payment_failed_event("in_uifail01", "FAIL-0001"))
    install(stripe_services, events)
    yield events
    events.close()


def test_without_payment_events_the_page_says_so_plainly(app_test, stripe_services):
    install(stripe_services, None)
    at = app_test(PAGE, role="admin").run()
    assert not at.exception
    assert "Payment events are not configured" in at.info[0].value
    assert not at.dataframe


def test_failed_payment_is_a_todo_and_the_link_is_resent_once(app_test, payment_events):
    at = app_test(PAGE, role="clerk").run()
    assert not at.exception
    assert "Invoice FAIL-0001" in texts(at) and "€49.90" in texts(at)
    assert "invoice.payment_failed" in set(at.dataframe[0].value["event_type"])
    resend = next(b for b in at.button if b.label == "Resend payment link for FAIL-0001")
    resend.click().run()
    assert [t.value for t in at.toast] == [
        "Payment link for invoice FAIL-0001 queued for the customer"
    ]
    outbox = payment_events.outbox()
    resent = outbox[outbox["kind"] == "payment link resent"]
    assert list(resent["recipient"]) == ["ap@failing.test"]
    assert "Send FAIL-0001 again…" in [b.label for b in at.button]
    assert "ap@failing.test" in set(at.dataframe[1].value["recipient"])  # outbox shown


def test_viewer_is_not_offered_the_resend(app_test, payment_events):
    at = app_test(PAGE, role="viewer").run()
    assert "Invoice FAIL-0001" in texts(at)
    assert not [b for b in at.button if "Resend" in b.label]
    assert "A clerk can resend the payment link." in texts(at)


def test_page_url_without_login_shows_only_the_login(app_test, stripe_services):
    at = app_test(PAGE).run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Payment activity" not in texts(at)


def test_pending_bank_debit_waits_without_a_stray_placeholder(app_test, payment_events):
    now = int(time.time())
    payment_events.handle_event({
        "id": "evt_uipending", "object": "event", "api_version": "2026-10-28.endive",
        "created": now, "type": "payment_intent.processing", "livemode": False,
        "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
        "data": {"object": {"id": "pi_uipending", "object": "payment_intent",
                            "status": "processing", "amount": 30_000, "currency": "usd",
                            "metadata": {"invoice": "in_uipending"}}},
    })  # fmt: skip
    at = app_test(PAGE, role="clerk").run()
    assert not at.exception
    page_text = texts(at)
    assert "Waiting for the bank: nothing to do yet." in page_text
    assert "nan" not in page_text.split()
