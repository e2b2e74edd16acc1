"""Aging bucket edges and the date-range filters sent to Stripe (no Stripe needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.readmodel.invoice_queries import day_start
from services.reporting.receivables import aging_bucket


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"),
     (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+")],
)  # fmt: skip
def test_aging_bucket_edges(days: int, bucket: str) -> None:
    assert aging_bucket(days) == bucket


def test_a_day_starts_at_midnight_in_the_business_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zoneinfo import ZoneInfo

    from services.core import clock

    monkeypatch.setattr(clock, "_business_zone", UTC)
    assert day_start(date(2026, 3, 1)) == int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
    assert day_start(date(2026, 4, 1)) - day_start(date(2026, 3, 31)) == 86_400
    berlin = ZoneInfo("Europe/Berlin")
    monkeypatch.setattr(clock, "_business_zone", berlin)
    assert day_start(date(2026, 3, 1)) == int(datetime(2026, 3, 1, tzinfo=berlin).timestamp())
    # the night the clocks go forward (29 March 2026) makes a 23-hour day
    assert day_start(date(2026, 3, 30)) - day_start(date(2026, 3, 29)) == 23 * 3600
