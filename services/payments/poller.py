"""Event poller, for a dashboard that Stripe cannot reach (behind a firewall).

Reads ``GET /v1/events`` for the payment event types, from the time of the last
event it saw, and passes each event through the same record-once step and the
same handlers as the webhook. It can run beside the webhook: whichever records an
event first handles it; the other sees a replay and does nothing.

The cursor is the ``created`` time of the newest event seen, never later than now:
events of objects on a test clock carry the clock's (possibly future) time and must
not push the cursor past real events still to come. Each poll asks for events
created since the cursor minus a five-minute look-back, so an event that becomes
listable a little after later ones is still read; events already recorded are
skipped with one query, and the unique event id keeps the rest exactly-once. The
look-back never reaches behind where polling started (``start_polling_at``: a
backfill's start, or a new account's now): what happened before is in the objects
listed from then on, and a shared test account's other events are not re-applied.

Test clocks backdate: an action on an object of a clock frozen ten days ago makes
events ``created`` ten days ago, which Stripe lists among (and filters by ``created``
like) events of ten days ago, behind the cursor. So in test mode each poll also lists
the test clocks and reads, per clock, the events created in the window its frozen time
moved through since the last poll (``[previous frozen time − look-back, frozen time
now]``; a clock's time only moves forward, so its events fall there), once more at
the poll after it stopped, and then, while it stands still, only the events at its
frozen time (the only time its new events can have: a clock frozen near real time
would otherwise re-read five minutes of every event at every poll). A clock first
seen is read from the frozen time it was made with (its
``test_helpers.test_clock.created`` event, dated in real time, says) when it was made
after the cursor, else from its frozen time now (its older events predate the polling,
as the rest of the history before the cursor does). Windows that overlap are read as
one list, so clocks frozen near each other cost one request. The same record-once
step keeps every event handled once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import stripe
from sqlalchemy import Engine
from stripe.params import EventListParams, EventListParamsCreated

from services.core.clock import Clock
from services.core.errors import StripeUnavailable
from services.payments import cursors, store
from services.payments.handlers import HANDLED_TYPES

CURSOR_NAME = "events"
FLOOR_NAME = "events:floor"  # where polling started: no look-back reaches behind it
CLOCK_CURSOR_PREFIX = "clock:"  # + a test clock's id: its frozen time at the last poll
MOVED = "moved"  # a clock cursor's marker: the clock moved by the last poll (look back again)
LOOKBACK_SECONDS = 300


@dataclass(frozen=True)
class Window:
    """Events created from ``since`` to ``until`` (Unix seconds, inclusive; None: open)."""

    since: int | None
    until: int | None

    def created(self) -> EventListParamsCreated:
        """The window as Stripe's ``created`` list filter."""
        bounds: EventListParamsCreated = {}
        if self.since is not None:
            bounds["gte"] = self.since
        if self.until is not None:
            bounds["lte"] = self.until
        return bounds

    def covers(self, other: Window) -> bool:
        """Whether every event in ``other`` is in this window too."""
        low = self.since is None or (other.since is not None and other.since >= self.since)
        high = self.until is None or (other.until is not None and other.until <= self.until)
        return low and high


def _union(windows: Iterable[Window | None]) -> list[Window | None]:
    """The fewest disjoint windows that hold every event of ``windows`` and no other,
    oldest first: overlapping or touching windows become one, so clocks frozen near
    each other (or near the cursor) cost one list instead of one each. ``None`` (every
    event) swallows the rest and comes back alone."""
    given = list(windows)
    if None in given:
        return [None]
    merged: list[Window] = []
    for window in sorted((w for w in given if w is not None),
                         key=lambda w: -1 if w.since is None else w.since):
        last = merged[-1] if merged else None
        if last is not None and (last.until is None or window.since is None
                                 or window.since <= last.until + 1):
            later = None if last.until is None or window.until is None else max(
                last.until, window.until)
            merged[-1] = Window(last.since, later)
        else:
            merged.append(window)
    return [None] if merged == [Window(None, None)] else list(merged)


class RecordingService(Protocol):
    """What the poller needs from :class:`services.payments.events.PaymentEvents`."""

    def record(self, event: Mapping[str, Any], *, source: str, raw: str | None = None) -> bool: ...

    def handle_recorded(self, event_id: str, *, event: Mapping[str, Any] | None = None) -> Any: ...


