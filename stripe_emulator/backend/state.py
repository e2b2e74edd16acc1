"""The emulator's state and services, handed to every use case as ``state``.

``EmulatorState`` bundles the store (unit of work), the clock, the scheduler of
timed work, the webhook dispatcher and the idempotency ledger, plus the
settings (``settlement_delay_seconds``...). One instance per running emulator.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from stripe_emulator.lib.clock import Clock
from stripe_emulator.lib.context import serving
from stripe_emulator.lib.idempotency import IdempotencyLedger
from stripe_emulator.lib.scheduler import Scheduler, handler_for
from stripe_emulator.lib.storage import Store
from stripe_emulator.models.test_clock import TEST_CLOCKS
from stripe_emulator.webhooks.delivery import RetryPolicy, WebhookDispatcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """Tunables of one emulator instance."""

    #: Seconds before a processing bank debit (``pm_usBankAccount``) settles.
    settlement_delay_seconds: float = 5.0
    #: First webhook retry delay; doubles on each failure.
    webhook_retry_base_seconds: float = 1.0
    webhook_max_attempts: int = 8


class EmulatorState:
    """Everything a backend use case needs."""

    def __init__(self, db_path: str | os.PathLike[str] | None = None,
                 settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.store = Store(db_path)
        self.clock = Clock(frozen_time_of=self._frozen_time)
        self.scheduler = Scheduler(self.store, self._run_job, self.clock.real_now)
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

    def _frozen_time(self, clock_id: str) -> int | None:
        clock = self.store.get(TEST_CLOCKS, clock_id)
        return int(clock["frozen_time"]) if clock else None

    def _run_job(self, kind: str, payload: dict[str, Any]) -> None:
        handler = handler_for(kind)
        if handler is None:
            log.error("no handler registered for scheduled work %r", kind)
            return
        with serving(None), self.store.transaction():
            handler(self, payload)
