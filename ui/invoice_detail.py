"""The invoice page's read-only parts: header, status timeline, lines with their discounts
and taxes, Stripe's totals, and the PDF of a finalized invoice.

All amounts go through :func:`ui.formatting.money`; the timeline joins the
invoice's own timestamps with the audit trail to say who did what.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from services.core.errors import DashboardError
from ui import invoice_money, invoice_timeline, runtime
from ui.formatting import day, money, overdue_text, status_badge
from ui.invoice_timeline import NO_PAYMENT_NEEDED, nothing_was_due
from ui.text import https_only, plain

if TYPE_CHECKING:
    from services.core.models import Invoice
    from services.invoicing.breakdown import InvoiceBreakdown

def label(invoice: Invoice) -> str:
    """How the invoice is named in buttons and dialogs: its number, or "draft in_…"."""
    return invoice.number or f"draft {invoice.id}"


def button_name(invoice: Invoice) -> str:
    """How action buttons and their dialogs name the invoice: its number, or "draft" (the
    page's title says which draft; a raw ``in_…`` id in every button is noise)."""
    return invoice.number or "draft"


def title(invoice: Invoice) -> str:
    """The page title: "Invoice <number>", or "Draft for <customer> · <total>" (plain text)."""
    if invoice.number:
        return f"Invoice {invoice.number}"
    customer = invoice.customer_name or invoice.customer_id or "no customer"
    return f"Draft for {customer} · {money(invoice.total, invoice.currency)}"


def header(invoice: Invoice, today: date) -> None:
    """Title (number, or the draft's customer and total, its id in small type), status
    badge, customer, amounts, due date and days overdue."""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        st.title(plain(title(invoice)))
        if not invoice.number:
            st.caption(f"Draft {plain(invoice.id)}")
        status_badge(invoice.status)
        customer = plain(invoice.customer_name or invoice.customer_id)
        email = f" · {plain(invoice.customer_email)}" if invoice.customer_email else ""
        st.markdown(f"**{customer}**{email}")
    with right:
        if payment_page := https_only(invoice.hosted_invoice_url):  # never another scheme
            st.link_button("Customer's payment page", payment_page,
                           icon=":material/open_in_new:")
    credited = credited_total(invoice)
    tiles = st.columns(5 if credited else 4)
    tiles[0].metric("Total", money(invoice.total, invoice.currency))
    if credited:
        tiles.pop(1).metric("Credited", money(credited, invoice.currency),
                            help="Credit notes issued on this invoice (not voided)")
    tiles[1].metric("Paid", money(invoice.amount_paid, invoice.currency))
    if invoice.status in ("draft", "void"):  # one is not owed yet, the other no longer is
        tiles[2].metric("Remaining", "—", help="A draft or void invoice is owed by nobody")
    elif nothing_was_due(invoice):
        tiles[2].metric("Remaining", NO_PAYMENT_NEEDED, help="Nothing was due on this invoice")
    else:
        tiles[2].metric("Remaining", money(invoice.amount_remaining, invoice.currency))
    overdue = invoice.days_overdue(today) if invoice.status == "open" else 0
    tiles[3].metric("Due", day(invoice.due_date), delta=overdue_text(overdue) if overdue else None,
                    delta_color="inverse" if overdue else "off")
    extras = [f"PO number: {plain(invoice.po_number)}" if invoice.po_number else "",
              f"Memo: {plain(invoice.memo)}" if invoice.memo else "",
              f"Footer: {plain(invoice.footer)}" if invoice.footer else ""]
    if notes := [text for text in extras if text]:
        st.caption("  \n".join(notes))


def credited_total(invoice: Invoice) -> int:
    """The sum of the invoice's credit notes that stand (not void), in minor units of its
    currency, from the read model; 0 for a draft or when they cannot be read."""
    if invoice.status == "draft":
        return 0
    try:
        notes = invoice_money.invoice_credit_notes(invoice.id)
    except DashboardError:
        return 0
    return sum(note.total for note in notes if note.status != "void")


def timeline_rows(invoice: Invoice, history: pd.DataFrame) -> pd.DataFrame:
    """The invoice's status steps and draft edits, in time order: when, what, who, why
    (``history``: the invoice's audit rows, :meth:`services.core.audit.AuditLog.history`)."""
    return invoice_timeline.timeline_table(invoice_timeline.step_events(invoice, history))


def timeline(invoice: Invoice, history: pd.DataFrame) -> None:
    """The timeline (status steps, draft edits, payments and credit notes, in time order;
    :mod:`ui.invoice_timeline`), then the invoice's payments and credit notes
    (:mod:`ui.invoice_money`)."""
    st.subheader("Timeline")
    events = invoice_timeline.step_events(invoice, history)
    try:
        events += invoice_timeline.money_events(
            invoice_money.invoice_payments(invoice.id),
            invoice_money.invoice_credit_notes(invoice.id), history)
    except DashboardError as err:
        st.caption(f"Payments and credit notes could not be added: {plain(err)}")
    st.dataframe(invoice_timeline.timeline_table(events), hide_index=True,
                 key=f"timeline.{invoice.id}", column_config={
                     "When": st.column_config.TextColumn(width="small"),
                     "What": st.column_config.TextColumn(width="large"),
                     "Reason or note": st.column_config.TextColumn(width="medium")}, placeholder="")
    invoice_money.payments_section(invoice)
    invoice_money.credit_notes_section(invoice)


def line_rows(breakdown: InvoiceBreakdown) -> pd.DataFrame:
    """One row per line: amount before discounts, its discounts and taxes (Stripe's)."""
    currency = breakdown.currency
    return pd.DataFrame(
        [{
            "Description": line.description or "—",
            "Quantity": line.quantity,
            "Unit price": money(line.unit_amount, currency),
            "Amount": money(line.amount, currency),
            "Discounts": "; ".join(f"{d.label} −{money(d.amount, currency)}"
                                   for d in line.discounts),
            "Taxes": "; ".join(f"{t.label} {money(t.amount, currency)}" for t in line.taxes),
        } for line in breakdown.lines],
        columns=["Description", "Quantity", "Unit price", "Amount", "Discounts", "Taxes"],
    )


def total_rows(breakdown: InvoiceBreakdown, status: str | None = None) -> pd.DataFrame:
    """Subtotal, each invoice discount, total excluding tax, each tax, total, applied
    balance, credit notes before payment, amount paid, amount due, then credit notes after
    payment: every figure as Stripe gives it (line discounts are inside Stripe's subtotal),
    so each row follows from the ones above it. A void invoice owes nothing: its amount
    due is "—" (``status`` is the invoice's)."""
    currency = breakdown.currency
    rows: list[tuple[str, int | None]] = [("Subtotal", breakdown.subtotal)]
    rows += [(f"Discount: {d.label}", -d.amount) for d in breakdown.invoice_discounts]
    if breakdown.taxes or breakdown.invoice_discounts:
        rows.append(("Total excluding tax", breakdown.total_excluding_tax))
    rows += [(f"{t.label} on {money(t.taxable_amount, currency)}", t.amount)
             for t in breakdown.taxes]
    rows.append(("Total", breakdown.total))
    if breakdown.starting_balance:
        rows.append(("Customer balance applied", breakdown.starting_balance))
    if breakdown.pre_payment_credit_notes:
        rows.append(("Credit notes (before payment)", -breakdown.pre_payment_credit_notes))
    if breakdown.amount_paid:
        rows.append(("Amount paid", -breakdown.amount_paid))
    rows.append(("Amount due", None if status == "void" else
                 breakdown.amount_due if not breakdown.amount_paid
                 else breakdown.amount_remaining))
    if breakdown.post_payment_credit_notes:
        rows.append(("Credit notes after payment (refunded or to the customer's balance)",
                     -breakdown.post_payment_credit_notes))
    return pd.DataFrame([{"": what, "Amount": "—" if amount is None else money(amount, currency)}
                         for what, amount in rows], columns=["", "Amount"])


def totals(breakdown: InvoiceBreakdown, *, key: str, status: str | None = None) -> None:
    """The totals table (``status``: the invoice's, None for a preview); a note when
    lines carry their own discounts."""
    st.dataframe(total_rows(breakdown, status), hide_index=True, key=f"totals.{key}",
                 column_config={"Amount": st.column_config.TextColumn(alignment="right")},
                 placeholder="")
    if breakdown.line_discounts:
        given = money(sum(d.amount for d in breakdown.line_discounts), breakdown.currency)
        st.caption(f"Line discounts ({given}) are already taken off in the subtotal, "
                   "as Stripe counts them.")


def lines(invoice: Invoice, breakdown: InvoiceBreakdown | None = None) -> None:
    """The invoice lines with their discounts and taxes, then the totals."""
    st.subheader(f"Lines ({len(invoice.lines)})")
    if breakdown is None:
        frame = pd.DataFrame(
            [{"Description": line.description or line.price_id or "—",
              "Quantity": line.quantity,
              "Unit price": money(line.unit_amount, line.currency),
              "Amount": money(line.amount, line.currency)} for line in invoice.lines],
            columns=["Description", "Quantity", "Unit price", "Amount"],
        )
    else:
        frame = line_rows(breakdown)
    st.dataframe(frame, hide_index=True, column_config={
        "Unit price": st.column_config.TextColumn(alignment="right"),
        "Amount": st.column_config.TextColumn(alignment="right"),
    }, placeholder="")
    if breakdown is None:
        st.markdown(f"**Total {money(invoice.total, invoice.currency)}**")
    else:
        totals(breakdown, key=invoice.id, status=invoice.status)


def download_pdf(invoice: Invoice) -> None:
    """"Get PDF" for a finalized invoice: fetched through the services on click, then
    offered with ``st.download_button`` (nothing is fetched until asked)."""
    if invoice.status == "draft" or not invoice.invoice_pdf:
        return
    held = f"_pdf.{invoice.id}"
    pdf = st.session_state.get(held)
    if pdf is None:
        if st.button(f"Get PDF of {plain(label(invoice))}", key=f"get_pdf.{invoice.id}",
                     icon=":material/picture_as_pdf:"):
            try:
                st.session_state[held] = runtime.services().pdfs.download(invoice.id)
            except DashboardError as err:
                st.error(plain(err), icon=":material/error:")
                return
            st.rerun()
        return
    st.download_button(f"Download PDF ({plain(pdf.file_name)})", data=pdf.content,
                       file_name=pdf.file_name, mime="application/pdf",
                       key=f"download_pdf.{invoice.id}", icon=":material/download:",
                       on_click="ignore")
