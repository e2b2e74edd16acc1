"""The worker thread that handles recorded events after the webhook has answered.

The webhook endpoint only verifies and records (milliseconds), then submits the
event id here. One thread handles events in arrival order, sends due outbox
messages when the queue runs dry, and every ``sweep_interval`` seconds picks up
events still ``received`` in the database (left by a crash or another process),
polls Stripe for events when polling is enabled, runs the periodic catch-up when
its period has passed, and retries outbox messages whose back-off has passed. The
sweep keeps its schedule while events keep arriving (a steady stream of webhooks
must not hold the catch-up back). Nothing is kept only in memory: a lost queue
entry is found again by the sweep.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

log = logging.getLogger(__name__)

_STOP = object()
_WAKE = object()


class EventHandlingService(Protocol):
    """What the worker needs from :class:`services.payments.events.PaymentEvents`."""

    def handle_recorded(
        self, event_id: str, *, event: Mapping[str, Any] | None = None
    ) -> object: ...

    def handle_unhandled(self, limit: int = 500) -> int: ...

    def deliver_outbox(self) -> int: ...


class HandlingWorker:
    """A lazily started daemon thread draining a queue of event ids."""

    def __init__(self, service: EventHandlingService, *, sweep_interval: float = 5.0) -> None:
        self._service = service
        self._sweep_interval = sweep_interval
        self._queue: queue.Queue[object] = queue.Queue()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._unfinished = 0
        self._poll: Callable[[], int] | None = None
        self._catch_up: Callable[[], object] | None = None
        self._catch_up_every = 600.0
        self._caught_up_at = 0.0
        self._swept_at = 0.0

    def enable_polling(self, poll: Callable[[], int]) -> None:
        """Also call ``poll`` on every sweep (the event poller)."""
        self._poll = poll

    def enable_catch_up(self, catch_up: Callable[[], object], every_seconds: float) -> None:
        """Also call ``catch_up`` once every ``every_seconds`` (first on the next sweep)."""
        self._catch_up = catch_up
        self._catch_up_every = every_seconds
        self._caught_up_at = time.monotonic()  # first run one period from now

    def submit(self, event_id: str, event: Mapping[str, Any] | None = None) -> None:
        """Queue ``event_id`` (and its payload, if at hand) for handling."""
        with self._idle:
            self._unfinished += 1
        self._ensure_started()
        self._queue.put((event_id, event))

    def wake(self) -> None:
        """Ask the thread to send due outbox messages now."""
        self._ensure_started()
        self._queue.put(_WAKE)

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """Block until every submitted event is handled; False when ``timeout`` passes."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread after the item it is working on."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(_STOP)
        thread.join(timeout)
        with self._start_lock:
            self._thread = None

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="payment-events-worker", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        self._sweep()
        while True:
            try:
                item = self._queue.get(timeout=self._until_next_sweep())
            except queue.Empty:
                self._sweep()
                continue
            if item is _STOP:
                return
            if isinstance(item, tuple):
                self._handle(*item)
            if self._until_next_sweep() == 0:
                self._sweep()
            elif self._queue.empty():
                self._deliver()

    def _until_next_sweep(self) -> float:
        """Seconds until the next sweep is due: the sweep interval after the last one, or
        sooner when the catch-up's period ends first (0 when overdue)."""
        due = self._swept_at + self._sweep_interval
        if self._catch_up is not None:
            due = min(due, self._caught_up_at + self._catch_up_every)
        return max(0.0, due - time.monotonic())

    def _handle(self, event_id: str, event: Mapping[str, Any] | None) -> None:
        try:
            self._service.handle_recorded(event_id, event=event)
        except Exception:  # one bad event must not stop the others
            log.exception("handling %s failed", event_id)
        finally:
            with self._idle:
                self._unfinished -= 1
                self._idle.notify_all()

    def _sweep(self) -> None:
        self._swept_at = time.monotonic()
        try:
            self._service.handle_unhandled()
        except Exception:
            log.exception("sweep of unhandled events failed")
        if self._poll is not None:
            try:
                self._poll()
            except Exception:  # Stripe unreachable: try again on the next sweep
                log.exception("polling for events failed")
        due = time.monotonic() - self._caught_up_at >= self._catch_up_every
        if self._catch_up is not None and due:
            self._caught_up_at = time.monotonic()
            try:
                self._catch_up()
            except Exception:  # Stripe unreachable: the next period tries again
                log.exception("catching up with Stripe's events failed")
        self._deliver()

    def _deliver(self) -> None:
        try:
            self._service.deliver_outbox()
        except Exception:
            log.exception("outbox delivery failed")
