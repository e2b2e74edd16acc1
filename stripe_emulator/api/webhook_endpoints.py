"""HTTP edge of ``/v1/webhook_endpoints``."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import webhook_endpoints as backend
from stripe_emulator.lib.params import LIST_FIELDS, Array, Bool, Metadata, Schema, Str
from stripe_emulator.lib.routing import ApiCall, Route, delete, get, post
from stripe_emulator.models.webhook_endpoint import render

_EVENTS = Array(item=Str(), max_items=512)

CREATE = Schema(
    url=Str(required=True, max_length=5000),
    enabled_events=Array(required=True, item=Str(), max_items=512),
    api_version=Str(),
    description=Str(nullable=True, max_length=5000),
    metadata=Metadata(),
    connect=Bool(),
)
UPDATE = Schema(url=Str(max_length=5000), enabled_events=_EVENTS,
                description=Str(nullable=True, max_length=5000), metadata=Metadata(),
                disabled=Bool())
RETRIEVE = Schema()
LIST = Schema(**LIST_FIELDS)


def create_webhook_endpoint(call: ApiCall) -> dict[str, Any]:
    endpoint = backend.create_webhook_endpoint(call.state, call.params(CREATE))
    return render(endpoint, with_secret=True)


def retrieve_webhook_endpoint(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return render(backend.retrieve_webhook_endpoint(call.state, call.path_params["id"]))


def update_webhook_endpoint(call: ApiCall) -> dict[str, Any]:
    fields = call.params(UPDATE)
    return render(backend.update_webhook_endpoint(call.state, call.path_params["id"], fields))


def delete_webhook_endpoint(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return backend.delete_webhook_endpoint(call.state, call.path_params["id"])


def list_webhook_endpoints(call: ApiCall) -> dict[str, Any]:
    return backend.list_webhook_endpoints(call.state, call.params(LIST), call.path)


ROUTES: list[Route] = [
    post("/v1/webhook_endpoints", create_webhook_endpoint),
    get("/v1/webhook_endpoints", list_webhook_endpoints),
    get("/v1/webhook_endpoints/{id}", retrieve_webhook_endpoint),
    post("/v1/webhook_endpoints/{id}", update_webhook_endpoint),
    delete("/v1/webhook_endpoints/{id}", delete_webhook_endpoint),
]
