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

from services.payments.webhook import MAX_BODY_BYTES, WEBHOOK_PATH, WebhookReply

LOG = logging.getLogger(__name__)


class WebhookEndpoint(Protocol):
    """What the route needs: :class:`services.payments.events.PaymentEvents`."""

    def receive_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookReply: ...


class HealthReport(Protocol):
    """What the health route needs: :class:`services.core.health.HealthCheck`."""

    def problems(self) -> list[str]: ...


def health_route(check_of: Callable[[], HealthReport] | None = None) -> Route:
    """``GET /healthz``: 200 ``{"status": "ok"}``, or 503 ``{"status": "degraded",
    "problems": [...]}`` when the app database or Stripe cannot be used (``check_of``
    gives the checker; without one only "the server answers" is checked)."""

    async def healthz(_request: Request) -> JSONResponse:
        if check_of is None:
            return JSONResponse({"status": "ok"})
        try:
            problems = await run_in_threadpool(lambda: check_of().problems())
        except Exception as err:  # the services could not even be built
            problems = [f"services unavailable: {type(err).__name__}"]
        if problems:
            return JSONResponse({"status": "degraded", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ok"})

    return Route("/healthz", healthz, methods=["GET"])


async def _body_within_limit(request: Request) -> bytes | None:
    """The body, read in chunks and given up (None) as soon as it passes the limit.

    A declared ``Content-Length`` over the limit is refused before reading anything;
    a chunked body is cut off at the limit, so a huge request never sits in memory.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def webhook_route(endpoint_of: Callable[[], WebhookEndpoint]) -> Route:
    """``POST /webhooks/stripe`` handing each delivery to ``endpoint_of()``.

    ``endpoint_of`` is called per request (the services are built lazily); if it
    raises, the answer is 503 so that Stripe delivers the event again later.
    The body is handed over as bytes, untouched; one over ``MAX_BODY_BYTES`` is
    refused with 413 before it is read.
    """

    async def stripe_webhook(request: Request) -> JSONResponse:
        body = await _body_within_limit(request)
        if body is None:
            return JSONResponse(
                {"error": {"message": f"The body is larger than {MAX_BODY_BYTES:,} bytes"}},
                status_code=413,
            )
        try:
            endpoint = endpoint_of()
        except Exception:  # services not available: Stripe will retry later
            LOG.exception("webhook endpoint unavailable")
            return JSONResponse({"error": "webhook handling unavailable"}, status_code=503)
        reply = await run_in_threadpool(endpoint.receive_webhook, body, dict(request.headers))
        return JSONResponse(reply.body, status_code=reply.status)

    return Route(WEBHOOK_PATH, stripe_webhook, methods=["POST"], name="stripe_webhook")
