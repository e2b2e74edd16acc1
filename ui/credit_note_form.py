"""Issue credit note (approver and up) and Void credit note, on the Invoice page.

The form asks for the reason (required), the invoice lines and quantities or a custom
amount, a memo and where the money goes; "Preview" asks Stripe what the credit note
would be (:meth:`services.invoicing.credit_notes.CreditNotes.preview`), and "Issue" is
offered only for exactly what was previewed. The write uses the request's nonce
(:attr:`ui.dialogs.Pending.nonce`): a double click issues one credit note. Voiding
confirms in a dialog first (:func:`ui.dialogs.confirm`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from services.core.access import Action, can
from services.core.errors import DashboardError
from services.invoicing.credit_notes import (
    DESTINATION_LABELS,
    CreditLine,
    CreditNotePreview,
    CreditNoteRequest,
    Destination,
    may_issue,
)
from services.readmodel.credit_note_queries import REASON_LABELS
from ui import dialogs, runtime
from ui.caching import invalidate
from ui.formatting import money
from ui.invoice_detail import label
from ui.invoice_money import invoice_credit_notes
from ui.layout import flash
from ui.text import plain

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

    from services.core.models import Invoice
    from ui.auth import CurrentUser

ISSUE = Action.ISSUE_CREDIT_NOTE.value
VOID = Action.VOID_CREDIT_NOTE.value
BY_LINES, BY_AMOUNT = "Invoice lines", "A custom amount"


def _key(invoice: Invoice, field: str) -> str:
    return f"credit_note.{invoice.id}.{field}"


def offer(row: DeltaGenerator, invoice: Invoice, user: CurrentUser) -> None:
    """"Issue credit note for …" on open and paid invoices, and "Void credit note …" for
    each issued one, when the role allows."""
    if may_issue(invoice, user.role):
        row.button(f"Issue credit note for {plain(label(invoice))}", key=f"ask.{ISSUE}",
                   on_click=dialogs.ask, args=(ISSUE, invoice.id, label(invoice)),
                   icon=":material/receipt_long:")
    if not can(user.role, Action.VOID_CREDIT_NOTE):
        return
    for note in invoice_credit_notes(invoice.id):
        if note.status == "issued":
            name = note.number or note.id
            row.button(f"Void credit note {plain(name)}", key=f"ask.{VOID}.{note.id}",
                       on_click=dialogs.ask, args=(VOID, note.id, name))


def preview_rows(preview: CreditNotePreview) -> pd.DataFrame:
    """The preview's figures, one per row."""
    currency = preview.currency
    rows = [("Credit note total", preview.total)]
    if preview.tax:
        rows.append(("of which tax", preview.tax))
    rows += [("Takes off what is owed", preview.reduced_owed),
             ("Credited to the customer's balance", preview.to_balance),
             ("Refunded outside Stripe", preview.outside_stripe),
             ("Owed on the invoice now", preview.remaining_before),
             ("Owed on the invoice afterwards", preview.remaining_after)]
    return pd.DataFrame([{"": what, "Amount": money(amount, currency)} for what, amount in rows],
                        columns=["", "Amount"])


def _request(invoice: Invoice) -> CreditNoteRequest:
    """The credit note the form's widgets describe now."""
    value = st.session_state.get
    reason = value(_key(invoice, "reason"))
    destination = str(value(_key(invoice, "destination")) or "")
    memo = value(_key(invoice, "memo")) or None
    if value(_key(invoice, "how")) == BY_AMOUNT:
        return CreditNoteRequest(invoice.id, reason, destination,
                                 amount_text=value(_key(invoice, "amount")) or "", memo=memo)
    lines = tuple(CreditLine(line.id, int(value(_key(invoice, f"line.{line.id}")) or 0))
                  for line in invoice.lines)
    return CreditNoteRequest(invoice.id, reason, destination, lines=lines, memo=memo)


