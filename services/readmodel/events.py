"""Applying one Stripe event to the read model, inside the event's handling transaction.

The snapshots (objects re-read from Stripe) are taken before the transaction by
:meth:`services.readmodel.sync.ReadModelSync.snapshots_for_event`; here they are
stored (a copy older than the stored one is dropped) and the "current up to" cursor
moves to the event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from services.readmodel import store
from services.readmodel.sync import Snapshot, save_snapshot


def apply_to_read_model(
    conn: Connection, event: Mapping[str, Any], snapshots: Sequence[Snapshot]
) -> str | None:
    """Store ``snapshots`` and note ``event`` as applied; a sentence for the activity page."""
    stored = [snapshot for snapshot in snapshots if save_snapshot(conn, snapshot)]
    store.advance_events_cursor(conn, str(event.get("id")), int(event.get("created") or 0))
    if not snapshots:
        return None
    if not stored:
        return "read model already newer"
    names = ", ".join(
        f"{snapshot.kind} {snapshot.object_id}{' (deleted)' if snapshot.obj is None else ''}"
        for snapshot in stored
    )
    return f"read model: {names} updated"
