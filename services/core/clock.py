"""Time for the app database: the real clock, and the naive-UTC form stored in tables.

Services take a ``Clock`` (a function returning an aware UTC ``datetime``) so tests
can fix the time; the database stores naive UTC ``DateTime`` values.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock (timezone-aware UTC)."""
    return datetime.now(UTC)


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as naive UTC, the form stored in the database (naive input is kept)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
