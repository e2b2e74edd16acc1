"""Emulator mode: register the dashboard's own webhook endpoint and keep its secret.

Stripe (and the emulator) show an endpoint's ``whsec_`` signing secret only in the
answer to its creation, so the secret is kept in the app database
(``webhook_secrets``, keyed by URL). On each start:

- an endpoint at the same URL whose secret we kept is reused (its event list is
  widened to the wanted events if needed and it is re-enabled);
- endpoints at the same URL whose secret we do not know (the app database was
  reset) are deleted, because their deliveries could never be verified, and a new
  endpoint is created and its secret stored.

Which events: ``types``, the payment events by default; the dashboard passes
:attr:`services.payments.events.PaymentEvents.subscribed_types`, which with a read model
adds every object event it follows (``services.readmodel.sync.OBJECT_EVENT_TYPES``:
customers, products, prices, invoices and their items, ``tax_rate.*``, ``coupon.*``,
``credit_note.*``, ``invoice_payment.paid``, payment intents).

This is for the embedded emulator or a test account; a live deployment configures
its endpoint in Stripe's dashboard and sets ``STRIPE_WEBHOOK_SECRET``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import stripe
from sqlalchemy import Engine
from stripe.params import WebhookEndpointUpdateParams

from services.core.clock import utc_now
from services.core.errors import StripeUnavailable
from services.payments import cursors
from services.payments.handlers import HANDLED_TYPES

DESCRIPTION = "Invoicing dashboard: payment events"


def register_emulator_endpoint(
    stripe_client: stripe.StripeClient,
    url: str,
    engine: Engine | None = None,
    *,
    types: Sequence[str] = HANDLED_TYPES,
) -> str:
    """Make sure ``url`` receives the events ``types`` (Stripe's event type names,
    https://docs.stripe.com/api/webhook_endpoints/create); return its ``whsec_`` signing
    secret. :class:`StripeUnavailable` when Stripe refuses or cannot be reached.

    With ``engine`` the secret is kept and the endpoint reused on the next start;
    without it a fresh endpoint replaces any at the same URL every time.
    """
    try:
        same_url = [
            endpoint
            for endpoint in stripe_client.v1.webhook_endpoints.list(
                params={"limit": 100}
            ).auto_paging_iter()
            if endpoint.url == url
        ]
        kept = cursors.kept_webhook_secret(engine, url) if engine is not None else None
        reusable = next((e for e in same_url if kept and e.id == kept[0]), None)
        for endpoint in same_url:
            if endpoint is not reusable:
                stripe_client.v1.webhook_endpoints.delete(endpoint.id)
        if reusable is not None and kept is not None:
            _widen(stripe_client, reusable, types)
            return kept[1]
        created = stripe_client.v1.webhook_endpoints.create(
            params={
                "url": url,
                "enabled_events": list(types),  # type: ignore[arg-type]  # names checked by Stripe
                "description": DESCRIPTION,
            }
        )
    except stripe.StripeError as err:
        raise StripeUnavailable(
            f"Could not register the webhook endpoint {url}: {err.user_message or err}"
        ) from err
    secret = created.secret
    if not secret:
        raise StripeUnavailable("The new webhook endpoint came back without its secret")
    if engine is not None:
        cursors.keep_webhook_secret(engine, url, created.id, secret, utc_now())
    return secret


def _widen(stripe_client: stripe.StripeClient, endpoint: Any, types: Sequence[str]) -> None:
    wanted: set[Any] = set(types)
    enabled: set[Any] = set(endpoint.enabled_events or [])
    changes: WebhookEndpointUpdateParams = {}
    if "*" not in enabled and not wanted <= enabled:
        changes["enabled_events"] = sorted(enabled | wanted)
    if endpoint.status != "enabled":
        changes["disabled"] = False
    if changes:
        stripe_client.v1.webhook_endpoints.update(endpoint.id, params=changes)
