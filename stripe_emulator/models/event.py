"""The ``event`` object and its table (filterable by ``type`` and ``created``)."""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import Column, TableSpec, register_table
from stripe_emulator.models.base import API_VERSION

EVENTS = register_table(
    TableSpec(
        name="events",
        object_name="event",
        columns=(Column("type"),),
        indexes=(("type",),),
    )
)


def new_event(
    *,
    event_id: str,
    event_type: str,
    created: int,
    data_object: dict[str, Any],
    previous: dict[str, Any] | None,
    request_id: str | None,
    idempotency_key: str | None,
    pending_webhooks: int,
) -> dict[str, Any]:
    """An event exactly as the API shows it (fields of FIX ``event``)."""
    data: dict[str, Any] = {"object": data_object}
    if previous is not None:
        data["previous_attributes"] = previous
    return {
        "id": event_id,
        "object": "event",
        "api_version": API_VERSION,
        "context": None,
        "created": created,
        "data": data,
        "livemode": False,
        "pending_webhooks": pending_webhooks,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": event_type,
    }
