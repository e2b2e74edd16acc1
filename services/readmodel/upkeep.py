"""Keeping the read model whole: first backfill, periodic catch-up, and the 30-day fallback.

The backfill notes where Stripe's event list stands *before* it lists anything, so
the events that happen while it runs are read by the next catch-up (the event
poller, from that point on). The catch-up runs on the payment-event worker every
``catch_up_seconds`` (default 10 minutes) and on Refresh; when the last event read
is older than Stripe keeps events (30 days), it relists everything instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from services.payments.events import PaymentEvents
from services.payments.tables import payment_events
from services.readmodel import store
from services.readmodel.sync import EVENT_RETENTION_SECONDS, BackfillProgress, ReadModelSync

log = logging.getLogger(__name__)

CATCH_UP_SECONDS = 600.0


@dataclass(frozen=True)
class Freshness:
    """How current the read model is (times in Unix seconds, UTC)."""

    backfill_done: bool
    objects: dict[str, int]
    #: When the newest event applied happened: its ``created``, except for events of
    #: objects on a test clock, which Stripe dates by the clock (see
    #: :func:`services.readmodel.events.real_time_of`).
    last_event_at: int | None
    checked_at: int | None  # when events were last applied, or a catch-up last read them

    @property
    def ready(self) -> bool:
        return self.backfill_done


class ReadModelUpkeep:
    """Backfill and catch-up for the read model, over the payment-event pipeline."""

    def __init__(self, sync: ReadModelSync, events: PaymentEvents) -> None:
        self.sync = sync
        self._events = events
        self._lock = threading.RLock()  # one backfill or catch-up at a time per process

    def backfill(
        self, progress: Callable[[BackfillProgress], None] | None = None
    ) -> BackfillProgress:
        """List everything not yet listed (resumable); events meanwhile are caught up."""
        with self._lock:
            self._note_event_position()
            return self.sync.backfill(progress)

    def begin_at_now(self) -> None:
        """For a Stripe with nothing in it yet (a brand-new emulator, a new account):
        mark the backfill done without listing, and read events from now on."""
        with self._lock:
            self._note_event_position()
            self.sync.mark_listed()

    def _note_event_position(self) -> None:
        if self._events.poll_cursor() is not None:
            return
        page = self.sync.newest_event()
        if page is None:
            self._events.start_polling_at("", int(time.time()))
        else:
            self._events.start_polling_at(str(page["id"]), int(page["created"]))

    def catch_up(self) -> int:
        """Apply the events since the last one read (``GET /v1/events``,
        https://docs.stripe.com/api/events/list); relist all if that is too long ago.

        Returns how many events were applied (0 while a first backfill is unfinished:
        the backfill thread catches up when it ends). A catch-up that read Stripe's
        events notes the time as "last checked" (:attr:`Freshness.checked_at`), whether
        or not there was anything new. Raises ``StripeUnavailable`` when Stripe cannot
        be read (nothing is noted then).
        """
        if not self.freshness().backfill_done:
            return 0
        cursor = self._events.poll_cursor()
        if cursor is not None and cursor < time.time() - EVENT_RETENTION_SECONDS:
            log.warning("last event read is older than Stripe keeps events: relisting all")
            with self._lock:
                self.sync.restart_backfill()
            self.backfill()
        with self._lock:
            applied = self._events.poll_once()
            store.save_sync_row(self.sync.engine, store.EVENTS_CURSOR)  # checked now
            return applied

    def start(self, every_seconds: float = CATCH_UP_SECONDS) -> threading.Thread:
        """Backfill what is not listed yet in a thread of its own (payment events keep
        flowing meanwhile), then catch up every ``every_seconds`` on the worker."""

        def fill_then_catch_up() -> None:
            try:
                self.backfill()
                self.catch_up()
            except Exception:  # Stripe unreachable: the periodic catch-up retries
                log.exception("the read model's backfill stopped; it resumes later")

        self._events.every(self._resume_or_catch_up, every_seconds)
        self._events.start_background()
        thread = threading.Thread(target=fill_then_catch_up, name="read-model-backfill",
                                  daemon=True)
        thread.start()
        return thread

    def _resume_or_catch_up(self) -> int:
        if not self._lock.acquire(blocking=False):
            return 0  # a backfill or catch-up is running in another thread
        try:
            if not self.freshness().backfill_done:
                self.backfill()
            return self.catch_up()
        finally:
            self._lock.release()

    def change_marker(self) -> tuple[object, ...]:
        """A value that changes whenever the read model (or the payment events) may have
        changed, whichever dashboard process changed it: the newest event applied and when
        (every applied event and every catch-up moves it), what the backfill has listed,
        and the newest payment event recorded. Only compare two markers; the value means
        nothing else. Two small reads of the app database."""
        listed = tuple(sorted(repr(sorted(row.items()))
                              for row in store.all_sync_rows(self.sync.engine)))
        with self.sync.engine.connect() as conn:
            newest_payment_event = conn.execute(select(func.max(payment_events.c.id))).scalar()
        return (listed, newest_payment_event)

    def freshness(self) -> Freshness:
        rows = {row["name"]: row for row in store.all_sync_rows(self.sync.engine)}
        kinds = [row for name, row in rows.items() if name != store.EVENTS_CURSOR]
        done = bool(kinds) and all(row["done"] for row in kinds) and {
            "product", "price", "customer", "invoice"
        } <= set(rows)
        objects: dict[str, int] = {}
        for name, row in rows.items():
            if name != store.EVENTS_CURSOR:
                kind = name.split("@", 1)[0]
                objects[kind] = objects.get(kind, 0) + int(row["listed"] or 0)
        events = rows.get(store.EVENTS_CURSOR)
        return Freshness(
            backfill_done=done,
            objects=objects,
            last_event_at=int(events["position"]) if events and events["position"] else None,
            checked_at=int(events["updated_at"]) if events and events["updated_at"] else None,
        )
