"""The invoice actions the status AND the role allow, each naming the invoice it acts on.

Irreversible actions only *ask* (a button records the request in session
state); :func:`dialogs` then shows a confirmation saying exactly what will
happen, and the write runs with a nonce per invoice and action, so a double
click on "Confirm" is one write. Duplicate is not destructive and runs at once.
Each action's service call is a plain function (:attr:`InvoiceAction.perform`)
that calls its service method with the keywords that method takes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from services.core.access import Action, Actor
from ui import dialogs, forms, runtime
from ui.caching import invalidate
from ui.draft_editor import finalize_checklist
from ui.formatting import money
from ui.invoice_detail import label
from ui.layout import flash
from ui.navigation import go
from ui.text import plain

if TYPE_CHECKING:
    from services.core.models import Invoice
    from services.invoicing.lifecycle import Invoicing
    from ui.auth import CurrentUser


@dataclass(frozen=True)
class Confirmed:
    """A confirmed action: who, on which invoice, with which form nonce, and the reason or
    note typed in the dialog (``None`` when the dialog asks for none)."""

    actor: Actor
    invoice_id: str
    form_nonce: str
    text: str | None


@dataclass(frozen=True)
class InvoiceAction:
    """A button, its confirmation text and the service call behind it."""

    button: str  # "{label}" is replaced by the invoice number
    title: str
    consequence: str
    confirm: str
    perform: Callable[[Invoicing, Confirmed], object]
    reason_label: str | None = None
    reason_required: bool = True
    done: str = "{label}: done"


def _finalize(invoices: Invoicing, request: Confirmed) -> None:
    invoices.finalize(request.actor, request.invoice_id, form_nonce=request.form_nonce)


def _send(invoices: Invoicing, request: Confirmed) -> None:
    invoices.send(request.actor, request.invoice_id, form_nonce=request.form_nonce)


def _record_payment(invoices: Invoicing, request: Confirmed) -> None:
    invoices.record_payment(request.actor, request.invoice_id, note=request.text or "",
                            form_nonce=request.form_nonce)


def _void(invoices: Invoicing, request: Confirmed) -> None:
    invoices.void(request.actor, request.invoice_id, reason=request.text or "",
                  form_nonce=request.form_nonce)


def _mark_uncollectible(invoices: Invoicing, request: Confirmed) -> None:
    invoices.mark_uncollectible(request.actor, request.invoice_id, reason=request.text or "",
                                form_nonce=request.form_nonce)


def _delete_draft(invoices: Invoicing, request: Confirmed) -> None:
    invoices.delete_draft(request.actor, request.invoice_id, form_nonce=request.form_nonce)


ACTIONS: dict[Action, InvoiceAction] = {
    Action.FINALIZE_INVOICE: InvoiceAction(
        "Finalize {label}", "Finalize the invoice?",
        "Finalize **{label}** for **{amount}** to {customer}. It gets its final number and "
        "can no longer be edited; nothing is sent to the customer yet.",
        "Finalize", _finalize, done="{label} finalized",
    ),
    Action.SEND_INVOICE: InvoiceAction(
        "Send {label}", "Send the invoice?",
        "Email invoice **{label}** for **{due}** to {email}. The customer gets a link to pay "
        "it online. An email cannot be taken back.",
        "Send", _send, done="{label} sent to the customer",
    ),
    Action.RECORD_PAYMENT: InvoiceAction(
        "Record payment for {label}", "Record a payment?",
        "Record that **{label}** was paid outside Stripe (bank transfer, cheque, cash): "
        "**{remaining}** is marked as received and the invoice becomes Paid. "
        "This cannot be undone.",
        "Record payment", _record_payment, reason_label="Note (e.g. bank reference)",
        done="Payment recorded: {label} is paid",
    ),
    Action.VOID_INVOICE: InvoiceAction(
        "Void {label}", "Void the invoice?",
        "Void **{label}**: the **{remaining}** still due is cancelled and the customer can no "
        "longer pay it. Voiding cannot be undone.",
        "Void invoice", _void, reason_label="Reason", done="{label} voided",
    ),
    Action.MARK_UNCOLLECTIBLE: InvoiceAction(
        "Mark {label} uncollectible", "Mark as uncollectible?",
        "Mark **{label}** as uncollectible: **{remaining}** is written off as bad debt in your "
        "reports. The customer can still pay it later.",
        "Mark uncollectible", _mark_uncollectible, reason_label="Reason",
        done="{label} marked uncollectible",
    ),
    Action.DELETE_DRAFT: InvoiceAction(
        "Delete {label}", "Delete the draft?",
        "Delete the draft **{label}** and its lines permanently. This cannot be undone.",
        "Delete draft", _delete_draft, done="Draft {label} deleted",
    ),
}


def _facts(invoice: Invoice) -> dict[str, str]:
    """What buttons and dialogs name, as plain text (escape before putting it in Markdown)."""
    return {
        "label": label(invoice),
        "amount": money(invoice.total, invoice.currency),
        "due": money(invoice.amount_due, invoice.currency),
        "remaining": money(invoice.amount_remaining, invoice.currency),
        "customer": invoice.customer_name or invoice.customer_id,
        "email": invoice.customer_email or "the customer's billing email",
    }


def _perform(
    invoice: Invoice, user: CurrentUser, action: Action
) -> Callable[[dialogs.Pending, str | None], str]:
    spec = ACTIONS[action]

    def perform(_pending: dialogs.Pending, text: str | None) -> str:
        nonce = forms.form_nonce(f"invoice.{action.value}.{invoice.id}")
        spec.perform(runtime.services().invoices, Confirmed(user.actor, invoice.id, nonce, text))
        invalidate("invoices", "reports", "audit")
        if action is Action.DELETE_DRAFT:
            st.query_params.clear()
        return spec.done.format(label=label(invoice))

    return perform


def _duplicate(invoice: Invoice, user: CurrentUser) -> None:
    form = f"invoice.duplicate.{invoice.id}"
    ok, copy = forms.run_write(
        form, lambda nonce: runtime.services().invoices.duplicate(
            user.actor, invoice.id, form_nonce=nonce)
    )
    if ok and copy is not None:
        invalidate("invoices", "reports", "audit")
        flash(f"New draft created from {label(invoice)}")
        st.session_state["_ui_open_invoice"] = copy.id


def buttons(invoice: Invoice, user: CurrentUser, only: tuple[Action, ...] | None = None) -> None:
    """The action buttons the invoice's status and the user's role allow, then the dialog.

    ``only`` limits the offer (the New-invoice flow offers just finalize and send).
    """
    allowed = set(runtime.services().invoices.available_actions(invoice, user.role))
    if only is not None:
        allowed &= set(only)
    facts = _facts(invoice)
    shown = {name: plain(text) for name, text in facts.items()}  # Markdown-safe
    offered = [action for action in ACTIONS if action in allowed]
    row = st.container(horizontal=True)
    for action in offered:
        row.button(
            ACTIONS[action].button.format(**shown), key=f"ask.{action.value}",
            on_click=dialogs.ask, args=(action.value, invoice.id, facts["label"]),
            type="primary" if action in (Action.FINALIZE_INVOICE, Action.SEND_INVOICE) else
            "secondary",
        )
    if Action.CREATE_DRAFT in allowed:
        row.button(
            f"Duplicate {shown['label']}", key="duplicate", on_click=_duplicate,
            args=(invoice, user), icon=":material/content_copy:",
        )
    forms.other_errors(f"invoice.duplicate.{invoice.id}")
    if copy_id := st.session_state.pop("_ui_open_invoice", None):
        go("pages/invoice.py", query_params={"invoice": copy_id})
    for action in offered:
        spec = ACTIONS[action]
        consequence = spec.consequence.format(**{**shown, "label": "{label}"})
        pending = dialogs.pending()
        if action is Action.FINALIZE_INVOICE and pending and pending.action == action.value:
            consequence += finalize_checklist(invoice)  # what an approver should know first
        dialogs.confirm(
            action.value, title=spec.title,
            consequence=consequence,
            confirm_label=spec.confirm, perform=_perform(invoice, user, action),
            reason_label=spec.reason_label, reason_required=spec.reason_required,
        )
