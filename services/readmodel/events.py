"""Applying one Stripe event to the read model, inside the event's handling transaction.

The snapshots (objects re-read from Stripe) are taken before the transaction by
:meth:`services.readmodel.sync.ReadModelSync.snapshots_for_event`; here they are
stored (a copy older than the stored one is dropped) and the "current up to" cursor
moves to the event, at :func:`real_time_of` it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from services.readmodel import store
from services.readmodel.sync import Snapshot, save_snapshot


def real_time_of(event: Mapping[str, Any], now: int) -> int:
    """When ``event`` happened on the real clock (Unix seconds), for "events applied up to".

    Its ``created``, except for an event about an object on a test clock
    (``data.object.test_clock`` set) or dated after ``now``: Stripe dates those by the
    clock's frozen time (https://docs.stripe.com/billing/testing/test-clocks), which can
    be days behind or ahead of the real time, so ``now`` (the moment it is applied,
    seconds after a webhook delivery, within one period for the catch-up) stands in.
    """
    created = int(event.get("created") or 0)
    obj = (event.get("data") or {}).get("object") or {}
    on_test_clock = isinstance(obj, Mapping) and bool(obj.get("test_clock"))
    return now if on_test_clock or created > now else created


def apply_to_read_model(
    conn: Connection, event: Mapping[str, Any], snapshots: Sequence[Snapshot]
) -> str | None:
    """Store ``snapshots`` and note ``event`` as applied; a sentence for the activity page."""
    stored = [snapshot for snapshot in snapshots if save_snapshot(conn, snapshot)]
    happened = real_time_of(event, int(time.time()))
    store.advance_events_cursor(conn, str(event.get("id")), happened)
    if not snapshots:
        return None
    if not stored:
        return "read model already newer"
    names = ", ".join(
        f"{snapshot.kind} {snapshot.object_id}{' (deleted)' if snapshot.obj is None else ''}"
        for snapshot in stored
    )
    return f"read model: {names} updated"
