"""Idempotent POSTs: the first answer for an ``Idempotency-Key`` is replayed for 24 h.

* same key, same parameters → the stored status and body again (errors too),
  with ``Idempotent-Replayed: true`` and ``Original-Request``;
* same key, other parameters → 400 ``idempotency_error``;
* same key while the first request still runs → 409 ``idempotency_key_in_use``;
* parameter-validation failures are not saved (a retry may succeed).

Handled entirely by the HTTP edge: endpoints need do nothing.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stripe_emulator.lib.errors import (
    ConflictError,
    IdempotencyError,
    StripeError,
    error_body,
)
from stripe_emulator.lib.storage import Store, register_ddl

RETENTION_SECONDS = 24 * 3600

register_ddl(
    "CREATE TABLE IF NOT EXISTS idempotency_records (idempotency_key TEXT PRIMARY KEY,"
    " fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,"
    " request_id TEXT NOT NULL, created REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_idempotency_created ON idempotency_records(created)",
)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, JSON body, extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
    """What "the same parameters" means: method, path and decoded parameters."""
    canonical = json.dumps([method, path, params], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyLedger:
    """Stored first answers and the keys currently being processed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._in_flight: set[str] = set()
        self._guard = threading.Lock()

    def run(
        self,
        key: str,
        print_: str,
        request_id: str,
        work: Callable[[], Answer],
    ) -> Answer:
        """Answer a keyed POST: replay, refuse, or run ``work`` and remember its answer."""
        with self._guard:
            if key in self._in_flight:
                raise ConflictError(
                    "There is currently another in-progress request using this Stripe-"
                    "Idempotency-Key. Please try again later.",
                    code="idempotency_key_in_use",
                )
            stored = self._lookup(key)
            if stored is not None:
                return self._replay(key, print_, stored)
            self._in_flight.add(key)
        try:
            try:
                answer = work()
            except StripeError as error:
                if error.saved_for_idempotency:
                    self._save(key, print_, error.http_status,
                               error_body(error, request_id), request_id)
                raise
            self._save(key, print_, answer.status, answer.body, request_id)
            return answer
        finally:
            with self._guard:
                self._in_flight.discard(key)

    def _lookup(self, key: str) -> tuple[str, int, str, str] | None:
        rows = self.store.execute(
            "SELECT fingerprint, status, body, request_id FROM idempotency_records"
            " WHERE idempotency_key = ? AND created >= ?",
            (key, time.time() - RETENTION_SECONDS),
        )
        return rows[0] if rows else None

    def _replay(self, key: str, print_: str, stored: tuple[str, int, str, str]) -> Answer:
        stored_print, status, body, first_request = stored
        if stored_print != print_:
            raise IdempotencyError(
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request."
            )
        return Answer(status, json.loads(body),
                      {"Idempotent-Replayed": "true", "Original-Request": first_request})

    def _save(self, key: str, print_: str, status: int, body: dict[str, Any],
              request_id: str) -> None:
        now = time.time()
        with self.store.transaction():
            self.store.execute(
                "INSERT OR REPLACE INTO idempotency_records (idempotency_key, fingerprint,"
                " status, body, request_id, created) VALUES (?, ?, ?, ?, ?, ?)",
                (key, print_, status, json.dumps(body), request_id, now),
            )
            self.store.execute(
                "DELETE FROM idempotency_records WHERE created < ?", (now - RETENTION_SECONDS,)
            )
