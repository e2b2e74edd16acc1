"""The ``test_helpers.test_clock`` object: a frozen time that only moves forward."""

from __future__ import annotations

from typing import Any

from stripe_emulator.lib.storage import TableSpec, register_table

TEST_CLOCKS = register_table(TableSpec(name="test_clocks",
                                       object_name="test_helpers.test_clock"))

#: How long Stripe keeps a test clock (the docs example: created + 7 days).
LIFETIME_SECONDS = 7 * 24 * 3600
#: How far one advance may go when no subscription limits it: two years.
MAX_ADVANCE_SECONDS = 2 * 365 * 24 * 3600


def new_test_clock(*, clock_id: str, created: int, frozen_time: int,
                   name: str | None) -> dict[str, Any]:
    return {
        "id": clock_id,
        "object": "test_helpers.test_clock",
        "created": created,
        "deletes_after": created + LIFETIME_SECONDS,
        "frozen_time": frozen_time,
        "livemode": False,
        "name": name,
        "status": "ready",
        "status_details": {},
    }
