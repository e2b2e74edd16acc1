"""Record every request any Stripe SDK client in this process sends (services' and tests').

The hook is the SDK's HTTP client base class: every request a ``stripe.StripeClient``
makes (typed resources, ``raw_request``, list pages, retries' first attempt) goes
through ``HTTPClient.request_with_retries`` (or its streaming or async twin) of whatever
HTTP client the ``StripeClient`` was given, so patching the base class catches them all
without touching the emulator or the services. ``record_stripe_requests(monkeypatch)``
starts recording for the rest of the test.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import stripe

_SYNC = ("request_with_retries", "request_stream_with_retries")
_ASYNC = ("request_with_retries_async", "request_stream_with_retries_async")


class StripeRequests:
    """What was sent: ``(METHOD, path)`` pairs in order, e.g. ``("GET", "/v1/invoices/in_1")``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def note(self, method: str, url: str) -> None:
        self.sent.append((method.upper(), urlsplit(url).path))

    def clear(self) -> None:
        self.sent.clear()

    def __len__(self) -> int:
        return len(self.sent)


def record_stripe_requests(monkeypatch: pytest.MonkeyPatch) -> StripeRequests:
    """Start recording every Stripe request of this process until the test ends."""
    seen = StripeRequests()
    for name in _SYNC:
        original = getattr(stripe.HTTPClient, name)

        def recording(self: Any, method: str, url: str, *args: Any,
                      _original: Any = original, **kwargs: Any) -> Any:
            seen.note(method, url)
            return _original(self, method, url, *args, **kwargs)

        monkeypatch.setattr(stripe.HTTPClient, name, recording)
    for name in _ASYNC:
        original = getattr(stripe.HTTPClient, name)

        async def recording_async(self: Any, method: str, url: str, *args: Any,
                                  _original: Any = original, **kwargs: Any) -> Any:
            seen.note(method, url)
            return await _original(self, method, url, *args, **kwargs)

        monkeypatch.setattr(stripe.HTTPClient, name, recording_async)
    return seen


@pytest.fixture
def stripe_requests(monkeypatch: pytest.MonkeyPatch) -> StripeRequests:
    """Every Stripe request made from here on in this test."""
    return record_stripe_requests(monkeypatch)
