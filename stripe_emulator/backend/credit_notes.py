"""Credit notes: create, preview, retrieve, update, list, lines, void (``/v1/credit_notes``).

Follows Stripe's "Credit notes" API and its partial-payment split (basil+): a credit note
first lowers the invoice's ``amount_remaining`` (and ``amount_due``), never below zero
(``pre_payment_amount``, summed on the invoice as ``pre_payment_credit_notes_amount``); the
rest (``post_payment_amount``, summed as ``post_payment_credit_notes_amount``) must be
placed exactly by ``credit_amount`` (the customer's balance: a ``credit_note`` balance
transaction, applied to their next finalized invoice), ``out_of_band_amount`` (credited
outside Stripe) and refunds. Lines and totals: ``backend.credit_note_amounts``.

* An open invoice whose credit notes leave nothing to pay becomes ``paid``
  (``invoice.paid``, no ``payment_succeeded``); otherwise its default payment asks for what
  remains. Events: ``credit_note.created``, ``credit_note.updated``, ``credit_note.voided``,
  ``invoice.updated`` (and ``customer.updated`` when the balance moves).
* Numbers: ``<invoice number>-CN-<nn>``, the invoice's credit notes counted (void ones too).
* Refusals (400): a draft or void invoice (naming ``invoice``); more than the invoice can
  still be credited (its ``total`` less its issued credit notes; naming ``amount`` or
  ``lines``); a post-payment amount not placed exactly (naming ``credit_amount``); a refund
  (the emulator makes no charges, so there is nothing to refund: ``refund_amount`` /
  ``refunds[i][…]`` named); a shipping rate (none exist); voiding twice, or voiding a credit
  note that lowered what is owed on an invoice that is no longer open.
"""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import balance_transactions, payments
from stripe_emulator.backend.credit_note_amounts import apply_totals, build_lines
from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.invoice_lifecycle import ACCOUNT_ID
from stripe_emulator.backend.invoicing import save_invoice
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import InvalidRequestError, MissingReferenceError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page, slice_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models import credit_note as model
from stripe_emulator.models import invoice as invoice_model
from stripe_emulator.models.base import apply_metadata
from stripe_emulator.models.credit_note import CREDIT_NOTES
from stripe_emulator.models.invoice import INVOICES

OPEN = ("open", "uncollectible")


def _invoice(state: EmulatorState, invoice_id: str) -> dict[str, Any]:
    invoice = state.store.require_reference(INVOICES, invoice_id, param="invoice")
    if invoice["status"] == "draft":
        raise InvalidRequestError(
            f"Invoice {invoice_id} is a draft: credit notes can only be issued for finalized "
            "invoices.", param="invoice")
    if invoice["status"] == "void":
        raise InvalidRequestError(
            f"Invoice {invoice_id} is void: credit notes cannot be issued for void invoices.",
            param="invoice")
    return invoice


def _issued(state: EmulatorState, invoice_id: str) -> list[dict[str, Any]]:
    return state.store.select(CREDIT_NOTES, Where().eq("invoice", invoice_id))


def _place_post_payment(note: dict[str, Any], fields: dict[str, Any]) -> None:
    """Check that the post-payment amount is placed exactly; refunds cannot be."""
    if fields.get("refund_amount"):
        raise InvalidRequestError(
            "This invoice has no charge to refund: it was not paid through Stripe (the "
            "emulator makes no charges). Use credit_amount or out_of_band_amount.",
            param="refund_amount")
    for index, refund in enumerate(fields.get("refunds") or []):
        if refund.get("payment_record_refund"):
            raise MissingReferenceError(
                "refund group", refund["payment_record_refund"]["refund_group"],
                param=f"refunds[{index}][payment_record_refund][refund_group]")
        raise MissingReferenceError("refund", refund.get("refund") or "",
                                    param=f"refunds[{index}][refund]")
    credit = int(fields.get("credit_amount") or 0)
    outside = int(fields.get("out_of_band_amount") or 0)
    post = note["post_payment_amount"]
    if credit + outside != post:
        raise InvalidRequestError(
            f"The sum of credit_amount, refund_amount and out_of_band_amount ({credit + outside})"
            f" must equal the credit note's post-payment amount ({post}): the amount left "
            "after lowering what is still owed on the invoice.", param="credit_amount")
    note["out_of_band_amount"] = outside if fields.get("out_of_band_amount") is not None \
        else None


