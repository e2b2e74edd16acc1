"""Idempotency keys: the same form submitted twice makes one Stripe object.

A key is derived from who submits (the user), what they ask (the action), the
form's content (canonical JSON, so key order and number types do not matter)
and the form instance's nonce. Pages draw each button with its form instance's
nonce and renew it once the action has completed, so a double click, a Streamlit
rerun or a network retry sends the same key and Stripe replays the first answer,
while a deliberate second click (a reminder) is a new submission. A write that needs
several Stripe calls derives one sub-key per call from the form key
(:func:`sub_key`), so retrying the whole form repeats none of them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from services.core.access import Actor
from services.core.errors import InvalidInput

_PREFIX = "dash"


def new_form_nonce() -> str:
    """A fresh random token for one instance of a form."""
    return secrets.token_urlsafe(16)


def canonical_payload(payload: Mapping[str, object]) -> str:
    """Stable text for ``payload``: sorted keys, no spaces, exact decimals."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_plain)


def idempotency_key(
    actor: Actor, action: str, payload: Mapping[str, object], form_nonce: str
) -> str:
    """The key for one submission: same user, action, content and nonce → same key."""
    nonce = (form_nonce or "").strip()
    if not nonce:
        raise InvalidInput(
            "The form has no instance token (form_nonce); reload the page and try again.",
            field="form_nonce",
        )
    material = "\n".join([actor.username, str(action), canonical_payload(payload), nonce]).encode()
    return f"{_PREFIX}-{action}-{hashlib.sha256(material).hexdigest()[:40]}"


def sub_key(key: str, *parts: object) -> str:
    """The key of one Stripe call inside a multi-call write identified by ``key``."""
    suffix = hashlib.sha256("\n".join([key, *map(str, parts)]).encode()).hexdigest()[:24]
    return f"{key[:200]}-{suffix}"


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot make an idempotency key from {type(value).__name__}")
