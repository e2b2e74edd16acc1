"""``POST /webhooks/stripe``: what the dashboard does with one delivery from Stripe.

Framework-free: :func:`receive_delivery` takes the raw body and the request headers
and returns a :class:`WebhookReply` (HTTP status and JSON body). ``app.py`` adapts it
to the web server; nothing here knows Starlette.

In order, for each delivery:

1. take the raw body (bytes, before any parsing: the signature covers them exactly);
2. verify ``Stripe-Signature`` against the webhook secret with stripe-python's
   ``WebhookSignature.verify_header`` (tolerance 300 s) — a missing, malformed,
   wrong or stale signature answers 400 and nothing is recorded;
3. record the event under its unique id (a replay answers 200 and does nothing more);
4. answer 200 at once; the worker thread handles the event afterwards.

A database failure while recording answers 500 so that Stripe delivers again later:
an event is either recorded (and will be handled) or refused (and will come back).
Stripe's doc: https://docs.stripe.com/webhooks#verify-events
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import stripe
from sqlalchemy.exc import SQLAlchemyError

from services.core.errors import InvalidInput

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/stripe"
SIGNATURE_TOLERANCE_SECONDS = 300
# Stripe's largest events are tens of kilobytes; anything far larger is not Stripe.
MAX_BODY_BYTES = 1_000_000


@dataclass(frozen=True)
class WebhookReply:
    """The HTTP answer to one delivery: ``status`` code and a JSON-serialisable ``body``."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


class WebhookReceiver(Protocol):
    """What a delivery needs from :class:`services.payments.events.PaymentEvents`."""

    webhook_secret: str | None

    def record(self, event: Mapping[str, Any], *, source: str, raw: str | None = None) -> bool: ...

    def submit(self, event_id: str, event: Mapping[str, Any] | None = None) -> None: ...


def _refuse(status: int, message: str) -> WebhookReply:
    return WebhookReply(status, {"error": {"message": message}})


def _signature_header(headers: Mapping[str, str]) -> str | None:
    """``Stripe-Signature`` whatever the case of the header's name."""
    for name, value in headers.items():
        if name.lower() == "stripe-signature":
            return value
    return None


def _signed_in_the_future(header: str | None) -> bool:
    """Whether the signature's ``t=`` is later than now plus the tolerance.

    stripe-python checks only that a signature is not too old; a signature dated in
    the future would otherwise stay replayable for as long as its date is ahead.
    """
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value) > time.time() + SIGNATURE_TOLERANCE_SECONDS
    return False


def receive_delivery(
    receiver: WebhookReceiver, body: bytes, headers: Mapping[str, str]
) -> WebhookReply:
    """Verify, record once and queue one webhook delivery; blocking (database write).

    ``body`` is the request body exactly as received; ``headers`` the request headers
    (any case). 200 for a new or repeated event (``{"received": True, "duplicate": …}``),
    400 for a bad signature (also one dated in the future) or a body that is not a
    Stripe event, 413 for a body over ``MAX_BODY_BYTES``, 500 when the event could not
    be recorded, 503 when no webhook secret is configured. Never raises for bad input.
    """
    secret = receiver.webhook_secret
    if not secret:
        # Not our caller's fault: 503 makes Stripe deliver again once configured.
        return _refuse(503, "The webhook secret (STRIPE_WEBHOOK_SECRET) is not configured")
    if len(body) > MAX_BODY_BYTES:
        return _refuse(413, f"The body is larger than {MAX_BODY_BYTES:,} bytes")
    header = _signature_header(headers)
    if _signed_in_the_future(header):
        return _refuse(400, "Stripe-Signature rejected: its timestamp is in the future")
    try:
        text = body.decode("utf-8")
        stripe.WebhookSignature.verify_header(
            text, header, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except UnicodeDecodeError:
        return _refuse(400, "The body is not UTF-8 text")
    except stripe.SignatureVerificationError as err:
        return _refuse(400, f"Stripe-Signature rejected: {err.user_message or err}")
    try:
        event = json.loads(text)
        is_new = receiver.record(event, source="webhook", raw=text)
    except (ValueError, InvalidInput) as err:
        return _refuse(400, f"Not a Stripe event: {err}")
    except SQLAlchemyError:
        log.exception("recording a webhook delivery failed")
        return _refuse(500, "Could not record the event; deliver it again later")
    if is_new:
        receiver.submit(event["id"], event)
    return WebhookReply(200, {"received": True, "duplicate": not is_new})
