"""The one Stripe client the services share.

Built from :class:`~services.core.settings.Settings`: network retries (the SDK
reuses the same idempotency key on each retry, so a retried write is never
doubled), connect and read timeouts so a hung connection cannot freeze a page,
the API version the SDK pins, and the base address of an emulator or proxy.
"""

from __future__ import annotations

import stripe

from services.core.errors import ConfigurationError
from services.core.settings import Settings

#: Retries on connection errors, 409 and 5xx (Stripe's advice: at least 2).
MAX_NETWORK_RETRIES = 2
#: Seconds to open a connection / to wait for an answer.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
#: The API version stripe-python pins (2026-10-28.endive for 16.1).
API_VERSION: str = stripe.api_version


def make_stripe_client(settings: Settings) -> stripe.StripeClient:
    """A ``StripeClient`` for ``settings`` (which must carry a key by now)."""
    if settings.stripe_api_key is None:
        raise ConfigurationError(
            "No STRIPE_API_KEY: start the embedded emulator (Settings.with_emulator) "
            "or configure a Stripe key.",
            field="STRIPE_API_KEY",
        )
    api_base = (settings.stripe_api_base or "").rstrip("/")
    http_client = stripe.RequestsClient(timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
    return stripe.StripeClient(
        settings.stripe_api_key,
        stripe_version=API_VERSION,
        base_addresses={"api": api_base} if api_base else {},
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=http_client,
    )
