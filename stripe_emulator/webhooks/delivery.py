"""Delivery of events to webhook endpoints: queued in SQLite, POSTed by a worker thread.

Emitting an event only inserts delivery rows inside the caller's unit of work,
so an API call is never delayed by a receiver. The worker POSTs the event JSON
signed with ``Stripe-Signature``; a 2xx answer acknowledges it (the event's
``pending_webhooks`` goes down), anything else is retried with exponential
backoff (``retry_base_seconds × 2^attempt``, capped at one hour) until
``max_attempts``.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stripe_emulator.lib.storage import Store, register_ddl
from stripe_emulator.lib.worker import BackgroundWorker
from stripe_emulator.models.event import EVENTS
from stripe_emulator.models.webhook_endpoint import WEBHOOK_ENDPOINTS, listens_to
from stripe_emulator.webhooks.signing import signature_header

log = logging.getLogger(__name__)

register_ddl(
    "CREATE TABLE IF NOT EXISTS webhook_deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " event_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, status TEXT NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,"
    " last_http_status INTEGER, last_error TEXT)",
    "CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_due"
    " ON webhook_deliveries(status, next_attempt_at)",
)


@dataclass(frozen=True)
class RetryPolicy:
    """How failed deliveries are retried."""

    retry_base_seconds: float = 1.0
    max_attempts: int = 8
    max_delay_seconds: float = 3600.0
    timeout_seconds: float = 10.0

    def delay_after(self, attempts: int) -> float:
        return min(self.retry_base_seconds * (2 ** (attempts - 1)), self.max_delay_seconds)


class WebhookDispatcher(BackgroundWorker):
    """Queues deliveries for matching endpoints and runs the delivery worker."""

    def __init__(self, store: Store, real_time: Callable[[], float],
                 policy: RetryPolicy | None = None) -> None:
        self.store = store
        self.policy = policy or RetryPolicy()
        super().__init__("emulator-webhooks", join_timeout=self.policy.timeout_seconds + 5)
        self._real_time = real_time

    def enqueue(self, event: dict[str, Any]) -> int:
        """Queue ``event`` for every endpoint that listens to it; returns how many."""
        endpoints = [e for e in self.store.select(WEBHOOK_ENDPOINTS)
                     if listens_to(e, event["type"])]
        now = self._real_time()
        with self.store.transaction():
            for endpoint in endpoints:
                self.store.execute(
                    "INSERT INTO webhook_deliveries (event_id, endpoint_id, status,"
                    " next_attempt_at) VALUES (?, ?, 'pending', ?)",
                    (event["id"], endpoint["id"], now),
                )
            if endpoints:
                self.store.after_commit(self._notify)
        return len(endpoints)

    def deliveries_of(self, event_id: str) -> list[dict[str, Any]]:
        """Delivery attempts of one event (for tests and diagnostics)."""
        rows = self.store.execute(
            "SELECT endpoint_id, status, attempts, last_http_status, last_error"
            " FROM webhook_deliveries WHERE event_id = ? ORDER BY id",
            (event_id,),
        )
        keys = ("endpoint_id", "status", "attempts", "last_http_status", "last_error")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    # -- worker -------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stopping:
            now = self._real_time()
            due = self.store.execute(
                "SELECT id, event_id, endpoint_id, attempts FROM webhook_deliveries"
                " WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at,"
                " id LIMIT 20",
                (now,),
            )
            for delivery in due:
                if self._stopping:
                    return
                self._attempt(*delivery)
            if due:
                continue
            upcoming = self.store.execute(
                "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'"
            )
            next_at = upcoming[0][0] if upcoming and upcoming[0][0] is not None else None
            self._sleep(1.0 if next_at is None else min(next_at - now, 1.0))

    def _attempt(self, delivery_id: int, event_id: str, endpoint_id: str, attempts: int) -> None:
        event = self.store.get(EVENTS, event_id)
        endpoint = self.store.get(WEBHOOK_ENDPOINTS, endpoint_id)
        if event is None or endpoint is None:
            self._finish(delivery_id, "failed", attempts, None, "event or endpoint deleted")
            return
        payload = json.dumps(event, indent=2)
        header = signature_header(payload, endpoint["_secret"], int(self._real_time()))
        status, error = self._post(endpoint["url"], payload, header)
        attempts += 1
        if status is not None and 200 <= status < 300:
            self._finish(delivery_id, "succeeded", attempts, status, None)
            self._acknowledge(event_id)
        elif attempts >= self.policy.max_attempts:
            self._finish(delivery_id, "failed", attempts, status, error)
        else:
            retry_at = self._real_time() + self.policy.delay_after(attempts)
            with self.store.transaction():
                self.store.execute(
                    "UPDATE webhook_deliveries SET attempts = ?, next_attempt_at = ?,"
                    " last_http_status = ?, last_error = ? WHERE id = ?",
                    (attempts, retry_at, status, error, delivery_id),
                )

    def _post(self, url: str, payload: str, header: str) -> tuple[int | None, str | None]:
        request = urllib.request.Request(  # noqa: S310 - endpoints are http(s) URLs by validation
            url,
            data=payload.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": header,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.policy.timeout_seconds) as answer:  # noqa: S310
                return answer.status, None
        except urllib.error.HTTPError as failure:
            return failure.code, f"HTTP {failure.code}"
        except (urllib.error.URLError, OSError, ValueError) as failure:
            return None, str(failure)

    def _finish(self, delivery_id: int, status: str, attempts: int,
                http_status: int | None, error: str | None) -> None:
        with self.store.transaction():
            self.store.execute(
                "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_http_status = ?,"
                " last_error = ? WHERE id = ?",
                (status, attempts, http_status, error, delivery_id),
            )

    def _acknowledge(self, event_id: str) -> None:
        with self.store.transaction():
            event = self.store.get(EVENTS, event_id)
            if event is not None and event.get("pending_webhooks", 0) > 0:
                event["pending_webhooks"] -= 1
                self.store.update(EVENTS, event)
