"""Time as the emulator sees it: real time, or a test clock's frozen time.

Objects attached to a test clock (a customer and everything made for it) take
their timestamps from that clock; everything else uses real time.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Clock:
    """``now(test_clock_id)``: unix seconds for objects on that clock (or real time)."""

    def __init__(
        self,
        frozen_time_of: Callable[[str], int | None] | None = None,
        real_time: Callable[[], float] = time.time,
    ) -> None:
        self._frozen_time_of = frozen_time_of
        self._real_time = real_time

    def set_test_clock_lookup(self, frozen_time_of: Callable[[str], int | None]) -> None:
        self._frozen_time_of = frozen_time_of

    def real_now(self) -> float:
        """Real time in (fractional) seconds, for timers."""
        return self._real_time()

    def now(self, test_clock: str | None = None) -> int:
        """Unix seconds for an object on ``test_clock`` (``None``: real time)."""
        if test_clock and self._frozen_time_of is not None:
            frozen = self._frozen_time_of(test_clock)
            if frozen is not None:
                return frozen
        return int(self._real_time())
