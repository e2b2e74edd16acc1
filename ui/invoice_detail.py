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
from ui import invoice_money, runtime
from ui.formatting import day, moment, money, overdue_text, status_badge
from ui.text import https_only, plain

if TYPE_CHECKING:
    from services.core.models import Invoice
    from services.invoicing.breakdown import InvoiceBreakdown

#: Timeline steps: (label, invoice attribute with the time, audit actions that did it)
TIMELINE_STEPS = (
    ("Created", "created", ("create_draft", "duplicate_invoice")),
    ("Finalized", "finalized_at", ("finalize_invoice",)),
    ("Sent", None, ("send_invoice",)),
    ("Paid", "paid_at", ("record_payment",)),
    ("Voided", "voided_at", ("void_invoice",)),
    ("Marked uncollectible", "marked_uncollectible_at", ("mark_uncollectible",)),
)
SUCCESS = "success"  # audit rows of writes that went through


def label(invoice: Invoice) -> str:
    """How the invoice is named in buttons and dialogs: its number, or "draft in_…"."""
    return invoice.number or f"draft {invoice.id}"


def header(invoice: Invoice, today: date) -> None:
    """Number, status badge, customer, amounts, due date and days overdue."""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        st.title(f"Invoice {plain(label(invoice))}")
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


def nothing_was_due(invoice: Invoice) -> bool:
    """A paid invoice of 0.00: Stripe marks it paid at finalization, nobody paid anything."""
    return invoice.status == "paid" and invoice.amount_due == 0 == invoice.amount_paid


def _paid_by(invoice: Invoice) -> str:
    """Who paid an invoice the dashboard did not record a payment for."""
    return NO_PAYMENT_NEEDED if nothing_was_due(invoice) else "Stripe (customer payment)"


NO_PAYMENT_NEEDED = "No payment needed"


def timeline_rows(invoice: Invoice, history: pd.DataFrame) -> pd.DataFrame:
    """One row per step the invoice went through: when, what, who, why."""
    rows = []
    succeeded = history[history["outcome"] == SUCCESS] if len(history) else history
    for step, attribute, actions in TIMELINE_STEPS:
        done = succeeded[succeeded["action"].isin(actions)] if len(succeeded) else succeeded
        at = getattr(invoice, attribute) if attribute else None
        if at is None and (not len(done) or step == "Paid"):  # a part payment pays nothing
            continue
        audit = done.iloc[-1] if len(done) else None
        rows.append({
            # When it happened: the audit row's time when the dashboard did it (Stripe's
            # own timestamp is a test clock's frozen time for demo customers), else Stripe's.
            "When": moment(audit["at"] if audit is not None else at),
            "What": step,
            "Who": audit["username"] if audit is not None else _paid_by(invoice)
            if step == "Paid" else "Stripe",
            "Reason or note": (audit.get("reason") or "") if audit is not None else "",
        })
    return pd.DataFrame(rows, columns=["When", "What", "Who", "Reason or note"])


def timeline(invoice: Invoice, history: pd.DataFrame) -> None:
    """The status timeline table with each payment and credit note, then the invoice's
    payments and credit notes (:mod:`ui.invoice_money`)."""
    st.subheader("Timeline")
    st.dataframe(invoice_money.with_money_events(timeline_rows(invoice, history), invoice),
                 hide_index=True)
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
                 column_config={"Amount": st.column_config.TextColumn(alignment="right")})
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
    })
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
