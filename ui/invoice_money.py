"""Money in and corrections on the Invoice and Customer pages: an invoice's payments (when,
how much, how, reference) and its credit notes (their timeline rows:
:mod:`ui.invoice_timeline`).

Everything is read from the read model through the services (no Stripe request, except
once for an invoice stored before its payments' records were). Amounts go through
:func:`ui.formatting.money`; text from Stripe or forms sits in dataframes (shown as text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from services.core.errors import DashboardError
from services.readmodel.invoice_payment_list import InvoicePaymentRow, payments_of_invoice
from ui import runtime
from ui.formatting import day, money
from ui.text import plain

if TYPE_CHECKING:
    from services.core.models import Invoice
    from services.readmodel.credit_note_queries import CreditNote

PAYMENT_COLUMNS = ["Received", "Amount", "Method", "Reference", "Recorded by"]
CREDIT_NOTE_COLUMNS = ["Number", "Issued", "Reason", "Amount", "Reduced what is owed",
                       "To customer balance", "Refunded outside Stripe", "Status", "Memo"]


def invoice_payments(invoice_id: str) -> list[InvoicePaymentRow]:
    """The invoice's payments (read model; see :mod:`services.readmodel.invoice_payment_list`)."""
    return payments_of_invoice(runtime.services().read_model, invoice_id)


def invoice_credit_notes(invoice_id: str) -> list[CreditNote]:
    """The invoice's credit notes, oldest first (read model)."""
    return runtime.services().invoices.credit_notes.of_invoice(invoice_id)


def payment_rows(payments: list[InvoicePaymentRow]) -> pd.DataFrame:
    """One row per payment, oldest first."""
    return pd.DataFrame(
        [{"Received": day(p.received_at), "Amount": money(p.amount, p.currency),
          "Method": p.method, "Reference": p.reference or "",
          "Recorded by": p.recorded_by or ""} for p in payments],
        columns=PAYMENT_COLUMNS)


def credit_note_rows(notes: list[CreditNote]) -> pd.DataFrame:
    """One row per credit note, oldest first, with where its money went."""
    return pd.DataFrame(
        [{"Number": n.number or n.id, "Issued": day(n.created), "Reason": n.reason_label,
          "Amount": money(n.total, n.currency),
          "Reduced what is owed": money(n.reduced_owed, n.currency),
          "To customer balance": money(n.to_balance, n.currency),
          "Refunded outside Stripe": money(n.outside_stripe, n.currency),
          "Status": "Void" if n.status == "void" else "Issued", "Memo": n.memo or ""}
         for n in notes],
        columns=CREDIT_NOTE_COLUMNS)


def payments_section(invoice: Invoice) -> None:
    """"Payments": every payment with its date, method and reference."""
    if invoice.status == "draft":
        return
    st.subheader("Payments")
    try:
        payments = invoice_payments(invoice.id)
    except DashboardError as err:
        st.error(f"Could not load the payments: {plain(err)}", icon=":material/cloud_off:")
        return
    if not payments:
        st.caption("No payment received yet." if invoice.amount_due else
                   "No payment was needed: nothing was due on this invoice.")
        return
    st.dataframe(payment_rows(payments), hide_index=True, key=f"payments.{invoice.id}",
                 column_config={"Amount": st.column_config.TextColumn(alignment="right")},
                 placeholder="")


def credit_notes_section(invoice: Invoice) -> None:
    """"Credit notes" of the invoice, when it has any."""
    notes = invoice_credit_notes(invoice.id)
    if notes:
        st.subheader(f"Credit notes ({len(notes)})")
        credit_notes_table(notes, key=f"credit_notes.{invoice.id}")


def credit_notes_table(notes: list[CreditNote], *, key: str) -> None:
    """The credit notes as a table (amounts right-aligned)."""
    money_columns = ["Amount", "Reduced what is owed", "To customer balance",
                     "Refunded outside Stripe"]
    st.dataframe(credit_note_rows(notes), hide_index=True, key=key, placeholder="",
                 column_config={name: st.column_config.TextColumn(alignment="right")
                                for name in money_columns})


def customer_credit_notes(customer_id: str) -> None:
    """The customer page's "Credit notes" (nothing when the customer has none)."""
    notes = runtime.services().invoices.credit_notes.of_customer(customer_id)
    if notes:
        st.subheader(f"Credit notes ({len(notes)})")
        credit_notes_table(notes, key=f"customer_credit_notes.{customer_id}")
