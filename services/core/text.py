"""Text typed by finance staff, checked once before it goes to Stripe.

Every free-text field a write sends to Stripe (names, emails, descriptions, address
parts, nicknames, memo, footer, PO number, line descriptions, reasons and notes)
goes through :func:`clean_text`: it strips the ends and refuses, naming the field,

- control characters (NUL, BEL, ESC, DEL, the C1 range ...), except a newline or a
  tab in a field that may hold several lines (``multiline=True``; ``\\r\\n`` becomes
  ``\\n``);
- lone surrogates (half of a character, e.g. ``"\\ud800"``): they cannot be
  encoded, so neither Stripe nor the app database could store them;
- text longer than Stripe keeps in that field (``max_length``, a number from
  :mod:`services.core.limits`): it is refused, never cut.

:func:`key_safe` makes any payload encodable for the idempotency key, so a refused
value is refused inside the audited write (with an audit row) instead of crashing
while the key is derived. Valid text is returned unchanged, so keys do not move.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass

from services.core.errors import InvalidInput
from services.core.limits import check_length

_MULTILINE_ALLOWED = frozenset("\n\t")


def _problem(text: str, *, multiline: bool) -> tuple[int, str] | None:
    """``(position, kind)`` of the first character that may not be sent, or ``None``."""
    for position, char in enumerate(text, start=1):
        if "\ud800" <= char <= "\udfff":
            return position, "surrogate"
        if unicodedata.category(char) == "Cc":
            if multiline and char in _MULTILINE_ALLOWED:
                continue
            return position, "control"
    return None


def clean_text(
    value: object,
    *,
    field: str,
    label: str,
    multiline: bool = False,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    """``value`` stripped, or :class:`InvalidInput` naming ``field`` (``label`` in words).

    ``None`` is the empty text; ``required`` refuses an empty one; ``max_length``
    (characters, after stripping) refuses a longer one with its length and the limit.
    """
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    else:
        raise InvalidInput(f"The {label} must be text.", field=field)
    if multiline:
        text = text.replace("\r\n", "\n")
    found = _problem(text, multiline=multiline)
    if found is not None:
        position, kind = found
        if kind == "surrogate":
            raise InvalidInput(
                f"The {label} contains a broken character (character {position}) that "
                "cannot be saved. Delete it and type the text again.",
                field=field,
            )
        allowed = " Line breaks and tabs are fine." if multiline else ""
        raise InvalidInput(
            f"The {label} contains an invisible control character (character {position}), "
            "often left by copying from another program. Delete it and type the text "
            f"again.{allowed}",
            field=field,
        )
    text = text.strip()
    if required and not text:
        raise InvalidInput(f"Enter the {label}.", field=field)
    if max_length is not None:
        check_length(text, limit=max_length, field=field, label=label)
    return text


def optional_text(
    value: object,
    *,
    field: str,
    label: str,
    multiline: bool = False,
    max_length: int | None = None,
) -> str | None:
    """:func:`clean_text`, with an empty result as ``None``."""
    cleaned = clean_text(value, field=field, label=label, multiline=multiline,
                         max_length=max_length)  # fmt: skip
    return cleaned or None


def key_safe(payload: Mapping[str, object]) -> dict[str, object]:
    """An idempotency-key payload with lone surrogates escaped; valid text as is."""
    return {name: _key_safe(value) for name, value in payload.items()}


def _key_safe(value: object) -> object:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return _key_safe(asdict(value))
    if isinstance(value, Mapping):
        return {k: _key_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_key_safe(v) for v in value]
    return value