def _fields(invoice: Invoice) -> None:
    st.selectbox("Reason", list(REASON_LABELS), index=None, key=_key(invoice, "reason"),
                 format_func=lambda r: REASON_LABELS[r], placeholder="Choose a reason")
    how = st.radio("Credit", [BY_LINES, BY_AMOUNT], horizontal=True, key=_key(invoice, "how"))
    if how == BY_AMOUNT:
        st.text_input(f"Amount to credit ({invoice.currency.upper()})",
                      key=_key(invoice, "amount"))
    else:
        for line in invoice.lines:
            st.number_input(  # a widget label is Markdown: the description as text
                plain(f"{line.description or line.price_id or line.id} — quantity to credit "
                      f"(of {line.quantity}, {money(line.amount, line.currency)})"),
                min_value=0, max_value=max(line.quantity, 0), step=1, value=0,
                key=_key(invoice, f"line.{line.id}"))
    st.text_area("Memo (printed on the credit note)", key=_key(invoice, "memo"))
    places = list(Destination) if invoice.status == "open" else [
        Destination.CUSTOMER_BALANCE, Destination.OUTSIDE_STRIPE]
    st.radio("Where the money goes", places, key=_key(invoice, "destination"),
             format_func=lambda d: DESTINATION_LABELS[Destination(d)])
    if invoice.status == "open":
        st.caption("Stripe first takes a credit note off what is still owed; the choice "
                   "applies to any part beyond that.")


def issue_dialog(invoice: Invoice, user: CurrentUser) -> None:
    """The Issue-credit-note form while it is asked for on this invoice."""
    request = dialogs.pending()
    if request is None or request.action != ISSUE or request.target_id != invoice.id:
        return
    held = _key(invoice, "preview")

    @st.dialog("Issue a credit note", width="large", on_dismiss=dialogs.close)
    def _form() -> None:
        st.markdown(f"Credit note on **{plain(label(invoice))}** "
                    f"({plain(invoice.customer_name or invoice.customer_id)}), total "
                    f"**{plain(money(invoice.total, invoice.currency))}**, still owed "
                    f"**{plain(money(invoice.amount_remaining, invoice.currency))}**.")
        _fields(invoice)
        wanted = _request(invoice)
        problem = st.empty()
        ask, issue, cancel = st.columns(3)
        if ask.button("Preview", key=f"preview.{ISSUE}"):
            try:
                st.session_state[held] = (wanted, runtime.services().invoices.credit_notes
                                          .preview(user.actor, wanted))
            except DashboardError as err:
                st.session_state.pop(held, None)
                problem.error(plain(err), icon=":material/error:")
        shown = st.session_state.get(held)  # (what was asked, its preview) or None
        preview = shown[1] if shown is not None and shown[0] == wanted else None
        current = preview is not None
        if preview is not None:
            st.dataframe(preview_rows(preview), hide_index=True, key=f"preview_table.{ISSUE}",
                         column_config={"Amount": st.column_config.TextColumn(alignment="right")},
                         placeholder="")
        else:
            st.caption("Preview the credit note to see its effect before issuing it.")
        go = issue.button("Issue credit note", type="primary", key=f"confirm_yes.{ISSUE}",
                          disabled=not current)
        if cancel.button("Cancel", key=f"confirm_no.{ISSUE}"):
            dialogs.close()
            st.rerun()
        if not go:
            return
        try:
            note = runtime.services().invoices.credit_notes.issue(user.actor, wanted,
                                                                  form_nonce=request.nonce)
        except DashboardError as err:
            problem.error(plain(err), icon=":material/error:")
            return
        dialogs.close()
        for name in [k for k in st.session_state if str(k).startswith(_key(invoice, ""))]:
            del st.session_state[name]
        invalidate("invoices", "reports", "audit")
        flash(f"Credit note {note.number or note.id} of {money(note.total, note.currency)} "
              f"issued on {label(invoice)}")
        st.rerun()

    _form()


def void_dialog(invoice: Invoice, user: CurrentUser) -> None:
    """The confirmation of "Void credit note …"."""

    def perform(pending: dialogs.Pending, _text: str | None) -> str:
        note = runtime.services().invoices.credit_notes.void(user.actor, pending.target_id,
                                                             form_nonce=pending.nonce)
        invalidate("invoices", "reports", "audit")
        return f"Credit note {note.number or note.id} voided"

    dialogs.confirm(
        VOID, title="Void the credit note?",
        consequence=(f"Void credit note **{{label}}** on **{plain(label(invoice))}**: what it "
                     "took off the invoice is owed again and a credit to the customer's balance "
                     "is taken back. Voiding cannot be undone."),
        confirm_label="Void credit note", perform=perform)
