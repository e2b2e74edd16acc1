"""``POST /webhooks/stripe``: the Starlette endpoint Stripe delivers events to.

In order, for each delivery:

1. read the raw body (bytes, before any parsing: the signature covers them exactly);
2. verify ``Stripe-Signature`` against the webhook secret with stripe-python's
   ``WebhookSignature.verify_header`` (tolerance 300 s) — a missing, malformed,
   wrong or stale signature answers 400 and nothing is recorded;
3. record the event under its unique id (a replay answers 200 and does nothing more);
4. answer 200 at once; the worker thread handles the event afterwards.

A database failure while recording answers 500 so that Stripe delivers again later:
an event is either recorded (and will be handled) or refused (and will come back).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, Protocol

import stripe
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.core.errors import InvalidInput

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/stripe"
SIGNATURE_TOLERANCE_SECONDS = 300


class WebhookReceiver(Protocol):
    """What the endpoint needs from :class:`services.payments.events.PaymentEvents`."""

    webhook_secret: str | None

    def record(self, event: Mapping[str, Any], *, source: str, raw: str | None = None) -> bool: ...

    def submit(self, event_id: str, event: Mapping[str, Any] | None = None) -> None: ...


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=status)


def make_webhook_route(receiver: WebhookReceiver, path: str = WEBHOOK_PATH) -> Route:
    """The route for ``receiver``; mount it in ``st.App(routes=[...])`` or any Starlette app."""

    async def stripe_webhook(request: Request) -> JSONResponse:
        raw = await request.body()
        secret = receiver.webhook_secret
        if not secret:
            # Not our caller's fault: 503 makes Stripe deliver again once configured.
            return _refuse(503, "The webhook secret (STRIPE_WEBHOOK_SECRET) is not configured")
        try:
            text = raw.decode("utf-8")
            stripe.WebhookSignature.verify_header(
                text,
                request.headers.get("stripe-signature"),
                secret,
                tolerance=SIGNATURE_TOLERANCE_SECONDS,
            )
        except UnicodeDecodeError:
            return _refuse(400, "The body is not UTF-8 text")
        except stripe.SignatureVerificationError as err:
            return _refuse(400, f"Stripe-Signature rejected: {err.user_message or err}")
        try:
            event = json.loads(text)
            is_new = await run_in_threadpool(receiver.record, event, source="webhook", raw=text)
        except (ValueError, InvalidInput) as err:
            return _refuse(400, f"Not a Stripe event: {err}")
        except SQLAlchemyError:
            log.exception("recording a webhook delivery failed")
            return _refuse(500, "Could not record the event; deliver it again later")
        if is_new:
            receiver.submit(event["id"], event)
        return JSONResponse({"received": True, "duplicate": not is_new})

    return Route(path, stripe_webhook, methods=["POST"], name="stripe_webhook")
