"""Payment events: record each Stripe event once, handle it once, show what was done.

:class:`PaymentEvents` is the service the dashboard holds (``services.payments.events``):

- the webhook endpoint and the poller both call :meth:`PaymentEvents.record`, which
  stores the event under its unique id (a replay stores nothing) and returns whether
  it is new; new events are handed to a small worker thread and handled after the
  HTTP answer;
- :meth:`PaymentEvents.handle_recorded` claims a ``received`` event and applies its
  handler in the same transaction that marks it handled, so concurrent deliveries,
  the webhook and the poller never handle one event twice, and an event recorded
  before a crash is still ``received`` afterwards and gets handled by the next sweep;
- the read models (activity, to-do, outbox, fulfilments, history) are DataFrames.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import stripe
from sqlalchemy import Engine

from services.core.access import Actor
from services.core.audit import AuditLog
from services.core.clock import Clock, naive_utc, utc_now
from services.core.database import ensure_schema, retry_on_conflict, write_transaction
from services.core.errors import InvalidInput, NotAllowedInState, NotFound
from services.payments import cursors, store
from services.payments.handlers import (
    HANDLED_TYPES,
    HandlerOutcome,
    PaymentHandlers,
    event_object,
    linked_invoice_id,
)
from services.payments.invoice_directory import StripeInvoiceDirectory
from services.payments.outbox import DEFAULT_RETRY_DELAYS, Outbox
from services.payments.poller import CURSOR_NAME, FLOOR_NAME, EventPoller
from services.payments.registration import register_emulator_endpoint
from services.payments.resend import PaymentLinkResender
from services.payments.tables import (
    FAILED,
    HANDLED,
    IGNORED,
    PAID,
    RECEIVED,
)
from services.payments.webhook import WebhookReply, receive_delivery
from services.payments.worker import HandlingWorker
from services.readmodel.events import apply_to_read_model
from services.readmodel.sync import OBJECT_EVENT_TYPES, ReadModelSync

log = logging.getLogger(__name__)

DUPLICATE = "duplicate"  # a HandlingResult outcome only: somebody else handled the event


@dataclass(frozen=True)
class HandlingResult:
    """What became of one event: ``outcome`` is handled, ignored, duplicate or failed."""

    event_id: str
    event_type: str
    outcome: str
    summary: str
    invoice_id: str | None = None


def _with_read_model(outcome: HandlerOutcome, note: str | None) -> HandlerOutcome:
    """The handler's outcome, with what the event did to the read model added."""
    if not note:
        return outcome
    summary = f"{outcome.summary}; {note}" if outcome.summary else note
    return HandlerOutcome(summary, outcome.invoice_id, ignored=False)


def validate_event(event: Any) -> dict[str, Any]:
    """Check the shape of a Stripe event; raise :class:`InvalidInput` naming the field."""
    if not isinstance(event, Mapping) or event.get("object") != "event":
        raise InvalidInput(
            "The body is not a Stripe event (object must be 'event')", field="object"
        )
    for field, kind in (("id", str), ("type", str), ("created", int)):
        if not isinstance(event.get(field), kind) or isinstance(event.get(field), bool):
            raise InvalidInput(f"The event has no valid '{field}'", field=field)
    if not event_object(event):
        raise InvalidInput("The event has no data.object", field="data.object")
    return dict(event)


