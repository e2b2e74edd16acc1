"""The HTTP routes served beside the Streamlit pages: ``GET /healthz``, ``POST /webhooks/stripe``.

The one place where the services' framework-free webhook entry point
(:meth:`services.payments.events.PaymentEvents.receive_webhook`: raw body and
headers in, status and JSON body out) is adapted to Starlette, the server
Streamlit runs on. ``app.py`` mounts these routes with ``st.App(routes=...)``;
tests and benches mount the same routes on a plain Starlette app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.payments.webhook import WEBHOOK_PATH, WebhookReply

LOG = logging.getLogger(__name__)


class WebhookEndpoint(Protocol):
    """What the route needs: :class:`services.payments.events.PaymentEvents`."""

    def receive_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookReply: ...


async def _healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def health_route() -> Route:
    """``GET /healthz``: ``{"status": "ok"}`` once the server answers."""
    return Route("/healthz", _healthz, methods=["GET"])


def webhook_route(endpoint_of: Callable[[], WebhookEndpoint]) -> Route:
    """``POST /webhooks/stripe`` handing each delivery to ``endpoint_of()``.

    ``endpoint_of`` is called per request (the services are built lazily); if it
    raises, the answer is 503 so that Stripe delivers the event again later.
    The body is read whole and handed over as bytes, untouched.
    """

    async def stripe_webhook(request: Request) -> JSONResponse:
        try:
            endpoint = endpoint_of()
        except Exception:  # services not available: Stripe will retry later
            LOG.exception("webhook endpoint unavailable")
            return JSONResponse({"error": "webhook handling unavailable"}, status_code=503)
        body = await request.body()
        reply = await run_in_threadpool(endpoint.receive_webhook, body, dict(request.headers))
        return JSONResponse(reply.body, status_code=reply.status)

    return Route(WEBHOOK_PATH, stripe_webhook, methods=["POST"], name="stripe_webhook")
