"""The ``webhook_endpoint`` object (its ``whsec_`` secret is private after creation)."""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import TableSpec, register_table
from stripe_emulator.models.base import public

WEBHOOK_ENDPOINTS = register_table(TableSpec(name="webhook_endpoints",
                                             object_name="webhook_endpoint"))


def new_webhook_endpoint(
    *, endpoint_id: str, created: int, url: str, enabled_events: list[str],
    secret: str, api_version: str | None, description: str | None, metadata: dict[str, str],
) -> dict[str, Any]:
    return {
        "id": endpoint_id,
        "object": "webhook_endpoint",
        "api_version": api_version,
        "application": None,
        "created": created,
        "description": description,
        "enabled_events": enabled_events,
        "livemode": False,
        "metadata": metadata,
        "status": "enabled",
        "url": url,
        "_secret": secret,
    }


def render(endpoint: dict[str, Any], *, with_secret: bool = False) -> dict[str, Any]:
    """The endpoint as shown; the secret only in the create answer."""
    shown = public(endpoint)
    if with_secret:
        shown["secret"] = endpoint["_secret"]
    return shown


def listens_to(endpoint: dict[str, Any], event_type: str) -> bool:
    """Does an enabled endpoint want ``event_type``?"""
    if endpoint.get("status") != "enabled":
        return False
    enabled = endpoint.get("enabled_events") or []
    return "*" in enabled or event_type in enabled
