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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import stripe
from sqlalchemy import Engine
from stripe.params import EventListParams

from services.core.clock import Clock
from services.core.errors import StripeUnavailable
from services.payments import store
from services.payments.handlers import HANDLED_TYPES

CURSOR_NAME = "events"
LOOKBACK_SECONDS = 300


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
    ) -> None:
        self._types = types  # None: every event (Stripe's `types` takes at most 20)
        self._client = client
        self._engine = engine
        self._service = service
        self._clock = clock

    def poll_once(self) -> int:
        """Fetch events after the cursor, handle the new ones; return how many were handled."""
        since = self._cursor()
        params: EventListParams = {"limit": 100}
        if self._types is not None:
            params["types"] = list(self._types)
        if since is not None:
            params["created"] = {"gte": since - LOOKBACK_SECONDS}
        try:
            page = self._client.v1.events.list(params=params)
            fetched = [event.to_dict() for event in page.auto_paging_iter()]
        except stripe.StripeError as err:
            raise StripeUnavailable(
                f"Could not read events from Stripe: {err.user_message or err}", retryable=True
            ) from err
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
        return handled

    def _already_recorded(self, event_ids: list[str]) -> set[str]:
        return store.recorded_event_ids(self._engine, event_ids)

    def _cursor(self) -> int | None:
        return store.poll_cursor(self._engine, CURSOR_NAME)

    def _save_cursor(self, event_id: str, created: int) -> None:
        store.save_poll_cursor(self._engine, CURSOR_NAME, event_id, created, self._clock())
