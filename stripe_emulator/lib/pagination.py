"""Cursor pagination of list endpoints (``limit``, ``starting_after``, ``ending_before``).

Lists are newest first by ``(created, seq)``; stripe-python's
``auto_paging_iter`` re-requests the returned ``url`` with the last id as
``starting_after`` until ``has_more`` is false.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stripe_emulator.lib.errors import ParameterError, ResourceMissingError
from stripe_emulator.lib.storage import Store, TableSpec, Where

DEFAULT_LIMIT = 10

Render = Callable[[dict[str, Any]], dict[str, Any]]


def list_object(data: list[dict[str, Any]], url: str, has_more: bool) -> dict[str, Any]:
    """Stripe's list envelope."""
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def list_page(
    store: Store,
    spec: TableSpec,
    where: Where,
    params: dict[str, Any],
    url: str,
    render: Render,
) -> dict[str, Any]:
    """One page of ``spec`` rows matching ``where``, per the cursor ``params``."""
    limit = params.get("limit") or DEFAULT_LIMIT
    starting_after, ending_before = params.get("starting_after"), params.get("ending_before")
    if starting_after and ending_before:
        raise ParameterError(
            "Received both starting_after and ending_before parameters. Please pass in only one."
        )
    after = before = None
    if starting_after:
        after = _cursor(store, spec, starting_after, "starting_after")
    if ending_before:
        before = _cursor(store, spec, ending_before, "ending_before")
    rows = store.select(spec, where, limit=limit + 1, after=after, before=before)
    has_more = len(rows) > limit
    if has_more:
        rows = rows[1:] if before is not None else rows[:limit]
    return list_object([render(r) for r in rows], url, has_more)


def _cursor(store: Store, spec: TableSpec, object_id: str, param: str) -> tuple[int, int]:
    position = store.position(spec, object_id)
    if position is None:
        raise ResourceMissingError(spec.object_name, object_id, param=param)
    return position
