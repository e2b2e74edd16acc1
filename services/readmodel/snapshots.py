"""One object as read from Stripe, and storing such reads in the read model.

A :class:`Snapshot` carries the time its read started (``version``, microseconds);
:mod:`services.readmodel.store` keeps a stored copy only when the snapshot is newer,
so the newest read wins whatever order events arrive or commit in. Both the re-reads
(:mod:`services.readmodel.sync`) and the backfill (:mod:`services.readmodel.backfill`)
store what they read through here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from services.core.database import retry_on_conflict, write_transaction
from services.readmodel import store


@dataclass(frozen=True)
class Snapshot:
    """One object as read from Stripe (``obj`` None: it no longer exists)."""

    kind: str
    object_id: str
    version: int
    obj: Mapping[str, Any] | None
    lines: list[Mapping[str, Any]] | None = None
    first_seen: int | None = None  # ordering among same-second invoices (see tables)


def store_snapshots(engine: Engine, snapshots: list[Snapshot]) -> None:
    """Store ``snapshots`` in one transaction on ``engine`` (a listed page: one upsert
    statement), run again if PostgreSQL cancels it for a conflict with another
    server's writes (:func:`services.core.database.retry_on_conflict`)."""

    def in_one_transaction() -> None:
        with write_transaction(engine) as conn:
            save_snapshots(conn, snapshots)

    retry_on_conflict(in_one_transaction)


def save_snapshots(conn: Any, snapshots: Sequence[Snapshot]) -> None:
    """Store snapshots inside the caller's transaction: the copies of each kind with one
    upsert statement per 100 (:func:`services.readmodel.store.store_objects`; each still
    only where it is newer than the stored one), deletions one by one."""
    copies: dict[str, list[store.ObjectCopy]] = {}
    for snapshot in snapshots:
        if snapshot.obj is None:
            store.mark_deleted(conn, snapshot.kind, snapshot.object_id, snapshot.version)
        else:
            copies.setdefault(snapshot.kind, []).append(store.ObjectCopy(
                snapshot.obj, snapshot.version, snapshot.lines, first_seen=snapshot.first_seen))
    for kind, group in copies.items():
        store.store_objects(conn, kind, group)


def save_snapshot(conn: Any, snapshot: Snapshot) -> bool:
    """Store one snapshot inside the caller's transaction; True when it was newer."""
    if snapshot.obj is None:
        return store.mark_deleted(conn, snapshot.kind, snapshot.object_id, snapshot.version)
    return store.store_object(conn, snapshot.kind, snapshot.obj, snapshot.version,
                              lines=snapshot.lines, first_seen=snapshot.first_seen)
