"""``expand[]``: replace id references (or add includable fields) in answers.

Resources register what may be expanded on their object type with
:func:`register_expandable`. Paths use dots (``customer``,
``data.customer``, ``lines.data.pricing.price_details.price``), at most 4
levels; on lists and search results they start with ``data.``. A path that
names an object or list already present just descends into it (``lines``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stripe_emulator.lib.errors import ParameterError

#: ``loader(state, current_value, owner_object) -> expanded value``.
Loader = Callable[[Any, Any, dict[str, Any]], Any]

_EXPANDABLE: dict[str, dict[str, Loader]] = {}
MAX_DEPTH = 4
_COLLECTIONS = ("list", "search_result")


def register_expandable(object_type: str, field_path: str, loader: Loader) -> None:
    """Declare that ``field_path`` (dots for nested hashes) of ``object_type`` expands."""
    _EXPANDABLE.setdefault(object_type, {})[field_path] = loader


def expand(obj: dict[str, Any], paths: list[str] | None, state: Any) -> dict[str, Any]:
    """Apply every path in ``paths`` to ``obj`` (in place) and return it."""
    for path in paths or []:
        segments = path.split(".")
        depth = len([s for s in segments if s != "data"])
        if depth > MAX_DEPTH:
            raise ParameterError(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. "
                f"Property: {path}",
                param="expand",
            )
        _apply(obj, segments, state, path)
    return obj


def _apply(obj: dict[str, Any], segments: list[str], state: Any, path: str) -> None:
    if not segments:
        return
    kind = obj.get("object")
    if kind in _COLLECTIONS:
        if segments == ["total_count"] and kind == "search_result":
            return
        if segments[0] != "data":
            raise ParameterError(
                f"This property cannot be expanded ({path}). You may want to try expanding "
                f"'data.{path}' instead.",
                param="expand",
            )
        for item in obj.get("data", []):
            if isinstance(item, dict):
                _apply(item, segments[1:], state, path)
        return
    registered = _EXPANDABLE.get(str(kind), {})
    for cut in range(len(segments), 0, -1):
        prefix = ".".join(segments[:cut])
        if prefix not in registered:
            continue
        parent = _navigate(obj, segments[: cut - 1])
        if parent is None:
            return
        leaf = segments[cut - 1]
        current = parent.get(leaf)
        if current is None or isinstance(current, str) or leaf not in parent:
            parent[leaf] = registered[prefix](state, current, obj)
        if isinstance(parent[leaf], dict):
            _apply(parent[leaf], segments[cut:], state, path)
        return
    value = obj.get(segments[0])
    if isinstance(value, dict):
        _apply(value, segments[1:], state, path)
        return
    raise ParameterError(f"This property cannot be expanded ({path}).", param="expand")


def _navigate(obj: dict[str, Any], segments: list[str]) -> dict[str, Any] | None:
    node: Any = obj
    for segment in segments:
        node = node.get(segment) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None