class EventPoller:
    """Reads new payment events from Stripe and handles them once."""

    def __init__(
        self,
        client: stripe.StripeClient,
        engine: Engine,
        service: RecordingService,
        clock: Clock,
        *,
        types: Sequence[str] | None = HANDLED_TYPES,
        test_clocks: bool = True,
    ) -> None:
        self._types = types  # None: every event (Stripe's `types` takes at most 20)
        self._test_clocks = test_clocks  # follow backdated test-clock events (test mode)
        self._client = client
        self._engine = engine
        self._service = service
        self._clock = clock

    def poll_once(self) -> int:
        """Fetch events after the cursor (and those test clocks backdated since the last
        poll), handle the new ones; return how many were handled. Raises
        ``StripeUnavailable`` when Stripe cannot be read."""
        since = self._cursor()
        floor = cursors.poll_cursor(self._engine, FLOOR_NAME)
        window = None if since is None else Window(
            max(since - LOOKBACK_SECONDS, floor or 0), None)
        clock_positions, clock_windows = self._clock_windows(since)
        fetched = self._events_in(_union([window, *clock_windows]))
        # Lists are newest first; handle oldest first (a stable sort keeps same-second order).
        fetched.reverse()
        fetched.sort(key=lambda event: event["created"])
        known = self._already_recorded([event["id"] for event in fetched])
        handled = 0
        for event in fetched:
            if event["id"] not in known and self._service.record(event, source="poller"):
                result = self._service.handle_recorded(event["id"], event=event)
                handled += getattr(result, "outcome", None) in ("handled", "ignored")
        now = int(self._clock().timestamp())
        current = [event for event in fetched if event["created"] <= now]
        if current:
            self._save_cursor(current[-1]["id"], current[-1]["created"])
        elif fetched:  # only test-clock events from the future: read on from now
            self._save_cursor(fetched[-1]["id"], now)
        for clock_id, (mark, frozen) in clock_positions.items():
            cursors.save_poll_cursor(self._engine, CLOCK_CURSOR_PREFIX + clock_id, mark, frozen,
                                   self._clock())
        return handled

    def _events_in(self, windows: Sequence[Window | None]) -> list[dict[str, Any]]:
        """Every event (of the handled types) created in any of ``windows`` (None: all),
        each once, as listed (newest first per window)."""
        found: dict[str, dict[str, Any]] = {}
        try:
            for window in windows:
                params: EventListParams = {"limit": 100}
                if self._types is not None:
                    params["types"] = list(self._types)
                if window is not None:
                    params["created"] = window.created()
                page = self._client.v1.events.list(params=params)
                for event in page.auto_paging_iter():
                    found.setdefault(event.id, event.to_dict())
        except stripe.StripeError as err:
            raise StripeUnavailable(
                f"Could not read events from Stripe: {err.user_message or err}", retryable=True
            ) from err
        return list(found.values())

    def _clock_windows(self, since: int | None) -> tuple[dict[str, tuple[str, int]],
                                                          list[Window]]:
        """Per test clock, what to save as its cursor after the poll (a marker, ``MOVED``
        while it moves, and its frozen time now), and the ``created`` windows its events
        since the last poll fall in (none in live mode, where Stripe has no test clocks,
        or before the first poll)."""
        if since is None or not self._test_clocks:
            return {}, []
        try:
            clocks = [clock.to_dict() for clock in
                      self._client.v1.test_helpers.test_clocks.list({"limit": 100})
                      .auto_paging_iter()]
        except stripe.StripeError:
            self._test_clocks = False  # live mode: no test clocks to follow
            return {}, []
        positions: dict[str, tuple[str, int]] = {}
        windows: list[Window] = []
        made_since = [clock["id"] for clock in clocks
                      if int(clock["created"]) >= since - LOOKBACK_SECONDS]
        starts = self._starting_times(since) if made_since else {}
        for clock in clocks:
            frozen = int(clock["frozen_time"])
            seen = cursors.poll_position(self._engine, CLOCK_CURSOR_PREFIX + clock["id"])
            moving = True
            if seen is not None and (frozen > seen[1] or seen[0] == MOVED):
                windows.append(Window(seen[1] - LOOKBACK_SECONDS, frozen))
                moving = frozen > seen[1]
            elif seen is not None:  # still since the poll before: new events are at its time
                windows.append(Window(frozen, frozen))
                moving = False
            elif clock["id"] in made_since:  # all of it, from where it started
                started = starts.get(clock["id"])
                windows.append(Window(started, frozen))
                moving = started is None or frozen > started  # not moved yet: settled
            else:  # older than the polling: its past is history, as the rest before it
                windows.append(Window(frozen, frozen))
                moving = False
            positions[clock["id"]] = (MOVED if moving else "", frozen)
        return positions, windows

    def _starting_times(self, since: int) -> dict[str, int]:
        """Per test clock made since ``since`` (Unix seconds, less the look-back), the
        frozen time it was made with, from its ``test_helpers.test_clock.created`` event
        (dated in real time): none of its objects' events is older. A clock whose event
        is not found is read from the beginning. Raises ``StripeUnavailable``."""
        params: EventListParams = {"type": "test_helpers.test_clock.created", "limit": 100,
                                   "created": {"gte": since - LOOKBACK_SECONDS}}
        try:
            made = [event.to_dict()["data"]["object"] for event in
                    self._client.v1.events.list(params=params).auto_paging_iter()]
            return {str(clock["id"]): int(clock["frozen_time"]) for clock in made}
        except stripe.StripeError as err:
            raise StripeUnavailable(
                f"Could not read when test clocks were made: {err.user_message or err}",
                retryable=True,
            ) from err

    def _already_recorded(self, event_ids: list[str]) -> set[str]:
        return store.recorded_event_ids(self._engine, event_ids)

    def _cursor(self) -> int | None:
        return cursors.poll_cursor(self._engine, CURSOR_NAME)

    def _save_cursor(self, event_id: str, created: int) -> None:
        cursors.save_poll_cursor(self._engine, CURSOR_NAME, event_id, created, self._clock())
