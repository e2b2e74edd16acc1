"""One audited, permission-checked, idempotent write to Stripe.

Every service write runs inside :meth:`WriteRecorder.write`::

    with self._writes.write(actor, Action.FINALIZE_INVOICE, "finalize_invoice",
                            object_id=invoice_id, key=key) as write:
        invoice = write.call(lambda: client.v1.invoices.finalize_invoice(...))

which checks the role first (a refusal is audited too), turns Stripe
exceptions into the project's errors, collects Stripe request ids, and appends
exactly one audit row: ``success`` when the block ends normally, ``failure``
with the error text otherwise. Every object Stripe returned (even in a write that
failed later) is handed to ``on_written`` with the time its request started, so
the read model shows the change before the page reruns (read your writes).
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

    def call(self, stripe_request: Callable[[], T]) -> T:
        """Run one SDK call; remember its request id and answer; translate its errors."""
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
    ) -> None:
        self.audit = audit
        self.on_written = on_written

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
        try:
            require(actor, action)
            yield write
        except Exception as exc:
            self._record(actor, operation, write, FAILURE, _error_text(exc))
            self._hand_over(write)
            raise
        self._record(actor, operation, write, SUCCESS, None)
        self._hand_over(write)

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
