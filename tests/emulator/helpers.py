"""Small helpers shared by the emulator tests."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import stripe


def tag() -> str:
    """A unique marker to find this test's objects in the shared emulator."""
    return uuid.uuid4().hex[:12]


def events_about(client: stripe.StripeClient, object_id: str,
                 event_type: str | None = None) -> list[Any]:
    """Events whose ``data.object.id`` is ``object_id`` (newest first): the newest 100
    of any type, or every event of ``event_type`` (a test clock's events are dated in
    the clock's past, behind everything the shared emulator made since)."""
    params: dict[str, Any] = {"limit": 100}
    if event_type:
        params["type"] = event_type
    listed = client.v1.events.list(params)
    events = listed.auto_paging_iter() if event_type else listed.data
    return [e for e in events if e.data.object.to_dict().get("id") == object_id]


def wait_for(condition: Callable[[], Any], timeout: float = 5.0, step: float = 0.02) -> Any:
    """Poll ``condition`` until truthy (returns it) or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(step)
