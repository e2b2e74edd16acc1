"""Credit notes: correct a finalized invoice by lines or by an amount, preview it, void it.

Follows Stripe's "Create a credit note" (https://docs.stripe.com/api/credit_notes/create)
and "Issue credit notes" (https://docs.stripe.com/invoicing/dashboard/credit-notes): a
credit note first lowers what is still owed on an open invoice (its
``pre_payment_amount``); what goes beyond that (``post_payment_amount``, everything on a
paid invoice) must be placed exactly: on the customer's balance (``credit_amount``,
applied to their next invoice) or as a refund made outside Stripe
(``out_of_band_amount``). Refunds through Stripe are not offered: the dashboard takes
no card payments of its own to refund.

A request names the invoice, a ``reason`` (Stripe's four), either invoice lines with
quantities or a custom amount, a memo and where the money goes (:class:`Destination`).
Everything typed is checked before Stripe is asked (:class:`InvalidInput` naming the
field); :meth:`CreditNotes.preview` asks Stripe's ``credit_notes.preview`` for the exact
figures, :meth:`CreditNotes.issue` creates the same credit note with an idempotency key
from the form (a double submit issues one: the credit note's metadata names the form's
key, and a submission already issued is answered with its credit note).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

import stripe
from stripe.params import CreditNoteCreateParams, CreditNoteCreateParamsLine

from services.core import limits
from services.core.access import Action, Actor, Role, can, require
from services.core.errors import InvalidInput, NotAllowedInState, NotFound
from services.core.idempotency import idempotency_key, sub_key
from services.core.models import Invoice, as_mapping, invoice_from_stripe
from services.core.money import format_amount, parse_amount
from services.core.stripe_errors import stripe_call
from services.core.text import clean_text, key_safe
from services.core.writes import WriteRecorder
from services.readmodel.copies import copy_or_reread
from services.readmodel.credit_note_queries import (
    REASON_LABELS,
    CreditNote,
    credit_note_from_stripe,
    credit_notes_of_customer,
    credit_notes_of_invoice,
)
from services.readmodel.sync import INVOICE_RETRIEVE_EXPAND, ReadModelSync

#: Invoices a credit note may be issued on.
CREDIT_NOTE_STATUSES = frozenset({"open", "paid"})
#: Metadata key on the credit note naming the form submission that issued it.
FORM_KEY = "dashboard_credit_note"


class Destination(StrEnum):
    """Where the credited money goes."""

    REDUCE_OWED = "reduce_owed"  # pre-payment: the invoice owes less
    CUSTOMER_BALANCE = "customer_balance"  # credit_amount: off the customer's next invoice
    OUTSIDE_STRIPE = "outside_stripe"  # out_of_band_amount: refunded outside Stripe


DESTINATION_LABELS = {
    Destination.REDUCE_OWED: "Reduce what is owed on this invoice",
    Destination.CUSTOMER_BALANCE: "Credit the customer's balance (taken off their next invoice)",
    Destination.OUTSIDE_STRIPE: "Refund recorded outside Stripe",
}


@dataclass(frozen=True)
class CreditLine:
    """Credit ``quantity`` of the invoice line ``invoice_line_id`` (``il_…``)."""

    invoice_line_id: str
    quantity: int


@dataclass(frozen=True)
class CreditNoteRequest:
    """What the form asks for: ``lines`` or ``amount_text`` (typed in the invoice's
    currency), never both."""

    invoice_id: str
    reason: str | None
    destination: str
    lines: tuple[CreditLine, ...] = ()
    amount_text: str | None = None
    memo: str | None = None


@dataclass(frozen=True)
class CreditNotePreview:
    """Stripe's figures for the credit note before it is issued (minor units of
    ``currency``): its total and taxes, what it takes off what is owed, what goes to the
    customer's balance and outside Stripe, and what the invoice owes before and after."""

    currency: str
    subtotal: int
    tax: int
    total: int
    reduced_owed: int
    to_balance: int
    outside_stripe: int
    remaining_before: int
    remaining_after: int
    number: str | None


def may_issue(invoice: Invoice, role: Role | str) -> bool:
    """Whether ``role`` may issue a credit note on ``invoice`` in its status."""
    return invoice.status in CREDIT_NOTE_STATUSES and can(role, Action.ISSUE_CREDIT_NOTE)


