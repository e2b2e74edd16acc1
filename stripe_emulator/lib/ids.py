"""Stripe-looking identifiers (``cus_…``, ``evt_…``, ``req_…``) and secrets."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits

#: Body length after the prefix, per prefix; Stripe's ids have these lengths.
_LENGTHS = {"cus": 14, "prod": 14, "req": 14, "whsec": 32}


def random_token(length: int) -> str:
    """A random base62 string of ``length`` characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(prefix: str) -> str:
    """A fresh id such as ``cus_QXg1o8vcGmoR32`` or ``in_1PgafmB7WZ01zgkW6dKueIc5``."""
    return f"{prefix}_{random_token(_LENGTHS.get(prefix, 24))}"


def new_request_id() -> str:
    """A request id for the ``Request-Id`` header."""
    return new_id("req")