class PaymentEvents:
    """Verified, exactly-once handling of Stripe payment events for the dashboard."""

    def __init__(
        self,
        engine: Engine,
        stripe_client: stripe.StripeClient | None,
        webhook_secret: str | None,
        *,
        smtp_url: str | None = None,
        clock: Clock = utc_now,
        outbox_retry_delays: tuple[float, ...] | None = None,
        sweep_interval: float = 5.0,
        read_model: ReadModelSync | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.webhook_secret = webhook_secret
        self._read_model = read_model
        ensure_schema(engine)
        self._engine = engine
        self._clock = clock
        self._stripe = stripe_client
        self._outbox = Outbox(
            engine,
            smtp_url=smtp_url,
            clock=clock,
            retry_delays=(
                DEFAULT_RETRY_DELAYS if outbox_retry_delays is None else outbox_retry_delays
            ),
        )
        self._handlers = PaymentHandlers(self._outbox, clock)
        self._directory = StripeInvoiceDirectory(stripe_client) if stripe_client else None
        self._worker = HandlingWorker(self, sweep_interval=sweep_interval)
        self._resender = PaymentLinkResender(engine, self._outbox, clock, self._worker.wake,
                                             audit)
        self._poller = (
            EventPoller(stripe_client, engine, self, clock, types=self.poll_types)
            if stripe_client
            else None
        )

    @property
    def subscribed_types(self) -> tuple[str, ...]:
        """The event types this dashboard acts on (payments, and object changes with a
        read model): what its webhook endpoint should be sent."""
        if self._read_model is None:
            return tuple(HANDLED_TYPES)
        return tuple(sorted(set(HANDLED_TYPES) | set(OBJECT_EVENT_TYPES)))

    @property
    def poll_types(self) -> tuple[str, ...] | None:
        """``types`` for ``GET /v1/events`` (Stripe takes at most 20; None lists all)."""
        types = self.subscribed_types
        return types if len(types) <= 20 else None

    @property
    def _not_ours(self) -> str:
        return "Not a payment event" if self._read_model is None else "Not an event we act on"

    def _wanted(self, event_type: str) -> bool:
        return event_type in HANDLED_TYPES or (
            self._read_model is not None and event_type in OBJECT_EVENT_TYPES
        )

    # -- receiving --------------------------------------------------------------------

    def receive_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookReply:
        """One ``POST /webhooks/stripe`` delivery: verify, record once, queue; blocking.

        See :func:`services.payments.webhook.receive_delivery` for the statuses.
        """
        return receive_delivery(self, body, headers)

    def start_background(self, *, poll: bool = False) -> None:
        """Start the worker thread now: it handles events left ``received`` and sends due mail.

        The composition root calls this once at server start; nothing else starts it
        except a submitted event.

        With ``poll=True`` it also reads ``GET /v1/events`` on every sweep (a dashboard
        Stripe cannot reach); this is safe beside the webhook.
        """
        if poll and self._poller is None:
            raise NotAllowedInState("Polling needs a Stripe connection", field="stripe_client")
        if poll:
            self._worker.enable_polling(self.poll_once)
        self._worker.wake()

    def record(self, event: Mapping[str, Any], *, source: str, raw: str | None = None) -> bool:
        """Store ``event`` once under its id; True when it was not seen before."""
        event = validate_event(event)
        is_payment_event = self._wanted(event["type"])
        obj = event_object(event)
        now = naive_utc(self._clock())
        values = {
            "event_id": event["id"],
            "event_type": event["type"],
            "object_id": obj.get("id"),
            "invoice_id": linked_invoice_id(event),
            "event_created": event["created"],
            "source": source,
            "payload": raw if raw is not None else json.dumps(event, default=str),
            "received_at": now,
            "handled_at": None if is_payment_event else now,
            "outcome": RECEIVED if is_payment_event else IGNORED,
            "summary": None if is_payment_event else f"{self._not_ours} ({event['type']})",
        }
        with write_transaction(self._engine) as conn:
            return store.record_event(conn, values)

    def use_emulator_endpoint(self, url: str) -> str:
        """Emulator mode: register ``url`` for the payment events and verify with its secret."""
        if self._stripe is None:
            raise NotAllowedInState(
                "Registering an endpoint needs a Stripe connection", field="stripe_client"
            )
        self.webhook_secret = register_emulator_endpoint(
            self._stripe, url, self._engine, types=self.subscribed_types
        )
        return self.webhook_secret

    def submit(self, event_id: str, event: Mapping[str, Any] | None = None) -> None:
        """Hand a recorded event to the worker thread (handled after the HTTP answer)."""
        self._worker.submit(event_id, event)

    def handle_event(self, event: Mapping[str, Any], *, source: str = "direct") -> HandlingResult:
        """Record and handle ``event`` now (the core used by tests and the poller)."""
        event = validate_event(event)
        if not self.record(event, source=source):
            return HandlingResult(
                event["id"],
                event["type"],
                DUPLICATE,
                "Already received; nothing more done",
                linked_invoice_id(event),
            )
        result = self.handle_recorded(event["id"], event=event)
        if result.outcome == DUPLICATE:  # the worker's sweep got to it first: report its work
            row = store.event_row(self._engine, event["id"])
            if row is None:  # recorded above and never deleted: the database lost it
                raise NotFound(f"Event {event['id']} vanished while handled", field="event_id")
            result = HandlingResult(
                event["id"],
                event["type"],
                row.outcome,
                row.summary or row.error or "",
                row.invoice_id,
            )
        return result

    def handle_recorded(
        self, event_id: str, *, event: Mapping[str, Any] | None = None
    ) -> HandlingResult:
        """Handle a recorded event if nobody has; safe to call from many threads.

        ``event`` is the recorded event when the caller has it at hand (the webhook),
        which saves reading it back; the claim below decides who handles it either way.
        """
        if event is None:
            row = store.event_row(self._engine, event_id)
            if row is None:
                raise NotFound(f"No event {event_id} was received", field="event_id")
            if row.outcome != RECEIVED:
                return HandlingResult(
                    event_id,
                    row.event_type,
                    DUPLICATE,
                    row.summary or "Already handled",
                    row.invoice_id,
                )
            payload: Any = row.payload
            event_type, invoice_id = row.event_type, row.invoice_id
        else:
            payload = event
            event_type, invoice_id = str(event.get("type")), linked_invoice_id(event)
        try:
            event = json.loads(payload) if isinstance(payload, str) else payload
            # Everything that needs the network happens before the transaction.
            is_payment = event_type in HANDLED_TYPES
            prepared = self._handlers.prepare(event, self._directory) if is_payment else None
            snapshots = (
                self._read_model.snapshots_for_event(
                    event, received_at=store.received_at(self._engine, event_id)
                )
                if self._read_model
                else []
            )

            def in_one_transaction() -> HandlerOutcome | None:
                with write_transaction(self._engine) as conn:
                    if not store.claim_event(conn, event_id, HANDLED):
                        return None
                    done = (
                        self._handlers.apply(conn, event, prepared)
                        if prepared is not None
                        else HandlerOutcome("", ignored=not snapshots)
                    )
                    if self._read_model is not None:
                        done = _with_read_model(done, apply_to_read_model(conn, event, snapshots))
                    store.finish_event(
                        conn,
                        event_id,
                        outcome=IGNORED if done.ignored else HANDLED,
                        summary=done.summary,
                        invoice_id=done.invoice_id or invoice_id,
                        handled_at=self._clock(),
                    )
                    return done

            handled = retry_on_conflict(in_one_transaction)
            if handled is None:
                return HandlingResult(
                    event_id, event_type, DUPLICATE, "Handled by another worker", invoice_id
                )
            outcome = handled
        except Exception as err:  # the event must stay visible, with the reason
            log.exception("handling %s failed", event_id)
            store.fail_event(
                self._engine, event_id, f"{type(err).__name__}: {err}", self._clock()
            )
            return HandlingResult(event_id, event_type, FAILED, str(err), invoice_id)
        return HandlingResult(
            event_id,
            event_type,
            IGNORED if outcome.ignored else HANDLED,
            outcome.summary,
            outcome.invoice_id or invoice_id,
        )

    def handle_unhandled(self, limit: int = 500) -> int:
        """Handle events left ``received`` (e.g. by a crash); return how many were handled."""
        ids = store.unhandled_event_ids(self._engine, limit)
        return sum(
            1 for event_id in ids if self.handle_recorded(event_id).outcome in (HANDLED, IGNORED)
        )

    def retry_failed(self, event_id: str) -> HandlingResult:
        """Handle again an event whose handling failed (after the cause was fixed)."""
        if not store.reopen_failed_event(self._engine, event_id):
            raise NotAllowedInState(
                "Only an event whose handling failed can be retried", field="event_id"
            )
        return self.handle_recorded(event_id)

    def poll_once(self) -> int:
        """Read new events from ``GET /v1/events`` and handle them; return how many."""
        if self._poller is None:
            raise NotAllowedInState("Polling needs a Stripe connection", field="stripe_client")
        return self._poller.poll_once()

    def every(self, task: Callable[[], object], seconds: float) -> None:
        """Run ``task`` on the worker thread once every ``seconds`` (e.g. the catch-up)."""
        self._worker.enable_catch_up(task, seconds)

    def poll_cursor(self) -> int | None:
        """The ``created`` time (Unix seconds) events were read up to, or None."""
        return cursors.poll_cursor(self._engine, CURSOR_NAME)

    def start_polling_at(self, event_id: str, created: int) -> None:
        """Make the next poll read events from ``created`` on (if no cursor yet): what
        happened before is in the objects as listed from then on (a backfill started
        there, or a new account), so no poll's look-back reaches behind it."""
        if self.poll_cursor() is None:
            cursors.save_poll_cursor(self._engine, FLOOR_NAME, event_id, created, self._clock())
            cursors.save_poll_cursor(self._engine, CURSOR_NAME, event_id, created, self._clock())

    def deliver_outbox(self) -> int:
        """Send queued messages that are due (SMTP only); return how many were sent."""
        return self._outbox.deliver_due()

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """Wait until the worker has handled everything submitted; False on timeout."""
        return self._worker.wait_until_idle(timeout)

    def close(self) -> None:
        """Stop the worker thread (events not yet handled stay ``received``)."""
        self._worker.stop()

    # -- actions ----------------------------------------------------------------------

    def resend_payment_link(self, actor: Actor, invoice_id: str, *, form_nonce: str) -> None:
        """Queue the "payment failed, please try again" email again for ``invoice_id``
        (audited; see :mod:`services.payments.resend`)."""
        self._resender.resend(actor, invoice_id, form_nonce=form_nonce)

    # -- read models ------------------------------------------------------------------

    def activity(self, limit: int = 200) -> pd.DataFrame:
        """Events received, newest first, with what was done about each."""
        return store.activity(self._engine, limit)

    def todo(self) -> pd.DataFrame:
        """Invoices whose payment is pending or failed, the failed ones first."""
        return store.todo(self._engine)

    def outbox(self, limit: int = 200) -> pd.DataFrame:
        """Messages to customers, newest first, with status, attempts and last error."""
        return self._outbox.table(limit)

    def retry_message(self, message_id: int) -> None:
        """Try a failed outbox message again."""
        self._outbox.retry(message_id)
        self._worker.wake()

    def fulfilments(self, limit: int = 500) -> pd.DataFrame:
        """The sales log: one row per paid invoice."""
        return store.fulfilments(self._engine, limit)

    def invoice_history(self, invoice_id: str) -> pd.DataFrame:
        """What happened to ``invoice_id``'s payment, oldest first."""
        return store.history(self._engine, invoice_id)

    def invoice_payment_state(self, invoice_id: str) -> str | None:
        """``"payment pending"``, ``"needs attention"``, or None (paid or nothing known)."""
        row = store.state_row(self._engine, invoice_id)
        if row is None or row.state == PAID:
            return None
        return row.state