class CreditNotes:
    """Issue, preview, void and list credit notes."""

    def __init__(
        self, client: stripe.StripeClient, writes: WriteRecorder, read_model: ReadModelSync
    ) -> None:
        self._client = client
        self._writes = writes
        self._read_model = read_model

    # -- reading (the read model) ---------------------------------------------------------
    def of_invoice(self, invoice_id: str) -> list[CreditNote]:
        """The invoice's credit notes, oldest first (read model)."""
        return credit_notes_of_invoice(self._read_model.engine, invoice_id)

    def of_customer(self, customer_id: str) -> list[CreditNote]:
        """The customer's credit notes, oldest first (read model)."""
        return credit_notes_of_customer(self._read_model.engine, customer_id)

    # -- preview and issue (Stripe) -------------------------------------------------------
    def preview(self, actor: Actor, request: CreditNoteRequest) -> CreditNotePreview:
        """Stripe's preview of ``request`` (``GET /v1/credit_notes/preview``); nothing is
        issued. Raises :class:`InvalidInput` naming the field, :class:`NotAllowedInState`
        for an invoice that is not open or paid, :class:`PermissionDenied` below approver."""
        require(actor, Action.ISSUE_CREDIT_NOTE)
        invoice, raw_lines = self._live_invoice(request.invoice_id)
        params = self._params(request, invoice, raw_lines)
        note = as_mapping(stripe_call(lambda: self._client.v1.credit_notes.preview(params)))
        return _preview(note, invoice)

    def issue(self, actor: Actor, request: CreditNoteRequest, *, form_nonce: str) -> CreditNote:
        """Issue the credit note ``request`` describes; the same form twice issues one.

        Raises what :meth:`preview` raises (before anything is written) and Stripe's
        refusals in the project's words. Audited as ``issue_credit_note``; the credit note
        and its invoice are stored in the read model at once.
        """
        key = idempotency_key(actor, "issue_credit_note", key_safe(_key_payload(request)),
                              form_nonce)
        with self._writes.write(actor, Action.ISSUE_CREDIT_NOTE, "issue_credit_note",
                                object_id=request.invoice_id, key=key) as w:
            issued = self._issued_by(request.invoice_id, key)
            if issued is None:
                invoice, raw_lines = self._live_invoice(request.invoice_id)
                params = self._params(request, invoice, raw_lines)
                params["metadata"] = {"issued_by": actor.username, FORM_KEY: key}
                w.reason = _summary(request, invoice)
                issued = as_mapping(w.call(lambda: self._client.v1.credit_notes.create(
                    params=params, options={"idempotency_key": sub_key(key, "create")})))
            self._reread_invoice(w, request.invoice_id)
        return credit_note_from_stripe(issued)

    def void(self, actor: Actor, credit_note_id: str, *, form_nonce: str) -> CreditNote:
        """Void an issued credit note: what it took off the invoice is owed again and a
        balance credit is taken back. :class:`NotAllowedInState` when already void."""
        key = idempotency_key(actor, "void_credit_note", {"credit_note": credit_note_id},
                              form_nonce)
        repeated = self._writes.audit.succeeded(key)
        with self._writes.write(actor, Action.VOID_CREDIT_NOTE, "void_credit_note",
                                object_id=credit_note_id, key=key) as w:
            current = as_mapping(stripe_call(
                lambda: self._client.v1.credit_notes.retrieve(credit_note_id)))
            note = credit_note_from_stripe(current)
            w.reason = f"void {note.number or note.id} on {note.invoice_id}"
            if note.status == "void" and not repeated:
                raise NotAllowedInState(f"Credit note {note.number or note.id} is already void.",
                                        field="credit_note_id")
            voided = as_mapping(w.call(lambda: self._client.v1.credit_notes.void_credit_note(
                credit_note_id, options={"idempotency_key": sub_key(key, "void")})))
            if note.invoice_id:
                self._reread_invoice(w, note.invoice_id)
        return credit_note_from_stripe(voided)

    # -- internals --------------------------------------------------------------------------
    def _live_invoice(self, invoice_id: str) -> tuple[Invoice, list[dict[str, Any]]]:
        """The invoice as Stripe has it now, and all its lines as Stripe sent them."""
        raw = as_mapping(stripe_call(lambda: self._client.v1.invoices.retrieve(invoice_id)))
        if raw.get("deleted"):
            raise NotFound(f"Invoice {invoice_id} was deleted.", field="invoice_id")
        lines = list((raw.get("lines") or {}).get("data") or [])
        if (raw.get("lines") or {}).get("has_more"):
            lines = [as_mapping(line) for line in stripe_call(lambda: list(
                self._client.v1.invoices.line_items.list(
                    invoice_id, params={"limit": 100}).auto_paging_iter()))]
        return invoice_from_stripe(raw, lines), lines

    def _issued_by(self, invoice_id: str, key: str) -> dict[str, Any] | None:
        """The credit note this form submission already issued, if any (live)."""
        notes = stripe_call(lambda: list(self._client.v1.credit_notes.list(
            params={"invoice": invoice_id, "limit": 100}).auto_paging_iter()))
        for note in notes:
            data = as_mapping(note)
            if (data.get("metadata") or {}).get(FORM_KEY) == key:
                return data
        return None

    def _reread_invoice(self, w: Any, invoice_id: str) -> None:
        """Read the changed invoice inside the write so the read model stores it at once."""
        w.call(lambda: self._client.v1.invoices.retrieve(
            invoice_id, params={"expand": list(INVOICE_RETRIEVE_EXPAND)}))

    def _params(self, request: CreditNoteRequest, invoice: Invoice,
                raw_lines: Sequence[dict[str, Any]]) -> CreditNoteCreateParams:
        """Stripe's create/preview parameters for ``request``, every field checked first."""
        if invoice.status not in CREDIT_NOTE_STATUSES:
            raise NotAllowedInState(
                f"Cannot issue a credit note on invoice {invoice.number or invoice.id}: it is "
                f"{invoice.status}. Credit notes are for open or paid invoices.",
                field="invoice_id")
        reason = (request.reason or "").strip()
        if reason not in REASON_LABELS:
            raise InvalidInput("Choose the reason for the credit note ("
                               + ", ".join(REASON_LABELS.values()).lower() + ").", field="reason")
        destination = _destination(request.destination)
        params: CreditNoteCreateParams = {"invoice": invoice.id, "reason": reason}
        memo = clean_text(request.memo, field="memo", label="memo", multiline=True,
                          max_length=limits.INVOICE_MEMO)
        if memo:
            params["memo"] = memo
        total = self._credited(request, invoice, raw_lines, params)
        owed = invoice.amount_remaining if invoice.status == "open" else 0
        beyond = total - min(total, owed)
        if beyond and destination is Destination.REDUCE_OWED:
            raise InvalidInput(
                f"Only {format_amount(owed, invoice.currency)} is still owed on the invoice, so "
                f"{format_amount(beyond, invoice.currency)} of this credit cannot reduce it: "
                "credit the customer's balance or record a refund outside Stripe.",
                field="destination")
        if beyond and destination is Destination.CUSTOMER_BALANCE:
            params["credit_amount"] = beyond
        elif beyond:
            params["out_of_band_amount"] = beyond
        return params

    def _credited(self, request: CreditNoteRequest, invoice: Invoice,
                  raw_lines: Sequence[dict[str, Any]], params: CreditNoteCreateParams) -> int:
        """Put ``lines`` or ``amount`` into ``params``; the credit note's total (for lines,
        Stripe's rule: unit amount × quantity, the line's share of its discounts, its
        exclusive taxes on what is left)."""
        chosen = [line for line in request.lines if line.quantity]
        typed = (request.amount_text or "").strip()
        if chosen and typed:
            raise InvalidInput("Credit either invoice lines or a custom amount, not both.",
                               field="amount")
        if not chosen and not typed:
            raise InvalidInput("Choose the lines to credit or type an amount.", field="amount")
        if typed:
            try:
                amount = parse_amount(typed, invoice.currency)
            except ValueError as exc:
                raise InvalidInput(str(exc), field="amount") from exc
            if amount <= 0:
                raise InvalidInput("The amount to credit must be more than zero.",
                                   field="amount")
            params["amount"] = amount
            return amount
        by_id = {str(line.get("id")): line for line in raw_lines}
        total, entries = 0, list[CreditNoteCreateParamsLine]()
        for index, choice in enumerate(chosen):
            field = f"lines[{index}].quantity"
            line = by_id.get(choice.invoice_line_id)
            if line is None:
                raise InvalidInput(f"Line {choice.invoice_line_id} is not on the invoice.",
                                   field=f"lines[{index}].invoice_line_item")
            billed = int(line.get("quantity") or 1)
            if not isinstance(choice.quantity, int) or not 0 < choice.quantity <= billed:
                raise InvalidInput(
                    f"Credit a whole quantity from 1 to {billed} of "
                    f"\"{line.get('description') or choice.invoice_line_id}\".", field=field)
            total += self._line_credit(line, choice.quantity)
            entries.append({"type": "invoice_line_item",
                            "invoice_line_item": choice.invoice_line_id,
                            "quantity": choice.quantity})
        params["lines"] = entries
        return total

    def _line_credit(self, line: dict[str, Any], quantity: int) -> int:
        amount = int(line.get("amount") or 0)
        billed = int(line.get("quantity") or 1)
        discounts = sum(int(d.get("amount") or 0) for d in line.get("discount_amounts") or [])
        taxes = [t for t in line.get("taxes") or [] if t.get("tax_behavior") == "exclusive"]
        if quantity == billed:
            return amount - discounts + sum(int(t.get("amount") or 0) for t in taxes)
        unit = Decimal(str((line.get("pricing") or {}).get("unit_amount_decimal")
                           or Decimal(amount) / billed))
        part = _round(unit * quantity)
        left = part - _round(Decimal(discounts) * part / amount) if amount else part
        return left + sum(self._tax(t, left) for t in taxes)

    def _tax(self, tax: dict[str, Any], left: int) -> int:
        """An exclusive tax on ``left``, at its rate's percentage (from the read model)."""
        rate_id = ((tax.get("tax_rate_details") or {}).get("tax_rate"))
        rate = copy_or_reread(self._read_model, "tax_rate", str(rate_id)) if rate_id else None
        if rate is not None and rate.get("percentage") is not None:
            return _round(Decimal(left) * Decimal(str(rate["percentage"])) / 100)
        taxable = int(tax.get("taxable_amount") or 0)
        return _round(Decimal(int(tax.get("amount") or 0)) * left / taxable) if taxable else 0


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _destination(value: str) -> Destination:
    try:
        return Destination(str(value or "").strip())
    except ValueError as exc:
        raise InvalidInput("Choose where the credited money goes.", field="destination") from exc


