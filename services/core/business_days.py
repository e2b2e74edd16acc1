"""Calendar days of the business time zone, as Unix-second edges the SQL can compare.

Stripe gives every time as Unix seconds (``created``, ``due_date``,
``status_transitions.paid_at``). A person reads them as days of the business time zone
(:func:`services.core.clock.business_zone`, ``DASHBOARD_TIME_ZONE``), so every filter,
period and "days overdue" is cut at the zone's day starts: :func:`day_start` gives the
instant a calendar day begins there (daylight saving time included: a day may last 23
or 25 hours, and where midnight does not exist the day starts at its first instant),
and the queries compare the stored seconds with those edges.

Overdue follows Stripe's "Past due" (https://docs.stripe.com/invoicing/overview): an
open invoice is overdue once its ``due_date`` moment has passed. Its days overdue count
the zone's calendar days from the due day to the as-of day, and at least 1 once it is
overdue (an invoice past its due time today is in its first day overdue), so "overdue"
and "days overdue > 0" always agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from services.core import clock

DAY_SECONDS = 86_400


def day_start(day: date, zone: tzinfo | None = None) -> int:
    """Unix seconds of the first instant of ``day`` in ``zone`` (default: the business
    zone). DST-correct: consecutive day starts may be 23 or 25 hours apart."""
    found = zone if zone is not None else clock.business_zone()
    return int(datetime.combine(day, time.min, tzinfo=found).timestamp())


def day_range(first: date | None, last: date | None,
              zone: tzinfo | None = None) -> tuple[int | None, int | None]:
    """The inclusive days ``first``..``last`` as ``[start, end)`` Unix seconds (either
    side ``None`` when open)."""
    found = zone if zone is not None else clock.business_zone()
    start = None if first is None else day_start(first, found)
    end = None if last is None else day_start(last + timedelta(days=1), found)
    return start, end


def day_of(seconds: int, zone: tzinfo | None = None) -> date:
    """The calendar day of the instant ``seconds`` (Unix) in ``zone`` (default: business)."""
    found = zone if zone is not None else clock.business_zone()
    return datetime.fromtimestamp(int(seconds), UTC).astimezone(found).date()


def as_of_moment(as_of: date, now: clock.Clock | None = None) -> int:
    """The instant (Unix seconds) a view "as of" ``as_of`` stands for: now when
    ``as_of`` is today in the business zone, else the end of ``as_of`` (what had passed
    by the end of that day). ``now`` (aware UTC clock) fixes the time in tests."""
    moment = (now or clock.utc_now)()
    if as_of == clock.business_today(lambda: moment):
        return int(moment.timestamp())
    return day_start(as_of + timedelta(days=1))


def days_overdue(due: int | None, as_of: date, reference: int,
                 zone: tzinfo | None = None) -> int:
    """Days an invoice due at ``due`` (Unix seconds) is overdue on ``as_of`` whose
    as-of instant is ``reference`` (:func:`as_of_moment`): 0 until the due moment has
    passed, then the zone's calendar days from the due day to ``as_of``, at least 1.
    (The caller checks the invoice is open.)"""
    if due is None or due >= reference:
        return 0
    return max(1, (as_of - day_of(due, zone)).days)


def day_edges(first: date, last: date, zone: tzinfo | None = None) -> list[int]:
    """The start of every day ``first``..``last`` and of the day after, in Unix seconds:
    the edges to bisect instants into days without converting each one."""
    found = zone if zone is not None else clock.business_zone()
    count = (last - first).days + 2
    return [day_start(first + timedelta(days=offset), found) for offset in range(count)]
