"""The emulator's state and services, handed to every use case as ``state``.

``EmulatorState`` bundles the store (unit of work), the clock, the scheduler of
timed work, the webhook dispatcher and the idempotency ledger, plus the
settings (``settlement_delay_seconds``...) and the :class:`Registry` of what it
runs by name (job handlers, expandable fields, test-clock hooks). One instance
per running emulator.

The registry is a required constructor argument: a state cannot exist without
its job handlers and expand loaders, however it is driven (over HTTP, or by
calling backend use cases directly). Build one with
``backend.registry.open_state()``, which fills it from the one list in
``backend.registry``. (That list names the handlers, whose modules import this
one for the ``EmulatorState`` type, so this module cannot import it itself.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stripe_emulator.lib.clock import Clock
from stripe_emulator.lib.context import serving
from stripe_emulator.lib.expand import ExpandTable
from stripe_emulator.lib.idempotency import IdempotencyLedger
from stripe_emulator.lib.scheduler import Scheduler, WorkHandler
from stripe_emulator.lib.storage import Store
from stripe_emulator.models.test_clock import TEST_CLOCKS
from stripe_emulator.webhooks.delivery import RetryPolicy, WebhookDispatcher

#: ``listener(state, clock, previous_frozen_time)`` after each advance of a test clock.
ClockAdvancedListener = Callable[["EmulatorState", dict[str, Any], int], None]
#: ``listener(state, clock)`` before a test clock and its objects are deleted.
ClockDeletedListener = Callable[["EmulatorState", dict[str, Any]], None]


@dataclass(frozen=True)
class Settings:
    """Tunables of one emulator instance."""

    #: Seconds before a processing bank debit (``pm_usBankAccount``) settles.
    settlement_delay_seconds: float = 5.0
    #: First webhook retry delay; doubles on each failure.
    webhook_retry_base_seconds: float = 1.0
    webhook_max_attempts: int = 8


@dataclass(frozen=True)
class Registry:
    """What one emulator runs by name; built by ``backend.registry.build_registry``."""

    #: Kind of timed work -> its handler (the scheduler refuses any other kind).
    jobs: Mapping[str, WorkHandler]
    #: What ``expand[]`` may replace, and how.
    expandables: ExpandTable
    on_clock_advanced: tuple[ClockAdvancedListener, ...]
    on_clock_deleted: tuple[ClockDeletedListener, ...]


class EmulatorState:
    """Everything a backend use case needs."""

    def __init__(self, db_path: str | os.PathLike[str] | None = None,
                 settings: Settings | None = None, *, registry: Registry) -> None:
        """Open the store at ``db_path`` (in memory if None), running what ``registry`` lists.

        A database holding queued jobs of a kind ``registry`` has no handler for is
        refused (``lib.scheduler.UnknownJobKindError``).
        """
        self.settings = settings or Settings()
        self.registry = registry
        self.store = Store(db_path)
        self.clock = Clock(frozen_time_of=self._frozen_time)
        try:
            self.scheduler = Scheduler(self.store, self.registry.jobs, self._run_job,
                                       self.clock.real_now)
        except BaseException:
            self.store.close()  # the database holds jobs of an unknown kind: nothing to serve
            raise
        self.webhooks = WebhookDispatcher(
            self.store,
            self.clock.real_now,
            RetryPolicy(retry_base_seconds=self.settings.webhook_retry_base_seconds,
                        max_attempts=self.settings.webhook_max_attempts),
        )
        self.idempotency = IdempotencyLedger(self.store)
        #: Where this emulator is reached (``http://host:port``), for the links it hands
        #: out such as an invoice's ``hosted_invoice_url``; set by whoever starts serving.
        self.public_url = "http://127.0.0.1"

    def start(self) -> None:
        """Start the background workers (timers, webhook delivery)."""
        self.scheduler.start()
        self.webhooks.start()

    def stop(self) -> None:
        self.webhooks.stop()
        self.scheduler.stop()
        self.store.close()

    def now(self, test_clock: str | None = None) -> int:
        """Current time for an object on ``test_clock`` (real time without one)."""
        return self.clock.now(test_clock)

    def expand(self, obj: dict[str, Any], paths: list[str] | None) -> dict[str, Any]:
        """Apply ``expand[]`` ``paths`` to the rendered ``obj`` (in place) and return it."""
        return self.registry.expandables.apply(obj, paths, self)

    def _frozen_time(self, clock_id: str) -> int | None:
        clock = self.store.get(TEST_CLOCKS, clock_id)
        return int(clock["frozen_time"]) if clock else None

    def _run_job(self, handler: WorkHandler, payload: dict[str, Any]) -> None:
        # A job is background work: its own unit of work, and no API request for events.
        with serving(None), self.store.transaction():
            handler(self, payload)
