"""Resending the "payment failed, please try again" email, by a person, audited.

An invoice whose payment failed shows "needs attention"; a clerk may queue the
email with the hosted payment link again. The same form submitted twice queues one
email (the form's nonce is part of the outbox's dedupe key). Every attempt, allowed
or refused, leaves an audit row.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from services.core.access import Action, Actor, require
from services.core.audit import FAILURE, SUCCESS, AuditLog
from services.core.clock import Clock
from services.core.database import write_transaction
from services.core.errors import DashboardError, InvalidInput, NotAllowedInState, NotFound
from services.payments import store
from services.payments.notices import InvoiceSummary, payment_failed
from services.payments.outbox import Outbox
from services.payments.tables import NEEDS_ATTENTION

OPERATION = "resend_payment_link"


class PaymentLinkResender:
    """Queues the payment-link email again for an invoice that needs attention."""

    def __init__(
        self,
        engine: Engine,
        outbox: Outbox,
        clock: Clock,
        wake: Callable[[], None],
        audit: AuditLog | None = None,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._clock = clock
        self._wake = wake
        self._audit = audit

    def resend(self, actor: Actor, invoice_id: str, *, form_nonce: str) -> None:
        """Queue the email; raises the project's errors (field ``invoice_id`` or
        ``form_nonce``); audited either way."""
        try:
            self._queue(actor, invoice_id, form_nonce)
        except DashboardError as err:
            self._record(actor, invoice_id, form_nonce, FAILURE, f"{type(err).__name__}: {err}")
            raise
        self._record(actor, invoice_id, form_nonce, SUCCESS, None)
        self._wake()

    def _queue(self, actor: Actor, invoice_id: str, form_nonce: str) -> None:
        require(actor, Action.RESEND_PAYMENT_NOTICE)
        if not form_nonce:
            raise InvalidInput("The form is missing its nonce", field="form_nonce")
        state = store.state_row(self._engine, invoice_id)
        if state is None:
            raise NotFound(f"No payment events for invoice {invoice_id}", field="invoice_id")
        if state.state != NEEDS_ATTENTION:
            raise NotAllowedInState(
                f"Invoice {invoice_id} does not need attention ({state.state})", field="invoice_id"
            )
        summary = InvoiceSummary(
            invoice_id=invoice_id,
            number=state.invoice_number,
            customer_name=None,
            amount=int(state.amount_due or 0),
            currency=state.currency or "usd",
            hosted_invoice_url=state.hosted_invoice_url,
        )
        subject, body = payment_failed(summary, reminder=True)
        with write_transaction(self._engine) as conn:
            queued = self._outbox.queue(
                conn,
                dedupe_key=f"resend:{invoice_id}:{form_nonce}",
                kind="payment link resent",
                recipient=state.customer_email,
                subject=subject,
                body=body,
                invoice_id=invoice_id,
            )
            if queued:
                store.note_resend(conn, invoice_id, actor.username, self._clock())

    def _record(
        self, actor: Actor, invoice_id: str, nonce: str, outcome: str, error: str | None
    ) -> None:
        if self._audit is not None:
            self._audit.record(actor=actor, action=OPERATION, outcome=outcome,
                               object_id=invoice_id, idempotency_key=f"resend:{nonce}",
                               error=error)