def _key_payload(request: CreditNoteRequest) -> dict[str, object]:
    return {"invoice": request.invoice_id, "reason": request.reason or "",
            "destination": request.destination, "amount": (request.amount_text or "").strip(),
            "lines": [[line.invoice_line_id, line.quantity] for line in request.lines
                      if line.quantity],
            "memo": request.memo or ""}


def _summary(request: CreditNoteRequest, invoice: Invoice) -> str:
    how = "custom amount " + (request.amount_text or "").strip() if request.amount_text \
        else f"{sum(1 for line in request.lines if line.quantity)} line(s)"
    memo = f"; memo: {(request.memo or '').strip()}" if (request.memo or "").strip() else ""
    return (f"{REASON_LABELS.get(request.reason or '', request.reason)}: {how} "
            f"({invoice.currency.upper()}), {request.destination}{memo}")


def _preview(note: dict[str, Any], invoice: Invoice) -> CreditNotePreview:
    shown = credit_note_from_stripe({**note, "id": note.get("id") or "preview"})
    owed = invoice.amount_remaining if invoice.status == "open" else 0
    return CreditNotePreview(
        currency=invoice.currency,
        subtotal=int(note.get("subtotal") or 0),
        tax=sum(int(t.get("amount") or 0) for t in note.get("total_taxes") or []),
        total=shown.total,
        reduced_owed=shown.reduced_owed,
        to_balance=shown.to_balance,
        outside_stripe=shown.outside_stripe,
        remaining_before=owed,
        remaining_after=max(0, owed - shown.reduced_owed),
        number=note.get("number"),
    )