def _build(state: EmulatorState, fields: dict[str, Any]) -> tuple[dict, dict]:
    """The credit note ``fields`` describe and its invoice, checked; nothing written."""
    invoice = _invoice(state, fields["invoice"])
    if fields.get("shipping_cost") is not None:
        raise MissingReferenceError("shipping_rate",
                                    fields["shipping_cost"].get("shipping_rate") or "",
                                    param="shipping_cost[shipping_rate]")
    lines = build_lines(state, invoice, fields)
    issued = _issued(state, invoice["id"])
    note_id = new_id("cn")
    note = model.new_credit_note(
        credit_note_id=note_id, created=state.now(invoice["test_clock"]), invoice=invoice,
        number=model.credit_note_number(invoice["number"], len(issued) + 1), lines=lines)
    note["pdf"] = f"{state.public_url}/credit_notes/{ACCOUNT_ID}/test_{note_id}/pdf"
    apply_totals(note)
    by = "lines" if fields.get("lines") else "amount"
    if fields.get("lines") and fields.get("amount") is not None \
            and int(fields["amount"]) != note["total"]:
        raise InvalidRequestError(
            f"The amount ({fields['amount']}) must equal the total of the lines "
            f"({note['total']}).", param="amount")
    if note["total"] <= 0:
        raise InvalidRequestError("A credit note must credit a positive amount.", param=by)
    creditable = int(invoice["total"]) - sum(int(n["total"]) for n in issued
                                             if n["status"] == "issued")
    if note["total"] > creditable:
        raise InvalidRequestError(
            f"The credit note's total ({note['total']}) is greater than what invoice "
            f"{invoice['id']} can still be credited ({creditable}).", param=by)
    pre = min(note["total"], int(invoice["amount_remaining"])) \
        if invoice["status"] in OPEN else 0
    post = note["total"] - pre
    note.update(pre_payment_amount=pre, post_payment_amount=post,
                type="mixed" if pre and post else ("pre_payment" if pre else "post_payment"),
                memo=fields.get("memo"), reason=fields.get("reason"),
                metadata=apply_metadata({}, fields.get("metadata")))
    if fields.get("effective_at") is not None:
        note["effective_at"] = fields["effective_at"]
    _place_post_payment(note, fields)
    return note, invoice


def _rebalance(state: EmulatorState, invoice: dict[str, Any]) -> bool:
    """``amount_due``/``amount_remaining`` after the credit notes changed; True if an open
    invoice now has nothing left to pay (it becomes paid)."""
    invoice["amount_due"] = max(0, int(invoice["total"]) + int(invoice["starting_balance"])
                                - int(invoice["pre_payment_credit_notes_amount"]))
    invoice["amount_remaining"] = max(0, invoice["amount_due"] - int(invoice["amount_paid"]))
    if invoice["status"] in OPEN and invoice["amount_remaining"] == 0:
        now = state.now(invoice["test_clock"])
        invoice.update(status="paid", auto_advance=False, status_details=None,
                       next_payment_attempt=None)
        invoice["status_transitions"]["paid_at"] = now
        payments.cancel_default_payment(state, invoice, "automatic", now)
        return True
    payments.request_remaining(state, invoice)
    return False


