"""Helpers shared by every model: public rendering, deleted stubs, change diffs.

Stored objects are plain dicts in the exact endive shape plus private keys
starting with ``_`` (e.g. a webhook endpoint's ``_secret``) that never leave
the emulator: :func:`public` strips them.
"""

from __future__ import annotations

import copy
import json
from typing import Any

API_VERSION = "2026-10-28.endive"


def public(obj: dict[str, Any], *, fresh: bool = False) -> dict[str, Any]:
    """The object as the API shows it (private ``_`` keys removed).

    A deep copy, so the answer never aliases state a use case may still change; the
    copy is a JSON round trip (stored objects are JSON by construction), several times
    cheaper than ``copy.deepcopy``. ``fresh=True`` is for objects just parsed from the
    store that nobody else holds (list pages): their values are handed over uncopied.
    """
    shown = {k: v for k, v in obj.items() if not k.startswith("_")}
    if fresh:
        return shown
    return json.loads(json.dumps(shown))


def deleted_stub(object_name: str, object_id: str) -> dict[str, Any]:
    """``{"id", "object", "deleted": true}`` as Stripe answers a DELETE."""
    return {"id": object_id, "object": object_name, "deleted": True}


def previous_attributes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Old values of what changed (nested hashes diffed per key, arrays given whole)."""
    changes: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        if key.startswith("_"):
            continue
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and old.get("object") is None:
            changes[key] = previous_attributes(old, new)
        else:
            changes[key] = copy.deepcopy(old)
    return changes


def apply_metadata(current: dict[str, str], update: dict[str, str | None] | None) -> dict:
    """Stripe's metadata update: ``{}`` clears, a ``None`` value removes its key."""
    if update is None:
        return dict(current)
    if not update:
        return {}
    merged = dict(current)
    for key, value in update.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state")


def full_address(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """An address hash with every key present (missing ones null), or null."""
    if value is None:
        return None
    return {key: value.get(key) for key in ADDRESS_KEYS}
