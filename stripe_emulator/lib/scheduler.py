"""Scheduled work: run a job's handler when its time is reached.

The handlers are fixed when a :class:`Scheduler` is built: it is given the table
``kind -> handler`` (the state's registry, listed in ``backend.registry``), so
which jobs can run never depends on which modules happen to have been imported.
Backends schedule concrete jobs with :meth:`Scheduler.schedule` inside their unit
of work; a kind missing from the table is refused there with
:class:`UnknownJobKindError`, so a job nobody can run is never queued. A job
without a test clock runs in a background thread when real time passes
``due_at``; a job on a test clock runs when that clock is advanced past
``due_at`` (see ``backend.test_clocks``). Jobs live in SQLite, so a restart with
the same database keeps them (a database holding jobs of a kind this build does
not know is refused when the scheduler is built). Handlers run in their own unit
of work with no API request (events they emit have ``request.id`` null).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from stripe_emulator.lib.storage import Store, register_ddl
from stripe_emulator.lib.worker import BackgroundWorker

log = logging.getLogger(__name__)

#: ``handler(state, payload)``; ``state`` is the backend's ``EmulatorState``.
WorkHandler = Callable[[Any, dict[str, Any]], None]
#: ``run(handler, payload)``: runs one job in its own unit of work (supplied by the state).
JobRunner = Callable[[WorkHandler, dict[str, Any]], None]

register_ddl(
    "CREATE TABLE IF NOT EXISTS scheduled_jobs (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " kind TEXT NOT NULL, job_key TEXT, due_at REAL NOT NULL, test_clock TEXT,"
    " payload TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_scheduled_jobs_due ON scheduled_jobs(test_clock, due_at)",
    "CREATE INDEX IF NOT EXISTS ix_scheduled_jobs_key ON scheduled_jobs(kind, job_key)",
)


class UnknownJobKindError(LookupError):
    """Work of a kind the scheduler has no handler for: a programming error, never dropped."""

    def __init__(self, kinds: Iterable[str], known: Iterable[str], where: str) -> None:
        self.kinds = sorted(kinds)
        names = ", ".join(repr(kind) for kind in self.kinds)
        super().__init__(f"{where}: no handler for scheduled work {names}"
                         f" (known kinds: {', '.join(sorted(known)) or 'none'})")


class Scheduler(BackgroundWorker):
    """Persistent job queue plus the real-time worker thread."""

    def __init__(
        self,
        store: Store,
        handlers: Mapping[str, WorkHandler],
        run_job: JobRunner,
        real_time: Callable[[], float],
    ) -> None:
        super().__init__("emulator-scheduler")
        self.store = store
        # Copied: the kinds this scheduler runs are fixed for its whole life, so a kind
        # accepted by schedule() is still runnable when its job comes due.
        self._handlers = dict(handlers)
        self._run_job = run_job
        self._real_time = real_time
        self._refuse_unknown_stored_jobs()

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of work this scheduler can run."""
        return frozenset(self._handlers)

    def handler(self, kind: str) -> WorkHandler:
        """The handler of ``kind``; :class:`UnknownJobKindError` if there is none."""
        try:
            return self._handlers[kind]
        except KeyError:
            raise UnknownJobKindError([kind], self._handlers, "scheduler") from None

    def _refuse_unknown_stored_jobs(self) -> None:
        """Refuse a database holding jobs no handler here can run (written by another build).

        Failing now, when the emulator starts, beats the alternatives: silently deleting
        the jobs (work lost) or failing later in the worker thread, far from the cause.
        """
        stored = {row[0] for row in self.store.execute("SELECT DISTINCT kind FROM scheduled_jobs")}
        unknown = stored - self._handlers.keys()
        if unknown:
            raise UnknownJobKindError(unknown, self._handlers,
                                      f"the database {self.store.path} holds queued jobs")

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

        ``key`` (e.g. an invoice id) lets :meth:`cancel` drop the job later. An unknown
        ``kind`` raises :class:`UnknownJobKindError` (rolling the caller's unit of work back).
        """
        self.handler(kind)
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO scheduled_jobs (kind, job_key, due_at, test_clock, payload)"
                " VALUES (?, ?, ?, ?, ?)",
                (kind, key, float(due_at), test_clock, json.dumps(payload)),
            )
            self.store.after_commit(self._notify)

    def cancel(self, kind: str, key: str) -> None:
        """Drop pending jobs of ``kind`` scheduled with ``key``.

        An unknown ``kind`` raises rather than matching nothing: it can only be a typo.
        """
        self.handler(kind)
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
        # Known by construction: schedule() and the start-up check only let known kinds in
        # (short of another process with other kinds sharing the file: then raising, with
        # the job left in place for it, beats dropping that work).
        handler = self.handler(kind)
        with self.store.transaction():
            self.store.execute("DELETE FROM scheduled_jobs WHERE id = ?", (job_id,))
        try:
            self._run_job(handler, json.loads(payload))
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