def create_credit_note(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/credit_notes``: issue it and apply it to the invoice and the balance."""
    note, invoice = _build(state, fields)
    before = invoice_model.clone(invoice)
    invoice["pre_payment_credit_notes_amount"] += note["pre_payment_amount"]
    invoice["post_payment_credit_notes_amount"] += note["post_payment_amount"]
    became_paid = _rebalance(state, invoice)
    credit = int(fields.get("credit_amount") or 0)
    if credit:
        transaction = balance_transactions.record(
            state, invoice["customer"], -credit, invoice["currency"], "credit_note",
            invoice_id=invoice["id"], credit_note_id=note["id"])
        note["customer_balance_transaction"] = transaction["id"] if transaction else None
    note["_credit_amount"] = credit
    state.store.insert(CREDIT_NOTES, note)
    emit_event(state, "credit_note.created", note)
    save_invoice(state, invoice, before)
    if became_paid:
        emit_event(state, "invoice.paid", invoice)
    return note


def preview_credit_note(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    """``GET /v1/credit_notes/preview``: the credit note ``fields`` would issue (its amounts,
    split and number), checked like a create; nothing is stored and no event is sent."""
    return _build(state, fields)[0]


def preview_lines(state: EmulatorState, fields: dict[str, Any], url: str) -> dict[str, Any]:
    """``GET /v1/credit_notes/preview/lines``: the preview's lines, cursor-paginated."""
    paging: dict[str, Any] = {k: fields.pop(k) for k in ("limit", "starting_after",
                                                          "ending_before") if k in fields}
    note = preview_credit_note(state, fields)
    return slice_page(note["_lines"], paging, url, "credit_note_line_item")


def retrieve_credit_note(state: EmulatorState, credit_note_id: str) -> dict[str, Any]:
    return state.store.require(CREDIT_NOTES, credit_note_id)


def update_credit_note(state: EmulatorState, credit_note_id: str,
                       fields: dict[str, Any]) -> dict[str, Any]:
    """Only ``memo`` and ``metadata`` change (``credit_note.updated``)."""
    note = state.store.require(CREDIT_NOTES, credit_note_id)
    before = invoice_model.clone(note)
    if "memo" in fields:
        note["memo"] = fields["memo"]
    if "metadata" in fields:
        note["metadata"] = apply_metadata(note["metadata"] or {}, fields["metadata"])
    state.store.update(CREDIT_NOTES, note)
    if invoice_model.visible(before) != invoice_model.visible(note):
        emit_event(state, "credit_note.updated", note, previous=before)
    return note


def void_credit_note(state: EmulatorState, credit_note_id: str) -> dict[str, Any]:
    """``POST /v1/credit_notes/{id}/void``: undo what it did to the invoice and balance."""
    note = state.store.require(CREDIT_NOTES, credit_note_id)
    if note["status"] == "void":
        raise InvalidRequestError("This credit note has already been voided.")
    invoice = state.store.require(INVOICES, note["invoice"], param=None)
    if note["pre_payment_amount"] and invoice["status"] not in OPEN:
        raise InvalidRequestError(
            f"This credit note lowered what was owed on invoice {invoice['id']}, which is now "
            f"{invoice['status']}: it can no longer be voided.")
    before = invoice_model.clone(invoice)
    invoice["pre_payment_credit_notes_amount"] -= note["pre_payment_amount"]
    invoice["post_payment_credit_notes_amount"] -= note["post_payment_amount"]
    _rebalance(state, invoice)
    if note["customer_balance_transaction"]:
        balance_transactions.record(
            state, invoice["customer"], int(note.get("_credit_amount") or 0),
            invoice["currency"], "credit_note", invoice_id=invoice["id"],
            credit_note_id=note["id"])
    note.update(status="void", voided_at=state.now(invoice["test_clock"]))
    state.store.update(CREDIT_NOTES, note)
    emit_event(state, "credit_note.voided", note)
    save_invoice(state, invoice, before)
    return note


def list_credit_notes(state: EmulatorState, params: dict[str, Any],
                      url: str) -> dict[str, Any]:
    """Newest first; ``invoice``, ``customer``, ``created`` filters."""
    where = Where()
    for name in ("invoice", "customer"):
        if params.get(name):
            where.eq(name, params[name])
    if params.get("customer_account"):
        where.raw("0")  # the emulator bills customers, never Accounts v2
    where.range("created", params.get("created"))
    return list_page(state.store, CREDIT_NOTES, where, params, url, model.render)


def list_lines(state: EmulatorState, credit_note_id: str, params: dict[str, Any],
               url: str) -> dict[str, Any]:
    """``GET /v1/credit_notes/{id}/lines`` in the credit note's order."""
    note = state.store.require(CREDIT_NOTES, credit_note_id, param="credit_note")
    return slice_page(note["_lines"], params, url, "credit_note_line_item")
