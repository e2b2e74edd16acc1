"""Which Stripe the dashboard is connected to, for the banner every page shows.

Never exposes the key: only a hint such as ``sk_test_…abcd``.
"""

from __future__ import annotations

from dataclasses import dataclass

import stripe

from services.core.client import API_VERSION
from services.core.errors import DashboardError
from services.core.models import as_mapping
from services.core.settings import Mode, Settings
from services.core.stripe_errors import stripe_call


@dataclass(frozen=True)
class ConnectionInfo:
    mode: Mode
    api_base: str
    account_name: str | None
    api_version: str
    key_hint: str


def key_hint(api_key: str | None) -> str:
    """``sk_test_51Hx…abcd`` → ``sk_test_…abcd``; nothing secret survives."""
    if not api_key:
        return "no key"
    prefix = "_".join(api_key.split("_")[:2]) + "_" if api_key.count("_") >= 2 else ""
    return f"{prefix}…{api_key[-4:]}" if len(api_key) > len(prefix) + 8 else f"{prefix}…"


class Connection:
    """Describes the connection; the account name is fetched once, when Stripe has it."""

    def __init__(self, client: stripe.StripeClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        self._account_name: str | None = None
        self._asked = False

    def describe(self) -> ConnectionInfo:
        return ConnectionInfo(
            mode=self._settings.mode,
            api_base=(self._settings.stripe_api_base or stripe.DEFAULT_API_BASE).rstrip("/"),
            account_name=self._account_name if self._asked else self._fetch_account_name(),
            api_version=API_VERSION,
            key_hint=key_hint(self._settings.stripe_api_key),
        )

    def _fetch_account_name(self) -> str | None:
        self._asked = True
        try:
            account = as_mapping(stripe_call(self._client.v1.accounts.retrieve_current))
        except DashboardError:
            return None  # restricted keys and emulators may not expose the account
        settings = account.get("settings") or {}
        dashboard = settings.get("dashboard") or {}
        profile = account.get("business_profile") or {}
        self._account_name = dashboard.get("display_name") or profile.get("name") or None
        return self._account_name
