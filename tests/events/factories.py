"""Stripe-shaped events for the payment-events tests (API 2026-10-28.endive shapes).

Objects carry only the fields the handlers read, with Stripe's names and types;
``sign`` produces a real ``Stripe-Signature`` header with stripe-python.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import stripe

SECRET = "whsec_test_events_secret"
_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    """A fresh id with Stripe's prefix, unique within the test run."""
    return f"{prefix}_test{next(_ids):06d}"


def invoice(
    invoice_id: str,
    *,
    status: str = "open",
    amount_due: int = 12_345,
    amount_paid: int = 0,
    currency: str = "usd",
    email: str | None = "ada@example.com",
    attempted: bool = False,
    attempt_count: int = 0,
    paid_at: int | None = None,
) -> dict[str, Any]:
    """An invoice object as an event carries it."""
    return {
        "id": invoice_id, "object": "invoice", "status": status, "number": f"ADA-{invoice_id[-4:]}",
        "customer": "cus_ada", "customer_email": email, "customer_name": "Ada Lovelace",
        "currency": currency, "amount_due": amount_due, "amount_paid": amount_paid,
        "amount_remaining": amount_due - amount_paid, "attempted": attempted,
        "attempt_count": attempt_count,
        "hosted_invoice_url": f"https://invoice.stripe.com/i/acct_x/{invoice_id}",
        "status_transitions": {"paid_at": paid_at, "finalized_at": None},
    }


def event(event_type: str, obj: dict[str, Any], *, created: int,
          event_id: str | None = None) -> dict[str, Any]:
    """A v1 snapshot event around ``obj``."""
    return {
        "id": event_id or next_id("evt"), "object": "event", "api_version": "2026-10-28.endive",
        "created": created, "type": event_type, "livemode": False, "pending_webhooks": 1,
        "data": {"object": obj}, "request": {"id": None, "idempotency_key": None},
    }


def paid(invoice_id: str, *, created: int, attempted: bool = True, amount: int = 12_345,
         event_id: str | None = None, email: str | None = "ada@example.com") -> dict[str, Any]:
    """``invoice.paid`` for a fully paid invoice."""
    obj = invoice(invoice_id, status="paid", amount_due=amount, amount_paid=amount,
                  attempted=attempted, attempt_count=1 if attempted else 0, paid_at=created,
                  email=email)
    return event("invoice.paid", obj, created=created, event_id=event_id)


def payment_succeeded(invoice_id: str, *, created: int) -> dict[str, Any]:
    """``invoice.payment_succeeded`` (Stripe collected the payment)."""
    obj = invoice(invoice_id, status="paid", amount_paid=12_345, attempted=True,
                  attempt_count=1, paid_at=created)
    return event("invoice.payment_succeeded", obj, created=created)


def payment_failed(invoice_id: str, *, created: int, attempt_count: int = 1) -> dict[str, Any]:
    """``invoice.payment_failed`` after attempt ``attempt_count``."""
    obj = invoice(invoice_id, attempted=True, attempt_count=attempt_count)
    return event("invoice.payment_failed", obj, created=created)


def processing(invoice_id: str, *, created: int, intent_id: str | None = None) -> dict[str, Any]:
    """``payment_intent.processing`` for a bank debit tagged with its invoice in metadata."""
    obj = {
        "id": intent_id or next_id("pi"), "object": "payment_intent", "status": "processing",
        "amount": 12_345, "currency": "usd", "customer": "cus_ada",
        "payment_method_types": ["us_bank_account"], "receipt_email": None,
        "metadata": {"invoice": invoice_id},
    }
    return event("payment_intent.processing", obj, created=created)


def body_of(evt: dict[str, Any]) -> str:
    """The JSON body Stripe would POST."""
    return json.dumps(evt, indent=2)


def sign(body: str, secret: str = SECRET, *, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``body``."""
    return stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=timestamp if timestamp is not None else int(time.time())
    )


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False
