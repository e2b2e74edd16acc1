"""Emitting events (the one way the backend records that something happened).

``emit_event(state, "customer.updated", customer, previous=before)`` stores an
``evt_`` with a snapshot of the object, ``previous_attributes`` for
``*.updated`` (computed from the ``previous`` copy), the current request's id
and idempotency key (null for automatic work), and queues webhook deliveries.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.context import current_request
from stripe_emulator.lib.errors import ParameterError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.base import previous_attributes, public
from stripe_emulator.models.event import EVENTS, new_event


def emit_event(
    state: EmulatorState,
    event_type: str,
    obj: dict[str, Any],
    *,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record ``event_type`` about ``obj`` and queue its webhooks; returns the event.

    ``previous`` is the object as it was before the change; for ``*.updated``
    events ``data.previous_attributes`` holds the old values of what changed.
    Events about objects on a test clock (``test_clock``, or private ``_test_clock``)
    take the clock's time.
    """
    snapshot = public(obj)
    changes = None
    if event_type.endswith(".updated"):
        changes = previous_attributes(public(previous or {}), snapshot)
    # PaymentIntents and invoice payments have no ``test_clock`` field: they keep their
    # invoice's clock privately as ``_test_clock``.
    test_clock = obj.get("test_clock") or obj.get("_test_clock")
    request = current_request()
    event = new_event(
        event_id=new_id("evt"),
        event_type=event_type,
        created=state.now(test_clock if isinstance(test_clock, str) else None),
        data_object=snapshot,
        previous=changes,
        request_id=request.request_id,
        idempotency_key=request.idempotency_key,
        pending_webhooks=0,
    )
    with state.store.transaction():
        event["pending_webhooks"] = state.webhooks.enqueue(event)
        state.store.insert(EVENTS, event)
    return event


def retrieve_event(state: EmulatorState, event_id: str) -> dict[str, Any]:
    return state.store.require(EVENTS, event_id)


def list_events(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    """``GET /v1/events``: ``type`` (``*`` wildcard), ``types[]``, ``created``,
    ``delivery_success``."""
    where = Where().range("created", params.get("created"))
    if params.get("type") and params.get("types"):
        raise ParameterError(
            "You may only specify one of these parameters: type, types.",
            code="parameters_exclusive", param="types",
        )
    if params.get("type"):
        pattern = params["type"]
        if "*" in pattern:
            where.raw("type GLOB ?", [pattern])
        else:
            where.eq("type", pattern)
    if params.get("types"):
        where.isin("type", params["types"])
    if params.get("delivery_success") is not None:
        # true: every webhook delivered; false: some still pending or failed for good.
        unsettled = ("EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = events.id"
                     " AND d.status != 'succeeded')")
        where.raw(unsettled if not params["delivery_success"] else f"NOT {unsettled}")
    return list_page(state.store, EVENTS, where, params, url, public)
