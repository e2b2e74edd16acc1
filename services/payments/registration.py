"""Emulator mode: register the dashboard's own webhook endpoint and keep its secret.

Stripe (and the emulator) show an endpoint's ``whsec_`` signing secret only in the
answer to its creation, so the secret is kept in the app database
(``webhook_secrets``, keyed by URL). On each start:

- an endpoint at the same URL whose secret we kept is reused (its event list is
  widened to the payment events if needed and it is re-enabled);
- endpoints at the same URL whose secret we do not know (the app database was
  reset) are deleted, because their deliveries could never be verified, and a new
  endpoint is created and its secret stored.

This is for the embedded emulator or a test account; a live deployment configures
its endpoint in Stripe's dashboard and sets ``STRIPE_WEBHOOK_SECRET``.
"""

from __future__ import annotations

from typing import Any

import stripe
from sqlalchemy import Engine, select, update

from services.core.errors import StripeUnavailable
from services.payments.handlers import HANDLED_TYPES
from services.payments.outbox import naive_utc, utc_now
from services.payments.tables import insert_ignore, webhook_secrets, write_transaction

DESCRIPTION = "Invoicing dashboard: payment events"


def register_emulator_endpoint(
    stripe_client: stripe.StripeClient, url: str, engine: Engine | None = None
) -> str:
    """Make sure ``url`` receives the payment events; return its signing secret.

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
        kept = _kept_secret(engine, url) if engine is not None else None
        reusable = next((e for e in same_url if kept and e.id == kept[0]), None)
        for endpoint in same_url:
            if endpoint is not reusable:
                stripe_client.v1.webhook_endpoints.delete(endpoint.id)
        if reusable is not None and kept is not None:
            _widen(stripe_client, reusable)
            return kept[1]
        created = stripe_client.v1.webhook_endpoints.create(
            params={
                "url": url,
                "enabled_events": list(HANDLED_TYPES),
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
        _keep_secret(engine, url, created.id, secret)
    return secret


def _widen(stripe_client: stripe.StripeClient, endpoint: Any) -> None:
    wanted = set(HANDLED_TYPES)
    enabled = set(endpoint.enabled_events or [])
    changes: dict[str, Any] = {}
    if "*" not in enabled and not wanted <= enabled:
        changes["enabled_events"] = sorted(enabled | wanted)
    if endpoint.status != "enabled":
        changes["disabled"] = False
    if changes:
        stripe_client.v1.webhook_endpoints.update(endpoint.id, params=changes)


def _kept_secret(engine: Engine, url: str) -> tuple[str, str] | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(webhook_secrets.c.endpoint_id, webhook_secrets.c.secret).where(
                webhook_secrets.c.url == url
            )
        ).first()
    return (row.endpoint_id, row.secret) if row else None


def _keep_secret(engine: Engine, url: str, endpoint_id: str, secret: str) -> None:
    values = {"endpoint_id": endpoint_id, "secret": secret, "created_at": naive_utc(utc_now())}
    with write_transaction(engine) as conn:
        if not insert_ignore(conn, webhook_secrets, {"url": url, **values}):
            conn.execute(
                update(webhook_secrets).where(webhook_secrets.c.url == url).values(**values)
            )
