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


def slice_page(items: list[dict[str, Any]], params: dict[str, Any], url: str,
               object_name: str) -> dict[str, Any]:
    """One page of ``items`` kept in their own order (an invoice's or credit note's lines),
    per the cursor ``params``; a cursor that is not among them is 404 naming it."""
    limit = params.get("limit") or DEFAULT_LIMIT
    start_after, end_before = params.get("starting_after"), params.get("ending_before")
    if start_after and end_before:
        raise ParameterError("Received both starting_after and ending_before parameters. "
                             "Please pass in only one.")
    ids = [item["id"] for item in items]
    for cursor, name in ((start_after, "starting_after"), (end_before, "ending_before")):
        if cursor and cursor not in ids:
            raise ResourceMissingError(object_name, cursor, param=name)
    if end_before:
        stop = ids.index(end_before)
        page = items[max(0, stop - limit):stop]
        has_more = stop - limit > 0
    else:
        start = ids.index(start_after) + 1 if start_after else 0
        page = items[start:start + limit]
        has_more = start + limit < len(items)
    return list_object(page, url, has_more)
