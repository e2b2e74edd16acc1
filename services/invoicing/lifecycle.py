"""Invoices from draft to paid, void or uncollectible.

Every write checks the role, refuses what the invoice's status forbids before
calling Stripe (see :mod:`services.invoicing.rules`), sends an idempotency key and
leaves one audit row. A write made of several Stripe calls (a draft and its
items) derives each call's key from the form's key, so submitting the same form
again finishes an interrupted write and never doubles anything. A repeated
submission of a lifecycle action (same form, same key) skips the status check
and lets Stripe replay its first answer instead of refusing the double click.

Two ways to read an invoice, kept apart on purpose:

- :meth:`Invoicing.get` is for **display** (the Invoice page, New invoice's result):
  it answers from the read model (:mod:`services.readmodel.invoice_detail`) with no
  Stripe request, re-reading once an invoice not stored yet.
- ``_current`` (:mod:`services.invoicing.guarded_writes`) is for **writes**: every
  check a write makes before acting (status guards, the item limit, the item to
  remove, the invoice to duplicate) and what a write returns read Stripe live, so a
  stale copy can never allow or refuse a write wrongly. Stripe's preview of a new
  draft (``self.previews``) is display and reads prices from the read model;
  creating the draft checks them live again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

import stripe

from services.core import limits
from services.core.access import Action, Actor, Role
from services.core.errors import InvalidInput, NotFound
from services.core.idempotency import idempotency_key
from services.core.models import DraftItem, Invoice, as_mapping
from services.core.money import parse_amount
from services.core.stripe_errors import stripe_call
from services.core.text import clean_text, key_safe
from services.core.writes import WriteRecorder
from services.invoicing.credit_notes import CreditNotes
from services.invoicing.draft_edits import DraftEdits
from services.invoicing.drafts import DraftBuilder
from services.invoicing.finalize_checks import FinalizeWarning, finalize_warnings
from services.invoicing.guarded_writes import GuardedInvoiceWrites
from services.invoicing.payments import InvoicePayments, PaymentMethod
from services.invoicing.previews import DraftPreviews
from services.invoicing.rules import available_actions as _available_actions
from services.invoicing.rules import require_status
from services.invoicing.tax_and_discount_checks import check_invoice_choices
from services.readmodel.invoice_detail import invoice_with_lines
from services.readmodel.sync import ReadModelSync


class Invoicing(GuardedInvoiceWrites):
    """One-off invoices sent by email (``collection_method=send_invoice``); the steps
    every write shares are in :mod:`services.invoicing.guarded_writes`."""

    def __init__(
        self, client: stripe.StripeClient, writes: WriteRecorder, read_model: ReadModelSync
    ) -> None:
        self._client = client
        self._writes = writes
        self._read_model = read_model
        self._drafts = DraftBuilder(client)
        #: Changes to saved drafts, and Stripe's preview of a draft not saved yet.
        self.edits = DraftEdits(client, writes, read_model)
        self.previews = DraftPreviews(client, read_model)
        #: Partial and dated payments received outside Stripe, and credit notes.
        self.payments = InvoicePayments(client, writes, read_model)
        self.credit_notes = CreditNotes(client, writes, read_model)

    def finalize_warnings(self, invoice: Invoice, today: date) -> list[FinalizeWarning]:
        """What the finalize confirmation lists (:mod:`services.invoicing.finalize_checks`)."""
        return finalize_warnings(self._read_model.engine, invoice, today)

    # -- reading for display (the read model) ---------------------------------------------
    def get(self, invoice_id: str) -> Invoice:
        """One invoice with all its lines, for display; :class:`NotFound` for unknown or
        deleted ones. From the read model (re-read once when not stored yet): never use
        it to decide whether a write may go ahead (:meth:`_current` does)."""
        invoice = invoice_with_lines(self._read_model, invoice_id)
        if invoice is None:
            raise NotFound(
                f"There is no invoice {invoice_id} (it may have been deleted).",
                field="invoice_id",
            )
        return invoice

    def available_actions(self, invoice: Invoice, role: Role | str) -> list[Action]:
        """What the invoice's status AND the role allow (for the page's buttons)."""
        return _available_actions(invoice, role)

    # -- drafts ----------------------------------------------------------------------
    def create_draft(
        self,
        actor: Actor,
        *,
        customer_id: str,
        items: Sequence[DraftItem],
        days_until_due: int,
        memo: str | None,
        footer: str | None,
        po_number: str | None,
        currency: str | None,
        form_nonce: str,
        default_tax_rates: Sequence[str] = (),
        coupons: Sequence[str] = (),
    ) -> Invoice:
        """A draft invoice to be paid ``days_until_due`` days after it is created, with the
        invoice's ``default_tax_rates`` and ``coupons`` (each item may add its own)."""
        payload = {
            "customer": customer_id,
            "items": [asdict(item) for item in items],
            "days_until_due": days_until_due,
            "memo": memo,
            "footer": footer,
            "po_number": po_number,
            "currency": currency,
        }
        # Tax rates and coupons join the key only when chosen: a form without them keeps
        # the key it had before they existed (an interrupted draft still finishes).
        payload["items"] = [_key_of_item(item) for item in items]
        if default_tax_rates or coupons:
            payload |= {"default_tax_rates": list(default_tax_rates), "coupons": list(coupons)}
        # Refused text is refused inside the audited write (DraftBuilder checks it).
        key = idempotency_key(actor, "create_draft", key_safe(payload), form_nonce)
        with self._writes.write(actor, Action.CREATE_DRAFT, "create_draft", key=key) as w:
            invoice_id = self._drafts.create(
                w,
                key,
                customer_id=customer_id,
                items=items,
                days_until_due=days_until_due,
                memo=memo,
                footer=footer,
                metadata={"po_number": (po_number or "").strip()},
                currency=currency,
                default_tax_rates=default_tax_rates,
                coupons=coupons,
                check_choices=lambda code: check_invoice_choices(
                    self._read_model.engine, code, default_tax_rates=default_tax_rates,
                    coupons=coupons, items=items),
            )
        return self._current(invoice_id)

    def duplicate(self, actor: Actor, invoice_id: str, *, form_nonce: str) -> Invoice:
        """A new draft with the same customer, terms and items as ``invoice_id``."""
        key = idempotency_key(actor, "duplicate_invoice", {"invoice": invoice_id}, form_nonce)
        with self._writes.write(
            actor,
            Action.CREATE_DRAFT,
            "duplicate_invoice",
            key=key,
            reason=f"duplicate of {invoice_id}",
        ) as w:
            source = self._current(invoice_id)
            new_id = self._drafts.create(
                w,
                key,
                customer_id=source.customer_id or "",
                items=self._drafts.items_of(source),
                days_until_due=source.days_until_due if source.days_until_due is not None else 30,
                memo=source.memo,
                footer=source.footer,
                metadata={"po_number": source.po_number or "", "duplicated_from": source.id},
                currency=source.currency,
            )
        return self._current(new_id)

    def add_price_item(
        self, actor: Actor, invoice_id: str, *, price_id: str, quantity: int, form_nonce: str
    ) -> Invoice:
        """Add ``quantity`` × ``price_id`` to a draft."""
        payload = {"price": price_id, "quantity": quantity}
        item = DraftItem(price_id=price_id, quantity=quantity)
        return self._add_item(actor, invoice_id, payload, lambda _invoice: item, form_nonce)

    def add_custom_item(
        self, actor: Actor, invoice_id: str, *, amount_text: str, description: str, form_nonce: str
    ) -> Invoice:
        """Add a custom amount (typed in the invoice's currency) with a description."""

        def custom_item(invoice: Invoice) -> DraftItem:
            try:
                amount = parse_amount(amount_text, invoice.currency)
            except ValueError as exc:
                raise InvalidInput(str(exc), field="amount") from exc
            text = clean_text(description, field="description", label="description",
                              max_length=limits.LINE_DESCRIPTION)  # fmt: skip
            return DraftItem(amount=amount, description=text)

        payload = {"amount": amount_text, "description": description}
        return self._add_item(actor, invoice_id, payload, custom_item, form_nonce)

    def remove_item(
        self, actor: Actor, invoice_id: str, invoice_item_id: str, *, form_nonce: str
    ) -> Invoice:
        """Take one item (``ii_…``, or its line ``il_…``) off a draft."""
        payload = {"invoice": invoice_id, "item": invoice_item_id}
        key = idempotency_key(actor, "remove_item", payload, form_nonce)
        with self._writes.write(
            actor, Action.EDIT_DRAFT, "remove_item", object_id=invoice_id, key=key
        ) as w:
            invoice = self._current(invoice_id)
            require_status(invoice, Action.EDIT_DRAFT)
            item_id = _item_on(invoice, invoice_item_id)
            w.reason = f"removed {item_id}"
            w.call(
                lambda: self._client.v1.invoice_items.delete(
                    item_id, options={"idempotency_key": key}
                )
            )
        return self._current(invoice_id)

    def delete_draft(self, actor: Actor, invoice_id: str, *, form_nonce: str) -> None:
        """Delete a draft for good (finalized invoices are voided instead)."""
        key = idempotency_key(actor, "delete_draft", {"invoice": invoice_id}, form_nonce)
        if self._writes.audit.succeeded(key):
            return  # the same submission already deleted it
        with self._writes.write(
            actor, Action.DELETE_DRAFT, "delete_draft", object_id=invoice_id, key=key
        ) as w:
            require_status(self._current(invoice_id), Action.DELETE_DRAFT)
            w.call(
                lambda: self._client.v1.invoices.delete(
                    invoice_id, options={"idempotency_key": key}
                )
            )

    # -- lifecycle -------------------------------------------------------------------
    def finalize(self, actor: Actor, invoice_id: str, *, form_nonce: str) -> Invoice:
        """Draft → open: numbered, payable, no longer editable."""
        return self._transition(
            actor,
            invoice_id,
            Action.FINALIZE_INVOICE,
            "finalize_invoice",
            form_nonce,
            lambda k: self._client.v1.invoices.finalize_invoice(
                invoice_id, params={"auto_advance": False}, options={"idempotency_key": k}
            ),
        )

    def send(self, actor: Actor, invoice_id: str, *, form_nonce: str) -> Invoice:
        """Email an open invoice to the customer (again, if already sent: a reminder).

        Stripe emails ``send_invoice`` invoices to the customer's email address and
        sends nothing when there is none (https://docs.stripe.com/invoicing/send-email),
        so a customer without one is refused with :class:`InvalidInput` (field
        ``customer_email``) before anything is sent. A new ``form_nonce`` sends again;
        the same one replays the first answer (one email).
        """
        return self._transition(
            actor,
            invoice_id,
            Action.SEND_INVOICE,
            "send_invoice",
            form_nonce,
            lambda k: self._client.v1.invoices.send_invoice(
                invoice_id, options={"idempotency_key": k}
            ),
            check=self._require_customer_email,
        )

    def _require_customer_email(self, invoice: Invoice) -> None:
        """Refuse to send when neither the invoice nor its customer has an email (live)."""
        if (invoice.customer_email or "").strip():
            return
        customer_id = invoice.customer_id or ""
        customer = as_mapping(
            stripe_call(lambda: self._client.v1.customers.retrieve(customer_id))
        ) if customer_id else {}
        if str(customer.get("email") or "").strip():
            return
        who = (invoice.customer_name or str(customer.get("name") or "") or customer_id
               or "The customer")
        raise InvalidInput(
            f"{who} has no email address, so Stripe would send nothing: nothing was sent. "
            "Add the customer's email on the Customers page, then send the invoice.",
            field="customer_email",
        )

    def record_payment(
        self, actor: Actor, invoice_id: str, *, note: str, form_nonce: str
    ) -> Invoice:
        """Record that what remains was received today outside Stripe, ``note`` as its
        reference (required): a shorthand for :meth:`InvoicePayments.record`
        (``self.payments``), which takes any amount, date and method."""
        if not (note or "").strip():  # refused inside the audited write, like a bad note
            with self._writes.write(actor, Action.RECORD_PAYMENT, "record_payment",
                                    object_id=invoice_id):
                raise InvalidInput("Give a note (it is kept with the payment and in the "
                                   "audit log).", field="note")
        try:
            return self.payments.record(actor, invoice_id, amount_text=None, received_on=None,
                                        method=PaymentMethod.OTHER, reference=note,
                                        form_nonce=form_nonce)
        except InvalidInput as exc:
            if exc.field != "reference":
                raise
            raise InvalidInput(exc.message.replace("payment reference", "payment note"),
                               field="note") from exc

    def void(self, actor: Actor, invoice_id: str, *, reason: str, form_nonce: str) -> Invoice:
        """Cancel a finalized invoice for good; the reason is required and kept."""
        return self._transition(
            actor,
            invoice_id,
            Action.VOID_INVOICE,
            "void_invoice",
            form_nonce,
            lambda k: self._client.v1.invoices.void_invoice(
                invoice_id, options={"idempotency_key": k}
            ),
            reason=reason,
            reason_field="reason",
            metadata_key="void_reason",
        )

    def mark_uncollectible(
        self, actor: Actor, invoice_id: str, *, reason: str, form_nonce: str
    ) -> Invoice:
        """Write an open invoice off as bad debt; the reason is required and kept."""
        return self._transition(
            actor,
            invoice_id,
            Action.MARK_UNCOLLECTIBLE,
            "mark_uncollectible",
            form_nonce,
            lambda k: self._client.v1.invoices.mark_uncollectible(
                invoice_id, options={"idempotency_key": k}
            ),
            reason=reason,
            reason_field="reason",
            metadata_key="uncollectible_reason",
        )



def _key_of_item(item: DraftItem) -> dict[str, object]:
    """An item's part of the idempotency key; empty tax rates and coupons left out."""
    return {name: value for name, value in asdict(item).items()
            if value or name not in ("tax_rates", "coupons")}


def _item_on(invoice: Invoice, item_or_line_id: str) -> str:
    for line in invoice.lines:
        if item_or_line_id in (line.id, line.invoice_item_id) and line.invoice_item_id:
            return line.invoice_item_id
    raise NotFound(
        f"Item {item_or_line_id} is not on invoice {invoice.number or invoice.id} "
        "(it may already have been removed).",
        field="invoice_item_id",
    )
