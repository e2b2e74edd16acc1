"""One object by id from the read model, re-read from Stripe once when it is not there yet.

The views' detail reads (one customer, one price, one invoice) answer from the stored
copy. A copy can be missing for a moment: an object made a second ago by another
dashboard process or outside the dashboard, whose event has not been applied yet, or
one the first backfill has not reached. Then the object is re-read once
(:meth:`ReadModelSync.refresh`, which stores it under the newest-read-wins rule) and
the answer is the stored copy after that. An id Stripe does not know is stored as
deleted, so asking again costs no request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from services.core.stripe_errors import stripe_call
from services.readmodel.sync import ReadModelSync
from services.readmodel.tables import OBJECT_TABLES

# What a Stripe id can be made of; anything else (a slash, a dot, a space) is no id and is
# never put into a request path.
_STRIPE_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


@dataclass(frozen=True)
class StoredCopy:
    """The stored copy of one object: its JSON as Stripe sent it, or a deletion."""

    data: Mapping[str, Any]
    deleted: bool


def looks_like_stripe_id(text: str) -> bool:
    """True when ``text`` could be a Stripe id (letters, digits, ``_`` and ``-``)."""
    return bool(_STRIPE_ID.match(text or ""))


def stored_copy(engine: Engine, kind: str, object_id: str) -> StoredCopy | None:
    """The stored copy of ``object_id`` (a ``kind`` object), or None when there is none."""
    table = OBJECT_TABLES[kind]
    with engine.connect() as conn:
        row = conn.execute(
            select(table.c.data, table.c.deleted).where(table.c.id == object_id)
        ).first()
    if row is None:
        return None
    return StoredCopy(json.loads(row.data), bool(row.deleted))


def copy_or_reread(sync: ReadModelSync, kind: str, object_id: str) -> Mapping[str, Any] | None:
    """The stored ``kind`` object ``object_id``, re-read once if missing; None when it was
    deleted or Stripe does not know it."""
    found = stored_copy(sync.engine, kind, object_id)
    if found is None:
        if not looks_like_stripe_id(object_id):
            return None
        reread(sync, kind, object_id)
        found = stored_copy(sync.engine, kind, object_id)
    if found is None or found.deleted:
        return None
    return found.data


def reread(sync: ReadModelSync, kind: str, object_id: str) -> None:
    """Read ``object_id`` from Stripe again and store it (Stripe's errors in our words)."""
    stripe_call(lambda: sync.refresh(kind, object_id))
