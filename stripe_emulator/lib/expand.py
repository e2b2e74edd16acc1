"""``expand[]``: replace id references (or add includable fields) in answers.

What may be expanded is an :class:`ExpandTable` built from one mapping
``(object type, field path) -> loader``; each state holds its own, built from
the list in ``backend.registry``, so expansion never depends on which modules
happen to have been imported. Paths use dots (``customer``,
``data.customer``, ``lines.data.pricing.price_details.price``), at most 4
levels; on lists and search results they start with ``data.``. A path that
names an object or list already present just descends into it (``lines``).
A field holding a list of ids (``discounts``) expands to the objects, and a
path through a list of hashes (``total_discount_amounts.discount``) applies to
each of them. Includable fields (absent until asked for, e.g. a customer's
``tax_ids``) are registered like references; their loader builds the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stripe_emulator.lib.errors import ParameterError

#: ``loader(state, current_value, owner_object) -> expanded value``.
Loader = Callable[[Any, Any, dict[str, Any]], Any]

MAX_DEPTH = 4
_COLLECTIONS = ("list", "search_result")


class ExpandTable:
    """The expandable fields of each object type and the loader of each."""

    def __init__(self, loaders: Mapping[tuple[str, str], Loader]) -> None:
        # Grouped by object type once, so each object in an answer looks up only its own.
        self._by_type: dict[str, dict[str, Loader]] = {}
        for (object_type, field_path), loader in loaders.items():
            self._by_type.setdefault(object_type, {})[field_path] = loader

    def fields(self) -> frozenset[tuple[str, str]]:
        """Every ``(object type, field path)`` that expands."""
        return frozenset((object_type, path) for object_type, paths in self._by_type.items()
                         for path in paths)

    def apply(self, obj: dict[str, Any], paths: list[str] | None, state: Any) -> dict[str, Any]:
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
            self._apply(obj, segments, state, path)
        return obj

    def _apply(self, obj: dict[str, Any], segments: list[str], state: Any, path: str) -> None:
        if not segments:
            return
        kind = obj.get("object")
        if kind in _COLLECTIONS:
            if segments == ["total_count"] and kind == "search_result":
                return
            if segments[0] != "data":
                raise ParameterError(
                    f"This property cannot be expanded ({path}). You may want to try "
                    f"expanding 'data.{path}' instead.",
                    param="expand",
                )
            for item in obj.get("data", []):
                if isinstance(item, dict):
                    self._apply(item, segments[1:], state, path)
            return
        registered = self._by_type.get(str(kind), {})
        for cut in range(len(segments), 0, -1):
            prefix = ".".join(segments[:cut])
            if prefix not in registered:
                continue
            leaf = segments[cut - 1]
            for parent in _parents(obj, segments[: cut - 1]):
                current = parent.get(leaf)
                if leaf not in parent or current is None or isinstance(current, str) or (
                        isinstance(current, list) and any(isinstance(v, str) for v in current)):
                    parent[leaf] = registered[prefix](state, current, obj)
                self._descend(parent[leaf], segments[cut:], state, path)
            return
        value = obj.get(segments[0])
        if isinstance(value, dict | list):
            self._descend(value, segments[1:], state, path)
            return
        raise ParameterError(f"This property cannot be expanded ({path}).", param="expand")

    def _descend(self, value: Any, segments: list[str], state: Any, path: str) -> None:
        """Go on expanding inside ``value``: an object, or each object of a list."""
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                self._apply(item, segments, state, path)


def _parents(obj: dict[str, Any], segments: list[str]) -> list[dict[str, Any]]:
    """The objects at ``segments`` below ``obj``, fanning out over lists on the way."""
    nodes: list[Any] = [obj]
    for segment in segments:
        found: list[Any] = []
        for node in nodes:
            value = node.get(segment) if isinstance(node, dict) else None
            found.extend(value if isinstance(value, list) else [value])
        nodes = found
    return [node for node in nodes if isinstance(node, dict)]
