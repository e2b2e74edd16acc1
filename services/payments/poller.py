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
skipped with one query, and the unique event id keeps the rest exactly-once.

Test clocks backdate: an action on an object of a clock frozen ten days ago makes
events ``created`` ten days ago, which Stripe lists among (and filters by ``created``
like) events of ten days ago, behind the cursor. So in test mode each poll also lists
the test clocks and reads, per clock, the events created in the window its frozen time
moved through since the last poll (``[previous frozen time − look-back, frozen time
now]``; a clock's time only moves forward, so its events fall there). A clock first
seen is read from its beginning when it was made after the cursor, else from its
frozen time now (its older events predate the polling, as the rest of the history
before the cursor does). The same record-once step keeps every event handled once.
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
from services.payments import store
from services.payments.handlers import HANDLED_TYPES

CURSOR_NAME = "events"
CLOCK_CURSOR_PREFIX = "clock:"  # + a test clock's id: its frozen time at the last poll
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


def _outside(main: Window | None, clocks: Iterable[Window]) -> list[Window]:
    """The clock windows not already read by ``main`` or another of them, fewest first."""
    kept: list[Window] = []
    for window in sorted(set(clocks), key=lambda w: (w.since is not None, w.since or 0,
                                                     -(w.until or 0))):
        if main is not None and main.covers(window):
            continue
        if not any(other.covers(window) for other in kept):
            kept.append(window)
    return kept


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
        window = None if since is None else Window(since - LOOKBACK_SECONDS, None)
        clocks = self._clock_windows(since)
        fetched = self._events_in([window, *_outside(window, clocks.values())])
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
        for clock_id, read in clocks.items():
            store.save_poll_cursor(self._engine, CLOCK_CURSOR_PREFIX + clock_id, "",
                                   int(read.until or 0), self._clock())
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

    def _clock_windows(self, since: int | None) -> dict[str, Window]:
        """Per test clock, the ``created`` window its events since the last poll fall in
        (none in live mode, where Stripe has no test clocks, or before the first poll)."""
        if since is None or not self._test_clocks:
            return {}
        try:
            clocks = [clock.to_dict() for clock in
                      self._client.v1.test_helpers.test_clocks.list().auto_paging_iter()]
        except stripe.StripeError:
            self._test_clocks = False  # live mode: no test clocks to follow
            return {}
        windows: dict[str, Window] = {}
        for clock in clocks:
            frozen = int(clock["frozen_time"])
            seen = store.poll_cursor(self._engine, CLOCK_CURSOR_PREFIX + clock["id"])
            if seen is not None:
                windows[clock["id"]] = Window(seen - LOOKBACK_SECONDS, frozen)
            elif int(clock["created"]) >= since - LOOKBACK_SECONDS:  # made since: all of it
                windows[clock["id"]] = Window(None, frozen)
            else:  # older than the polling: start at its time now
                windows[clock["id"]] = Window(frozen - LOOKBACK_SECONDS, frozen)
        return windows

    def _already_recorded(self, event_ids: list[str]) -> set[str]:
        return store.recorded_event_ids(self._engine, event_ids)

    def _cursor(self) -> int | None:
        return store.poll_cursor(self._engine, CURSOR_NAME)

    def _save_cursor(self, event_id: str, created: int) -> None:
        store.save_poll_cursor(self._engine, CURSOR_NAME, event_id, created, self._clock())
