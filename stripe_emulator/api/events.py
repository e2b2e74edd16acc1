"""HTTP edge of ``/v1/events``: list (``type``, ``types[]``, ``created``) and retrieve."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import events
from stripe_emulator.lib.params import LIST_FIELDS, Array, Bool, Range, Schema, Str
from stripe_emulator.lib.routing import ApiCall, Route, get
from stripe_emulator.models.base import public

LIST = Schema(**LIST_FIELDS, type=Str(), types=Array(item=Str(), max_items=20), created=Range(),
              delivery_success=Bool())
RETRIEVE = Schema()


def list_events(call: ApiCall) -> dict[str, Any]:
    return events.list_events(call.state, call.params(LIST), call.path)


def retrieve_event(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return public(events.retrieve_event(call.state, call.path_params["id"]))


ROUTES: list[Route] = [
    get("/v1/events", list_events),
    get("/v1/events/{id}", retrieve_event),
]
