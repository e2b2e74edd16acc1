"""The invoice actions the status AND the role allow, each naming the invoice it acts on.

Irreversible actions only *ask* (a button records the request in session
state); :func:`dialogs` then shows a confirmation saying exactly what will
happen, and the write runs with that confirmation's nonce, so a double click on
"Confirm" is one write while asking again is a new one: once an invoice has been
sent from the dashboard the button says "Send … again" (a secondary button: a
deliberate repeat, not the page's main action) and sends a reminder.
Duplicate is not destructive and runs at once (a double click makes one copy, a
later click another).
Each action's service call is a plain function (:attr:`InvoiceAction.perform`)
that calls its service method with the keywords that method takes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from services.core.access import Action, Actor
from ui import credit_note_form, dialogs, forms, record_payment, runtime
from ui.caching import invalidate
from ui.draft_editor import finalize_checklist
from ui.formatting import money
from ui.invoice_detail import button_name
from ui.navigation import go
from ui.reads import invoice_history, read_or_none
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
    done: str = "{label}: done"  # the toast; may use every fact of :func:`_facts`


def _finalize(invoices: Invoicing, request: Confirmed) -> None:
    invoices.finalize(request.actor, request.invoice_id, form_nonce=request.form_nonce)


def _send(invoices: Invoicing, request: Confirmed) -> None:
    invoices.send(request.actor, request.invoice_id, form_nonce=request.form_nonce)


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
        "Send", _send, done="{label} sent to {email}",
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
        "Delete **{label}** for **{amount}** to {customer} and its lines permanently. "
        "This cannot be undone.",
        "Delete draft", _delete_draft, done="Deleted {label} ({amount}, {customer})",
    ),
}
#: "Send" once the dashboard has sent the invoice: a reminder.
SEND_AGAIN = InvoiceAction(
    "Send {label} again", "Send a reminder?",
    "Email invoice **{label}** for **{due}** to {email} again, as a reminder. The customer "
    "gets the link to pay it online once more. An email cannot be taken back.",
    "Send again", _send, done="Reminder: {label} sent to {email} again",
)


def _spec(action: Action, sent_before: bool) -> InvoiceAction:
    return SEND_AGAIN if action is Action.SEND_INVOICE and sent_before else ACTIONS[action]


def _sent_before(invoice: Invoice) -> bool:
    """True when the audit trail shows a send of this invoice from the dashboard."""
    if invoice.status != "open":
        return False
    loaded = read_or_none(invoice_history, invoice.id, what="the invoice's history")
    history = loaded.value if loaded is not None else None
    if history is None or history.empty:
        return False
    sends = history[(history["action"] == "send_invoice") & (history["outcome"] == "success")]
    return not sends.empty


def _facts(invoice: Invoice) -> dict[str, str]:
    """What buttons and dialogs name, as plain text (escape before putting it in Markdown)."""
    return {
        "label": button_name(invoice),
        "amount": money(invoice.total, invoice.currency),
        "due": money(invoice.amount_due, invoice.currency),
        "remaining": money(invoice.amount_remaining, invoice.currency),
        "customer": invoice.customer_name or invoice.customer_id or "the customer",
        "email": invoice.customer_email or "the customer's billing email",
    }


def _perform(
    invoice: Invoice, user: CurrentUser, action: Action, spec: InvoiceAction
) -> Callable[[dialogs.Pending, str | None], str]:

    def perform(pending: dialogs.Pending, text: str | None) -> str:
        # the confirmation's own nonce: a double click on Confirm sends once, asking
        # again (a reminder) sends again
        confirmed = Confirmed(user.actor, invoice.id, pending.nonce, text)
        spec.perform(runtime.services().invoices, confirmed)
        invalidate("invoices", "reports", "audit")
        if action is Action.DELETE_DRAFT:
            st.query_params.clear()
        done = spec.done.format(**_facts(invoice))
        return done[:1].upper() + done[1:]  # "Draft finalized"

    return perform


def _duplicate(invoice: Invoice, user: CurrentUser) -> Callable[[str], Invoice]:
    def write(nonce: str) -> Invoice:
        return runtime.services().invoices.duplicate(user.actor, invoice.id, form_nonce=nonce)

    return write


def _open_copy(copy: Invoice) -> None:
    invalidate("invoices", "reports", "audit")
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
    sent_before = Action.SEND_INVOICE in offered and _sent_before(invoice)
    row = st.container(horizontal=True)
    for action in offered:
        row.button(
            _spec(action, sent_before).button.format(**shown), key=f"ask.{action.value}",
            on_click=dialogs.ask, args=(action.value, invoice.id, facts["label"]),
            # a reminder is a deliberate repeat: never the page's main button
            type="primary" if action is Action.FINALIZE_INVOICE or (
                action is Action.SEND_INVOICE and not sent_before) else "secondary",
        )
    duplicate_form = f"invoice.duplicate.{invoice.id}"
    if Action.CREATE_DRAFT in allowed:
        forms.action_button(
            duplicate_form, f"Duplicate {shown['label']}", _duplicate(invoice, user),
            success=f"New draft created from {facts['label']}", then=_open_copy,
            container=row, icon=":material/content_copy:",
        )
    if only is None:  # money in and corrections: their own forms (ui.record_payment, …)
        if Action.RECORD_PAYMENT in allowed:
            record_payment.offer(row, invoice)
        credit_note_form.offer(row, invoice, user)
    forms.other_errors(duplicate_form)
    if copy_id := st.session_state.pop("_ui_open_invoice", None):
        go("pages/invoice.py", query_params={"invoice": copy_id})
    for action in offered:
        spec = _spec(action, sent_before)
        consequence = spec.consequence.format(**{**shown, "label": "{label}"})
        pending = dialogs.pending()
        if action is Action.FINALIZE_INVOICE and pending and pending.action == action.value:
            consequence += finalize_checklist(invoice)  # what an approver should know first
        dialogs.confirm(
            action.value, title=spec.title,
            consequence=consequence,
            confirm_label=spec.confirm, perform=_perform(invoice, user, action, spec),
            reason_label=spec.reason_label, reason_required=spec.reason_required,
        )
    if only is None:
        record_payment.dialog(invoice, user)
        credit_note_form.issue_dialog(invoice, user)
        credit_note_form.void_dialog(invoice, user)
