"""One audited, permission-checked, idempotent write to Stripe.

Every service write runs inside :meth:`WriteRecorder.write`::

    with self._writes.write(actor, Action.FINALIZE_INVOICE, "finalize_invoice",
                            object_id=invoice_id, key=key) as write:
        invoice = write.call(lambda: client.v1.invoices.finalize_invoice(...))

which checks the role first (a refusal is audited too), notes the write's intent in
the app database before anything is sent (nothing is sent if it cannot be noted;
see :mod:`services.core.intents`), turns Stripe exceptions into the project's
errors, collects Stripe request ids, and appends exactly one audit row:
``success`` when the block ends normally, ``failure`` with the error text otherwise.
Every object Stripe returned (even in a write that failed later) is handed to
``on_written`` with the time its request started, so the read model shows the
change before the page reruns (read your writes).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from services.core.access import Action, Actor, require
from services.core.audit import FAILURE, SUCCESS, AuditLog
from services.core.errors import DashboardError
from services.core.intents import WriteIntents
from services.core.stripe_errors import request_id_of, stripe_call

T = TypeVar("T")
log = logging.getLogger(__name__)

# (request start in microseconds since the epoch, what Stripe returned)
Returned = tuple[int, Any]


@dataclass
class Write:
    """What one write has done so far; the audit row is made from it."""

    object_id: str | None
    key: str | None
    reason: str | None
    request_ids: list[str] = field(default_factory=list)
    returned: list[Returned] = field(default_factory=list)
    on_progress: Callable[[str | None], None] | None = None
    _reported: str | None = None

    def call(self, stripe_request: Callable[[], T]) -> T:
        """Run one SDK call; remember its request id and answer; translate its errors.

        Before the call, the object reached so far (``object_id``, e.g. the draft an
        item goes on) is noted with the intent, so an interrupted write can be named.
        """
        if self.on_progress is not None and self.object_id != self._reported:
            self.on_progress(self.object_id)
            self._reported = self.object_id
        started = time.time_ns() // 1000
        try:
            result = stripe_call(stripe_request)
        except DashboardError as exc:
            if exc.request_id:
                self.request_ids.append(exc.request_id)
            raise
        request_id = request_id_of(result)
        if request_id:
            self.request_ids.append(request_id)
        self.returned.append((started, result))
        return result


class WriteRecorder:
    """Wraps writes with the role check and the audit row."""

    def __init__(
        self,
        audit: AuditLog,
        on_written: Callable[[Sequence[Returned]], None] | None = None,
        intents: WriteIntents | None = None,
    ) -> None:
        self.audit = audit
        self.on_written = on_written
        self.intents = intents

    @contextmanager
    def write(
        self,
        actor: Actor,
        action: Action,
        operation: str,
        *,
        object_id: str | None = None,
        key: str | None = None,
        reason: str | None = None,
    ) -> Iterator[Write]:
        """Check ``actor`` may do ``action``, run the block, audit the outcome."""
        write = Write(object_id=object_id, key=key, reason=reason)
        opened = False
        try:
            require(actor, action)
            if self.intents is not None and key is not None:
                self.intents.open(actor, operation, key, object_id)  # raises: nothing sent
                opened = True
                intents, intent_key = self.intents, key
                write.on_progress = lambda reached: intents.reached(intent_key, reached)
                write._reported = object_id
            yield write
        except Exception as exc:
            if isinstance(exc, DashboardError) and write.returned:
                exc.resumable = True  # part of it is in Stripe: the same key finishes it
            self._record(actor, operation, write, FAILURE, _error_text(exc))
            self._close(write, opened, FAILURE, _error_text(exc))
            self._hand_over(write)
            raise
        self._record(actor, operation, write, SUCCESS, None)
        self._close(write, opened, SUCCESS, None)
        self._hand_over(write)

    def _close(self, write: Write, opened: bool, outcome: str, error: str | None) -> None:
        if not opened or self.intents is None or write.key is None:
            return
        try:
            self.intents.close(write.key, outcome, error)
        except Exception:  # the audit row is written; the open intent is only a reminder
            log.exception("could not close the write intent %s", write.key)

    def _hand_over(self, write: Write) -> None:
        """Give Stripe's answers to ``on_written``; its failure never fails the write."""
        if self.on_written is None or not write.returned:
            return
        try:
            self.on_written(write.returned)
        except Exception:  # the object's event brings the change a moment later
            log.exception("could not store the written objects in the read model")

    def _record(
        self, actor: Actor, operation: str, write: Write, outcome: str, error: str | None
    ) -> None:
        self.audit.record(
            actor=actor,
            action=operation,
            outcome=outcome,
            object_id=write.object_id,
            reason=write.reason,
            idempotency_key=write.key,
            stripe_request_id=" ".join(write.request_ids) or None,
            error=error,
        )


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DashboardError):
        return f"{type(exc).__name__}: {exc}"
    return f"unexpected {type(exc).__name__}: {exc}"
