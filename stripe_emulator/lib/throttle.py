"""A realistic Stripe on the wire: added latency and Stripe's rate limiter (both off by default).

The emulator answers in milliseconds; real Stripe takes hundreds of milliseconds for a
list page and refuses bursts. For benches and tests that should see that:

* latency: every answer waits ``latency_ms`` more, with ``await asyncio.sleep`` on the
  event loop (never a blocking sleep), so concurrent requests each wait N ms side by side,
  as on a real network;
* rate limit: Stripe's token-bucket limiter with separate budgets per second
  (https://docs.stripe.com/rate-limits): reads (GET) and writes (POST, DELETE), 25 each in
  test mode and 100 each in live mode; the Search API (``GET /v1/<resource>/search``) has
  a stricter 20 reads/s that also counts against the read budget. A refused request
  answers 429 ``{"error": {"type": "invalid_request_error", "code": "rate_limit", ...}}``
  (stripe-python raises ``stripe.RateLimitError``).

Each budget is an :class:`aiolimiter.AsyncLimiter` (a leaky bucket, the same meter as a
token bucket: a burst of up to ``rate`` requests, refilled at ``rate`` per second). It is
only asked whether it has room (``has_capacity``), never waited on: an over-budget request
is refused at once, as Stripe does. All budgets of one request are checked, then all
taken, with no ``await`` point in between (the event loop runs one check at a time), so a
refused request takes nothing from any budget.

Stripe's own SDKs do not retry a rate-limited request (they retry connection errors, 409,
5xx, and answers carrying ``Stripe-Should-Retry: true``, which Stripe does not send with a
rate-limit 429); neither does the emulator ask them to. A caller has to back off itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

from stripe_emulator.lib.errors import RateLimitError

#: Stripe's Search API limit, in test and live mode alike (reads per second).
SEARCH_RATE = 20.0
#: Stripe's wording of a rate-limit 429 for a test key / a live key.
TEST_MODE_MESSAGE = (
    "Testmode request rate limit exceeded, the rate limits in testmode are lower than "
    "livemode. You can learn more about rate limits here https://stripe.com/docs/rate-limits."
)
LIVE_MODE_MESSAGE = (
    "Request rate limit exceeded. You can learn more about rate limits here "
    "https://stripe.com/docs/rate-limits."
)
READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class RateLimits:
    """Requests per second allowed for each budget (each also the largest burst)."""

    read: float
    write: float
    search: float = SEARCH_RATE
    message: str = TEST_MODE_MESSAGE

    def __post_init__(self) -> None:
        for name in ("read", "write", "search"):
            if not getattr(self, name) >= 1:
                raise ValueError(f"rate limit {name} must be at least 1 request per second")


#: ``rate_limit="test"`` / ``"live"``: Stripe's documented limits.
PRESETS: dict[str, RateLimits] = {
    "test": RateLimits(read=25, write=25),
    "live": RateLimits(read=100, write=100, message=LIVE_MODE_MESSAGE),
}

#: What ``rate_limit=`` accepts: a preset name, ``"READ[,WRITE[,SEARCH]]"``, one number
#: (reads and writes), a tuple of up to three numbers, a :class:`RateLimits`, ``True``
#: (the test preset), or ``None``/``False`` (no limit).
RateLimitSpec = str | float | tuple[float, ...] | RateLimits | bool | None


def parse_rate_limit(spec: RateLimitSpec) -> RateLimits | None:
    """The :class:`RateLimits` ``spec`` stands for (``None``: no limit); ValueError if bad."""
    if spec is None or spec is False:
        return None
    if spec is True:
        return PRESETS["test"]
    if isinstance(spec, RateLimits):
        return spec
    if isinstance(spec, str):
        name = spec.strip().lower()
        if name in PRESETS:
            return PRESETS[name]
        try:
            numbers = tuple(float(part) for part in name.split(","))
        except ValueError:
            raise ValueError(
                f"rate limit {spec!r}: expected {' or '.join(map(repr, PRESETS))}, "
                "or READ[,WRITE[,SEARCH]] requests per second") from None
        return parse_rate_limit(numbers)
    if isinstance(spec, int | float):
        return RateLimits(read=float(spec), write=float(spec))
    if not 1 <= len(spec) <= 3:
        raise ValueError(f"rate limit {spec!r}: expected READ[,WRITE[,SEARCH]]")
    read = float(spec[0])
    write = float(spec[1]) if len(spec) > 1 else read
    search = float(spec[2]) if len(spec) > 2 else SEARCH_RATE
    return RateLimits(read=read, write=write, search=search)


def is_search(path: str) -> bool:
    """Whether ``path`` is a Search API endpoint (``/v1/<resource>/search``)."""
    return path.startswith("/v1/") and path.rstrip("/").endswith("/search")


class Throttle:
    """One emulator's latency and rate limiter (a no-op when built without either)."""

    def __init__(self, *, latency_ms: float = 0, rate_limit: RateLimitSpec = None) -> None:
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        self.latency_seconds = latency_ms / 1000
        self.limits = parse_rate_limit(rate_limit)
        #: Requests answered 429 so far (for tests and benches).
        self.refused = 0
        self._read: AsyncLimiter | None = None
        self._write: AsyncLimiter | None = None
        self._search: AsyncLimiter | None = None
        if self.limits is not None:
            self._read = AsyncLimiter(self.limits.read, time_period=1)
            self._write = AsyncLimiter(self.limits.write, time_period=1)
            self._search = AsyncLimiter(self.limits.search, time_period=1)

    async def admit(self, method: str, path: str) -> None:
        """Take this request from its budgets, or raise 429 ``rate_limit`` taking nothing."""
        if self._read is None or self._write is None or self._search is None:
            return
        if method.upper() in READ_METHODS:
            budgets = [self._search, self._read] if is_search(path) else [self._read]
        else:
            budgets = [self._write]
        if not all(budget.has_capacity() for budget in budgets):
            self.refused += 1
            assert self.limits is not None
            raise RateLimitError(self.limits.message)
        for budget in budgets:
            await budget.acquire()  # has room (checked above): returns without suspending

    async def delay(self) -> None:
        """Wait the configured latency without blocking the event loop."""
        if self.latency_seconds > 0:
            await asyncio.sleep(self.latency_seconds)
