"""Webhook endpoint use cases: create (secret shown once), retrieve, update, list, delete."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import InvalidRequestError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.base import apply_metadata, deleted_stub
from stripe_emulator.models.webhook_endpoint import (
    WEBHOOK_ENDPOINTS,
    new_webhook_endpoint,
    render,
)


def _check_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise InvalidRequestError(f"Invalid URL: {url}. URLs must begin with http or https.",
                                  param="url")
    return url


def create_webhook_endpoint(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    endpoint = new_webhook_endpoint(
        endpoint_id=new_id("we"),
        created=state.now(),
        url=_check_url(fields["url"]),
        enabled_events=fields["enabled_events"],
        secret=new_id("whsec"),
        api_version=fields.get("api_version"),
        description=fields.get("description"),
        metadata=apply_metadata({}, fields.get("metadata")),
    )
    state.store.insert(WEBHOOK_ENDPOINTS, endpoint)
    return endpoint


def retrieve_webhook_endpoint(state: EmulatorState, endpoint_id: str) -> dict[str, Any]:
    return state.store.require(WEBHOOK_ENDPOINTS, endpoint_id)


def update_webhook_endpoint(state: EmulatorState, endpoint_id: str,
                            fields: dict[str, Any]) -> dict[str, Any]:
    endpoint = state.store.require(WEBHOOK_ENDPOINTS, endpoint_id)
    if "url" in fields:
        endpoint["url"] = _check_url(fields["url"])
    if "enabled_events" in fields:
        endpoint["enabled_events"] = fields["enabled_events"]
    if "description" in fields:
        endpoint["description"] = fields["description"]
    if "metadata" in fields:
        endpoint["metadata"] = apply_metadata(endpoint["metadata"], fields["metadata"])
    if "disabled" in fields:
        endpoint["status"] = "disabled" if fields["disabled"] else "enabled"
    state.store.update(WEBHOOK_ENDPOINTS, endpoint)
    return endpoint


def delete_webhook_endpoint(state: EmulatorState, endpoint_id: str) -> dict[str, Any]:
    state.store.require(WEBHOOK_ENDPOINTS, endpoint_id)
    state.store.delete(WEBHOOK_ENDPOINTS, endpoint_id)
    return deleted_stub("webhook_endpoint", endpoint_id)


def list_webhook_endpoints(state: EmulatorState, params: dict[str, Any],
                           url: str) -> dict[str, Any]:
    return list_page(state.store, WEBHOOK_ENDPOINTS, Where(), params, url, render)
