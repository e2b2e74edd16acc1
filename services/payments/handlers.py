"""What each payment event does to the app database.

Four event types matter (see issue 5):

- ``invoice.paid`` → one fulfilment row per invoice (whatever the number of
  deliveries or event ids) and one confirmation email;
- ``invoice.payment_succeeded`` → a note on the invoice's history only (the sale is
  counted from ``invoice.paid``, never twice);
- ``payment_intent.processing`` → the invoice shows "payment pending" and a
  "being processed" notice is queued;
- ``invoice.payment_failed`` → the invoice shows "needs attention" and a "please try
  again" email with the hosted invoice link is queued.

Events may arrive in any order, so the invoice's state is decided from facts, not
arrival: "paid" is final, and otherwise the fact with the newer event time wins
(a failure wins a tie with a pending debit, since a debit fails after it starts).

Handlers run inside the transaction that marks the event handled; anything that
needs the network (finding the invoice of a payment intent) is done beforehand in
:meth:`PaymentHandlers.prepare`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from sqlalchemy import Connection

from services.core.clock import naive_utc
from services.payments import notices, store
from services.payments.outbox import Outbox
from services.payments.tables import NEEDS_ATTENTION, PAID, PENDING

CARD = "card"
BANK_DEBIT = "bank debit"
OUT_OF_BAND = "out of band"
NO_PAYMENT_NEEDED = "no payment needed"  # a 0.00 invoice: Stripe marks it paid, nothing charged

HANDLED_TYPES: Final = (
    "invoice.paid",
    "invoice.payment_succeeded",
    "payment_intent.processing",
    "invoice.payment_failed",
)


class InvoiceDirectory(Protocol):
    """Looks up what an event does not carry (implemented over the Stripe API)."""

    def invoice_for_payment_intent(self, payment_intent_id: str) -> str | None:
        """The id of the invoice a payment intent pays, or None."""

    def invoice(self, invoice_id: str) -> dict[str, Any] | None:
        """The invoice as it is now, or None when it cannot be fetched."""

    def paid_how(self, invoice_id: str) -> str | None:
        """``card`` / ``bank debit`` / ``out of band`` from the invoice's payments, or None."""


@dataclass(frozen=True)
class Prepared:
    """Facts gathered before the transaction (possibly over the network)."""

    invoice_id: str | None = None
    invoice: dict[str, Any] | None = None
    paid_how: str | None = None


@dataclass(frozen=True)
class HandlerOutcome:
    """What a handler did, in one sentence for the activity page."""

    summary: str
    invoice_id: str | None = None
    ignored: bool = False


def event_object(event: Mapping[str, Any]) -> dict[str, Any]:
    """The ``data.object`` of an event (empty when absent)."""
    data = event.get("data") or {}
    obj = data.get("object") if isinstance(data, Mapping) else None
    return dict(obj) if isinstance(obj, Mapping) else {}


def linked_invoice_id(event: Mapping[str, Any]) -> str | None:
    """The invoice an event is about, from the event alone (no network)."""
    obj = event_object(event)
    if obj.get("object") == "invoice":
        return obj.get("id")
    # A PaymentIntent at API 2026-10-28 has no `invoice` field; older shapes and
    # integrations that tag their intents still name it, so use it when present.
    invoice = obj.get("invoice") or (obj.get("metadata") or {}).get("invoice")
    return invoice if isinstance(invoice, str) and invoice else None


def _customer_id(invoice: Mapping[str, Any]) -> str | None:
    customer = invoice.get("customer")
    if isinstance(customer, Mapping):
        return customer.get("id")
    return customer


def _summary(invoice: Mapping[str, Any], amount: int) -> notices.InvoiceSummary:
    return notices.InvoiceSummary(
        invoice_id=invoice["id"],
        number=invoice.get("number"),
        customer_name=invoice.get("customer_name"),
        amount=amount,
        currency=invoice.get("currency") or "usd",
        hosted_invoice_url=invoice.get("hosted_invoice_url"),
    )


