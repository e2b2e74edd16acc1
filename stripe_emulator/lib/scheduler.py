"""Scheduled work: run a registered handler when a time is reached.

Backends register a handler once per kind of work with :func:`scheduled_work`
and schedule concrete jobs with :meth:`Scheduler.schedule` inside their unit of
work. A job without a test clock runs in a background thread when real time
passes ``due_at``; a job on a test clock runs when that clock is advanced past
``due_at`` (see ``backend.test_clocks``). Jobs live in SQLite, so a restart with
the same database keeps them. Handlers run in their own unit of work with no
API request (events they emit have ``request.id`` null).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from stripe_emulator.lib.storage import Store, register_ddl
from stripe_emulator.lib.worker import BackgroundWorker

log = logging.getLogger(__name__)

#: ``handler(state, payload)``; ``state`` is the backend's ``EmulatorState``.
WorkHandler = Callable[[Any, dict[str, Any]], None]

_HANDLERS: dict[str, WorkHandler] = {}

register_ddl(
    "CREATE TABLE IF NOT EXISTS scheduled_jobs (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " kind TEXT NOT NULL, job_key TEXT, due_at REAL NOT NULL, test_clock TEXT,"
    " payload TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_scheduled_jobs_due ON scheduled_jobs(test_clock, due_at)",
    "CREATE INDEX IF NOT EXISTS ix_scheduled_jobs_key ON scheduled_jobs(kind, job_key)",
)


def scheduled_work(kind: str) -> Callable[[WorkHandler], WorkHandler]:
    """Decorator registering the handler that runs jobs of ``kind``."""

    def register(handler: WorkHandler) -> WorkHandler:
        _HANDLERS[kind] = handler
        return handler

    return register


def handler_for(kind: str) -> WorkHandler | None:
    return _HANDLERS.get(kind)


class Scheduler(BackgroundWorker):
    """Persistent job queue plus the real-time worker thread."""

    def __init__(
        self,
        store: Store,
        run_job: Callable[[str, dict[str, Any]], None],
        real_time: Callable[[], float],
    ) -> None:
        super().__init__("emulator-scheduler")
        self.store = store
        self._run_job = run_job
        self._real_time = real_time

    def schedule(
        self,
        kind: str,
        due_at: float,
        payload: dict[str, Any],
        *,
        test_clock: str | None = None,
        key: str | None = None,
    ) -> None:
        """Run ``kind``'s handler with ``payload`` at ``due_at`` (real or test-clock time).

        ``key`` (e.g. an invoice id) lets :meth:`cancel` drop the job later.
        """
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO scheduled_jobs (kind, job_key, due_at, test_clock, payload)"
                " VALUES (?, ?, ?, ?, ?)",
                (kind, key, float(due_at), test_clock, json.dumps(payload)),
            )
            self.store.after_commit(self._notify)

    def cancel(self, kind: str, key: str) -> None:
        """Drop pending jobs of ``kind`` scheduled with ``key``."""
        with self.store.transaction():
            self.store.execute(
                "DELETE FROM scheduled_jobs WHERE kind = ? AND job_key = ?", (kind, key)
            )

    def run_due_on_clock(self, test_clock: str, up_to: int,
                         before_each: Callable[[float], None]) -> int:
        """Run the jobs of ``test_clock`` due at or before ``up_to``, earliest first.

        ``before_each(due_at)`` is called first (to move the clock to that time).
        """
        ran = 0
        while True:
            rows = self.store.execute(
                "SELECT id, kind, due_at, payload FROM scheduled_jobs WHERE test_clock = ?"
                " AND due_at <= ? ORDER BY due_at, id LIMIT 1",
                (test_clock, up_to),
            )
            if not rows:
                return ran
            job_id, kind, due_at, payload = rows[0]
            before_each(due_at)
            self._execute(job_id, kind, payload)
            ran += 1

    def drop_clock(self, test_clock: str) -> None:
        with self.store.transaction():
            self.store.execute("DELETE FROM scheduled_jobs WHERE test_clock = ?", (test_clock,))

    def _execute(self, job_id: int, kind: str, payload: str) -> None:
        with self.store.transaction():
            self.store.execute("DELETE FROM scheduled_jobs WHERE id = ?", (job_id,))
        try:
            self._run_job(kind, json.loads(payload))
        except Exception:
            log.exception("scheduled job %s (%s) failed", job_id, kind)

    # -- real-time worker ---------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stopping:
            now = self._real_time()
            rows = self.store.execute(
                "SELECT id, kind, due_at, payload FROM scheduled_jobs WHERE test_clock IS NULL"
                " ORDER BY due_at, id LIMIT 1"
            )
            if rows and rows[0][2] <= now:
                job_id, kind, _, payload = rows[0]
                self._execute(job_id, kind, payload)
                continue
            self._sleep(min(rows[0][2] - now, 1.0) if rows else 1.0)
