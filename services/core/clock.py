"""Time for the whole dashboard: the real clock, the business's "today", and stored UTC.

Services take a ``Clock`` (a function returning an aware UTC ``datetime``) so tests
can fix the time; the database stores naive UTC ``DateTime`` values
(:func:`naive_utc`).

One business clock: every page and service that needs "today" (the as-of day of
the Invoices, Invoice, Overview, Overdue and Customers pages, days overdue, export
file names) asks :func:`business_today`, and every time shown to a person goes
through :func:`business_time`. Both use the business time zone, set once at start
from the ``DASHBOARD_TIME_ZONE`` setting (:func:`use_business_time_zone`, called by
:func:`services.container.build_services`); without it, the server's local zone.
So two pages never disagree about days overdue around midnight.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Clock = Callable[[], datetime]

#: The business time zone; ``None`` means the server's local zone (read at each call,
#: so a change of the machine's zone or of daylight saving time is followed).
_business_zone: tzinfo | None = None


def utc_now() -> datetime:
    """The real clock (timezone-aware UTC)."""
    return datetime.now(UTC)


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as naive UTC, the form stored in the database (naive input is kept)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def use_business_time_zone(zone: tzinfo | None) -> None:
    """Set the zone :func:`business_today` and :func:`business_time` use for this
    process (``None``: the server's local zone). Called once at start from the settings."""
    global _business_zone
    _business_zone = zone


def business_zone() -> tzinfo:
    """The business time zone: the configured one, else the server's local zone (its
    IANA zone when the machine names one, so daylight saving time is followed for any
    date, not only today's offset)."""
    if _business_zone is not None:
        return _business_zone
    named = _server_zone(os.environ.get("TZ", ""), os.path.realpath(_LOCALTIME))
    if named is not None:
        return named
    local = datetime.now(UTC).astimezone().tzinfo
    return local if local is not None else UTC


_LOCALTIME = "/etc/localtime"


@functools.lru_cache(maxsize=8)
def _server_zone(tz_variable: str, localtime: str) -> tzinfo | None:
    """The server's IANA zone from ``TZ`` or the link ``/etc/localtime`` points at (e.g.
    ``…/zoneinfo/Europe/Berlin``), ``None`` when neither names one; cached per value, so a
    change of either is followed. A named zone (not one read from a file) pickles, as
    Streamlit's cache needs."""
    name = tz_variable.lstrip(":")
    if not name and "/zoneinfo/" in localtime:
        name = localtime.split("/zoneinfo/", 1)[1]
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        return None


def business_today(now: Clock | None = None) -> date:
    """The calendar day it is now in the business time zone: the one "today" of every
    page and service. ``now`` (an aware UTC clock) fixes the time in tests."""
    moment = (now or utc_now)()
    return business_time(moment).date()


def business_time(moment: datetime) -> datetime:
    """``moment`` (aware; a naive one is taken as UTC, as stored) in the business zone,
    for display."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if _business_zone is None:
        return aware.astimezone()  # the server's zone, with its offset at that moment
    return aware.astimezone(_business_zone)