class PaymentHandlers:
    """Applies one event to the database inside the caller's transaction."""

    def __init__(self, outbox: Outbox, clock: Callable[[], datetime]) -> None:
        self._outbox = outbox
        self._clock = clock

    def prepare(self, event: Mapping[str, Any], directory: InvoiceDirectory | None) -> Prepared:
        """Network lookups the handler needs; never raises for a lookup that fails."""
        event_type = event.get("type")
        obj = event_object(event)
        if event_type == "payment_intent.processing":
            invoice_id = linked_invoice_id(event)
            if invoice_id is None and directory is not None and obj.get("id"):
                invoice_id = directory.invoice_for_payment_intent(obj["id"])
            invoice = directory.invoice(invoice_id) if directory and invoice_id else None
            return Prepared(invoice_id=invoice_id, invoice=invoice)
        if event_type == "invoice.paid" and directory is not None and obj.get("id"):
            return Prepared(invoice_id=obj["id"], paid_how=directory.paid_how(obj["id"]))
        if event_type == "invoice.payment_failed" and directory is not None and obj.get("id"):
            # The event is a snapshot at failure time; Stripe knows whether it was paid since.
            return Prepared(invoice_id=obj["id"], invoice=directory.invoice(obj["id"]))
        return Prepared(invoice_id=linked_invoice_id(event))

    def apply(
        self, conn: Connection, event: Mapping[str, Any], prepared: Prepared
    ) -> HandlerOutcome:
        """Run the handler for the event's type."""
        handler = {
            "invoice.paid": self._invoice_paid,
            "invoice.payment_succeeded": self._payment_succeeded,
            "payment_intent.processing": self._payment_processing,
            "invoice.payment_failed": self._payment_failed,
        }.get(str(event.get("type")))
        if handler is None:
            return HandlerOutcome(
                f"Not a payment event we act on ({event.get('type')})", ignored=True
            )
        return handler(conn, event, prepared)

    # -- handlers ---------------------------------------------------------------------

    def _invoice_paid(
        self, conn: Connection, event: Mapping[str, Any], prepared: Prepared
    ) -> HandlerOutcome:
        invoice = event_object(event)
        invoice_id = invoice["id"]
        paid_at = (invoice.get("status_transitions") or {}).get("paid_at")
        self._set_state(conn, invoice, PAID, paid_at or event["created"])
        paid_how = prepared.paid_how or self._paid_how_from_history(conn, invoice)
        amount = int(invoice.get("amount_paid") or 0)
        if _nothing_due(invoice):
            paid_how = NO_PAYMENT_NEEDED
        inserted = store.record_sale(
            conn,
            {
                "invoice_id": invoice_id,
                "invoice_number": invoice.get("number"),
                "customer_id": _customer_id(invoice),
                "customer_email": invoice.get("customer_email"),
                "amount_paid": amount,
                "currency": invoice.get("currency") or "usd",
                "paid_at": datetime.fromtimestamp(paid_at, UTC).replace(tzinfo=None)
                if paid_at
                else None,
                "paid_how": paid_how,
                "event_id": event["id"],
                "recorded_at": naive_utc(self._clock()),
            },
        )
        if not inserted:
            self._note(
                conn, invoice_id, event, "invoice.paid received again; already in the sales log"
            )
            return HandlerOutcome("Already in the sales log; nothing more done", invoice_id)
        money = notices.format_money(amount, invoice.get("currency") or "usd")
        if paid_how == NO_PAYMENT_NEEDED:  # nothing was received: no "thank you" for 0.00
            self._note(conn, invoice_id, event, f"Paid: no payment needed ({money} due)")
            return HandlerOutcome(f"No payment needed ({money} invoice); recorded as paid",
                                  invoice_id)
        summary = _summary(invoice, amount)
        subject, body = notices.payment_confirmation(summary, paid_at)
        self._outbox.queue(
            conn,
            dedupe_key=f"paid:{invoice_id}",
            kind="payment confirmation",
            recipient=invoice.get("customer_email"),
            subject=subject,
            body=body,
            invoice_id=invoice_id,
        )
        self._note(conn, invoice_id, event, f"Paid {money} ({paid_how}); sale recorded")
        return HandlerOutcome(
            f"Sale recorded: {money} by {paid_how}; confirmation queued for "
            f"{invoice.get('customer_email') or 'nobody (no email)'}",
            invoice_id,
        )

    def _payment_succeeded(
        self, conn: Connection, event: Mapping[str, Any], _: Prepared
    ) -> HandlerOutcome:
        invoice = event_object(event)
        invoice_id = invoice["id"]
        paid_at = (invoice.get("status_transitions") or {}).get("paid_at")
        if invoice.get("status") == PAID:
            self._set_state(conn, invoice, PAID, paid_at or event["created"])
        if _nothing_due(invoice):  # Stripe "collects" a 0.00 invoice without charging
            self._note(conn, invoice_id, event, "No payment needed (nothing was due)")
            return HandlerOutcome("Noted: a 0.00 invoice needs no payment", invoice_id)
        # Stripe collected this payment, so it was not recorded out of band.
        store.set_paid_how(conn, invoice_id, CARD, only_if=OUT_OF_BAND)
        self._note(conn, invoice_id, event, "Payment collected by Stripe")
        return HandlerOutcome(
            "Noted on the invoice history (the sale counts from invoice.paid)", invoice_id
        )

    def _payment_processing(
        self, conn: Connection, event: Mapping[str, Any], prepared: Prepared
    ) -> HandlerOutcome:
        intent = event_object(event)
        invoice_id = prepared.invoice_id
        if invoice_id is None:
            return HandlerOutcome(
                f"Payment {intent.get('id')} is processing but pays no invoice we know of",
                ignored=True,
            )
        invoice = dict(prepared.invoice or {"id": invoice_id})
        invoice["customer_email"] = invoice.get("customer_email") or intent.get("receipt_email")
        invoice["currency"] = invoice.get("currency") or intent.get("currency")
        self._note(conn, invoice_id, event, f"Bank debit {intent.get('id')} started")
        previous: str | None
        if _paid_now(prepared):
            applied, previous = False, PAID  # settled before we got here: stays paid
        else:
            applied, previous = self._set_state(conn, invoice, PENDING, event["created"])
        if previous == PAID:
            store.set_paid_how(conn, invoice_id, BANK_DEBIT)
            return HandlerOutcome(
                "Invoice already paid; it stays paid (paid by bank debit)", invoice_id
            )
        if not applied:
            return HandlerOutcome(f"A newer fact stands ({previous}); noted only", invoice_id)
        state = store.payment_state(conn, invoice_id)
        amount = int(intent.get("amount") or (state.amount_due if state else 0) or 0)
        summary = notices.InvoiceSummary(
            invoice_id=invoice_id,
            number=state.invoice_number if state else None,
            customer_name=invoice.get("customer_name"),
            amount=amount,
            currency=intent.get("currency") or (state.currency if state else "usd"),
        )
        subject, body = notices.payment_processing(summary)
        recipient = (state.customer_email if state else None) or intent.get("receipt_email")
        self._outbox.queue(
            conn,
            dedupe_key=f"processing:{intent.get('id')}",
            kind="payment processing",
            recipient=recipient,
            subject=subject,
            body=body,
            invoice_id=invoice_id,
        )
        return HandlerOutcome(
            f"Payment pending; 'being processed' notice queued for "
            f"{recipient or 'nobody (no email)'}",
            invoice_id,
        )

    def _payment_failed(
        self, conn: Connection, event: Mapping[str, Any], prepared: Prepared
    ) -> HandlerOutcome:
        invoice = event_object(event)
        invoice_id = invoice["id"]
        attempt = invoice.get("attempt_count")
        failure = f"Payment attempt {attempt} failed" if attempt else "Payment failed"
        self._note(conn, invoice_id, event, failure)
        if _paid_now(prepared):
            return HandlerOutcome(
                "An old failure; the invoice is paid now and stays paid", invoice_id
            )
        applied, previous = self._set_state(
            conn, invoice, NEEDS_ATTENTION, event["created"], detail=failure
        )
        if not applied:
            return HandlerOutcome(f"An old failure; the invoice stays {previous}", invoice_id)
        amount = int(invoice.get("amount_remaining") or invoice.get("amount_due") or 0)
        subject, body = notices.payment_failed(_summary(invoice, amount))
        self._outbox.queue(
            conn,
            dedupe_key=f"failed:{invoice_id}:{attempt or event['id']}",
            kind="payment failed",
            recipient=invoice.get("customer_email"),
            subject=subject,
            body=body,
            invoice_id=invoice_id,
        )
        return HandlerOutcome(
            "Needs attention; 'please try again' email queued for "
            f"{invoice.get('customer_email') or 'nobody (no email)'}",
            invoice_id,
        )

    # -- state, history -------------------------------------------------------------

    def _set_state(
        self,
        conn: Connection,
        invoice: Mapping[str, Any],
        state: str,
        fact_at: int,
        *,
        detail: str | None = None,
    ) -> tuple[bool, str | None]:
        """Move the invoice to ``state`` if the fact is newer; return (applied, previous)."""
        invoice_id = invoice["id"]
        contact = {
            key: value
            for key, value in {
                "invoice_number": invoice.get("number"),
                "customer_id": _customer_id(invoice),
                "customer_email": invoice.get("customer_email"),
                "amount_due": invoice.get("amount_due"),
                "currency": invoice.get("currency"),
                "hosted_invoice_url": invoice.get("hosted_invoice_url"),
            }.items()
            if value is not None
        }
        now = naive_utc(self._clock())
        values = {"state": state, "fact_at": int(fact_at), "detail": detail, "updated_at": now}
        if store.insert_payment_state(conn, {"invoice_id": invoice_id, **contact, **values}):
            return True, None
        current = store.payment_state(conn, invoice_id)
        if current is None:  # the insert above found a row in this very transaction
            raise RuntimeError(f"payment state of {invoice_id} vanished inside a transaction")
        applied = _newer(current.state, current.fact_at, state, int(fact_at))
        changes = {**contact, **(values if applied else {"updated_at": now})}
        store.update_payment_state(conn, invoice_id, changes)
        return applied, current.state

    def _paid_how_from_history(self, conn: Connection, invoice: Mapping[str, Any]) -> str:
        rows = store.history_event_types(conn, invoice["id"])
        attempts = [t for t in rows if t in ("payment_intent.processing", "invoice.payment_failed")]
        if attempts and attempts[-1] == "payment_intent.processing":
            return BANK_DEBIT  # the latest attempt was a debit that had not failed
        if "invoice.payment_succeeded" in rows or invoice.get("attempted"):
            return CARD
        return OUT_OF_BAND

    def _note(self, conn: Connection, invoice_id: str, event: Mapping[str, Any], note: str) -> None:
        store.add_history_note(
            conn,
            invoice_id=invoice_id,
            event_id=event.get("id"),
            event_type=event.get("type"),
            occurred_at=event.get("created"),
            note=note,
            recorded_at=self._clock(),
        )


def _nothing_due(invoice: Mapping[str, Any]) -> bool:
    """A 0.00 invoice (nothing due, nothing paid): Stripe marks it paid on finalizing."""
    return int(invoice.get("amount_due") or 0) == 0 and int(invoice.get("amount_paid") or 0) == 0


def _paid_now(prepared: Prepared) -> bool:
    """Whether Stripe, asked just now, says the invoice is paid."""
    return prepared.invoice is not None and prepared.invoice.get("status") == PAID


def _newer(current_state: str, current_at: int, state: str, fact_at: int) -> bool:
    """Whether a fact (``state`` at ``fact_at``) replaces the current one."""
    if current_state == PAID:
        return state == PAID  # paid is final; a late pending or failure changes nothing
    if state == PAID or fact_at > current_at:
        return True
    if fact_at == current_at:
        return state in (NEEDS_ATTENTION, current_state)
    return False
