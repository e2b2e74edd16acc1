"""Counting the API requests that reach an embedded emulator, by method and route.

``RequestCounter`` wraps the emulator's ``Throttle.admit`` so that every request it is
asked (admitted or refused with a 429) is counted, ids folded into ``{id}`` (for example
``GET /v1/invoices/{id}/lines``). The read-model benches use it to say how many Stripe
requests a backfill, a re-read or a page view made.
"""

from __future__ import annotations

import re
from collections import Counter

from stripe_emulator.lib.throttle import Throttle

_ID = re.compile(r"/[a-z]+_[A-Za-z0-9]+")


class RequestCounter:
    """Every API request the emulator is asked (admitted or refused), by method and route."""

    def __init__(self, throttle: Throttle) -> None:
        self.by_route: Counter[str] = Counter()
        admit = throttle.admit

        async def counting_admit(method: str, path: str) -> None:
            self.by_route[f"{method.upper()} {_ID.sub('/{id}', path)}"] += 1
            await admit(method, path)

        throttle.admit = counting_admit  # type: ignore[method-assign]

    def total(self) -> int:
        return sum(self.by_route.values())

    def snapshot(self) -> Counter[str]:
        return Counter(self.by_route)

    def since(self, before: Counter[str]) -> Counter[str]:
        return self.by_route - before
