"""The API request being served, if any, for code deep in the backend.

Events record ``request.id`` and ``request.idempotency_key`` of the call that
caused them; automatic work (timers, test-clock advances run by the scheduler)
runs with no request, so those are null.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    """What an event needs to know about the API request that caused it."""

    request_id: str | None
    idempotency_key: str | None


_NO_REQUEST = RequestInfo(None, None)
_current: ContextVar[RequestInfo] = ContextVar("stripe_emulator_request", default=_NO_REQUEST)


def current_request() -> RequestInfo:
    """The request being served by this thread, or one with null ids."""
    return _current.get()


@contextlib.contextmanager
def serving(info: RequestInfo | None) -> Iterator[None]:
    """Mark the current thread as serving ``info`` (``None`` = automatic work)."""
    token = _current.set(info or _NO_REQUEST)
    try:
        yield
    finally:
        _current.reset(token)
