"""Event poller, for a dashboard that Stripe cannot reach (behind a firewall).

Reads ``GET /v1/events`` for the payment event types, from the time of the last
event it saw, and passes each event through the same record-once step and the
same handlers as the webhook. It can run beside the webhook: whichever records an
event first handles it; the other sees a replay and does nothing.

The cursor is the ``created`` time of the newest event seen; the next poll asks for
``created >= that`` (events of the same second are read again and dropped by the
dedupe, so none is missed when several share a second).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import stripe
from sqlalchemy import Engine, select, update

from services.errors import StripeUnavailable
from services.event_tables import event_poll_cursors, insert_ignore, write_transaction
from services.outbox import Clock, naive_utc
from services.payment_handlers import HANDLED_TYPES

CURSOR_NAME = "events"


class RecordingService(Protocol):
    """What the poller needs from :class:`services.events.PaymentEvents`."""

    def record(self, event: Mapping[str, Any], *, source: str, raw: str | None = None) -> bool:
        ...

    def handle_recorded(
        self, event_id: str, *, event: Mapping[str, Any] | None = None
    ) -> Any: ...


class EventPoller:
    """Reads new payment events from Stripe and handles them once."""

    def __init__(
        self, client: stripe.StripeClient, engine: Engine, service: RecordingService, clock: Clock
    ) -> None:
        self._client = client
        self._engine = engine
        self._service = service
        self._clock = clock

    def poll_once(self) -> int:
        """Fetch events after the cursor, handle the new ones; return how many were handled."""
        since = self._cursor()
        params: dict[str, Any] = {"types": list(HANDLED_TYPES), "limit": 100}
        if since is not None:
            params["created"] = {"gte": since}
        try:
            page = self._client.v1.events.list(params=params)
            fetched = [event.to_dict() for event in page.auto_paging_iter()]
        except stripe.StripeError as err:
            raise StripeUnavailable(f"Could not read events from Stripe: {err.user_message or err}",
                                    retryable=True) from err
        # Lists are newest first; handle oldest first (a stable sort keeps same-second order).
        fetched.reverse()
        fetched.sort(key=lambda event: event["created"])
        handled = 0
        for event in fetched:
            if self._service.record(event, source="poller"):
                result = self._service.handle_recorded(event["id"], event=event)
                handled += getattr(result, "outcome", None) in ("handled", "ignored")
        if fetched:
            self._save_cursor(fetched[-1]["id"], fetched[-1]["created"])
        return handled

    def _cursor(self) -> int | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(event_poll_cursors.c.last_created)
                .where(event_poll_cursors.c.name == CURSOR_NAME)
            ).scalar()

    def _save_cursor(self, event_id: str, created: int) -> None:
        now = naive_utc(self._clock())
        values = {"last_event_id": event_id, "last_created": created, "polled_at": now}
        with write_transaction(self._engine) as conn:
            if not insert_ignore(conn, event_poll_cursors, {"name": CURSOR_NAME, **values}):
                conn.execute(
                    update(event_poll_cursors)
                    .where(event_poll_cursors.c.name == CURSOR_NAME,
                           event_poll_cursors.c.last_created <= created)
                    .values(**values)
                )
