"""A background worker thread that sleeps until woken or its next due time.

The scheduler (timed jobs) and the webhook dispatcher (deliveries) both run
one of these: :meth:`start` and :meth:`stop` manage the thread, :meth:`_notify`
wakes it when new work is queued, and the subclass's :meth:`_loop` calls
:meth:`_sleep` between rounds.
"""

from __future__ import annotations

import threading


class BackgroundWorker:
    """Thread lifecycle shared by the emulator's background workers."""

    def __init__(self, thread_name: str, join_timeout: float = 5.0) -> None:
        self._thread_name = thread_name
        self._join_timeout = join_timeout
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=self._thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self._join_timeout)
            self._thread = None

    def _notify(self) -> None:
        with self._wake:
            self._wake.notify_all()

    def _sleep(self, seconds: float) -> None:
        """Wait up to ``seconds`` (at least 5 ms) unless woken or stopping."""
        with self._wake:
            if not self._stopping:
                self._wake.wait(timeout=max(seconds, 0.005))

    def _loop(self) -> None:
        raise NotImplementedError
