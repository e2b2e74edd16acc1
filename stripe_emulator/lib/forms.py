"""Decoding of Stripe's bracketed form encoding into nested Python values.

``a[b]=1`` → ``{"a": {"b": "1"}}``; ``a[0][c]=1`` and ``a[][c]=1`` → lists of
hashes; ``expand[]=x`` and ``expand[0]=x`` → ``["x"]``. Every leaf stays a
string; typing is the job of :mod:`stripe_emulator.lib.params`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from stripe_emulator.lib.errors import ParameterError

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")

# Marker for hashes built from numeric or empty brackets, turned into lists at the end.
_LIST_KEY = "\x00list"


def decode_form(text: str) -> dict[str, Any]:
    """Decode an urlencoded body or query string into nested dicts and lists."""
    root: dict[str, Any] = {}
    for raw_key, value in parse_qsl(text, keep_blank_values=True):
        match = _KEY.match(raw_key)
        if match is None:
            raise ParameterError(f"Invalid parameter name: {raw_key}", param=raw_key)
        parts = [match.group(1), *_PART.findall(match.group(2))]
        _assign(root, parts, value, raw_key)
    return _finish(root)


def _assign(node: dict[str, Any], parts: list[str], value: str, raw_key: str) -> None:
    head, rest = parts[0], parts[1:]
    if not rest:
        node[head] = value
        return
    child = node.get(head)
    if not isinstance(child, dict):
        child = {}
        node[head] = child
    index = rest[0]
    if index == "" or index.isdigit():
        child[_LIST_KEY] = True
        if index == "":
            index = _append_slot(child, rest[1:])
        _assign(child, [index, *rest[1:]], value, raw_key)
    else:
        _assign(child, rest, value, raw_key)


def _append_slot(listish: dict[str, Any], rest: list[str]) -> str:
    """Slot for ``a[]…``: a new element unless the last hash still lacks this key."""
    numbered = [int(k) for k in listish if k != _LIST_KEY]
    if rest and numbered:
        last = str(max(numbered))
        element = listish[last]
        if isinstance(element, dict) and rest[0] not in element:
            return last
    return str(max(numbered) + 1 if numbered else 0)


def _finish(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if value.pop(_LIST_KEY, False):
        numeric = {k: v for k, v in value.items() if k.isdigit()}
        if len(numeric) == len(value):
            return [_finish(numeric[k]) for k in sorted(numeric, key=int)]
    return {k: _finish(v) for k, v in value.items()}


def encode_form(params: dict[str, Any]) -> str:
    """Encode nested params back into bracket form (used by pagination ``url``s)."""
    from urllib.parse import urlencode

    pairs: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}[{key}]", sub)
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(f"{prefix}[{i}]", sub)
        else:
            pairs.append((prefix, "" if value is None else str(value)))

    for key, value in params.items():
        walk(key, value)
    return urlencode(pairs)
