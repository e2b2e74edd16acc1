"""What an approver should know before finalizing a draft, read from the read model.

Finalizing fixes the invoice's number and content (https://docs.stripe.com/invoicing/
integration/workflow-transitions#finalized), so the confirmation lists what usually
means a mistake:

- the customer has no email: Stripe cannot send the invoice or its reminders
  (https://docs.stripe.com/api/invoices/send: the customer's email is the recipient);
- the currency differs from the customer's earlier invoices;
- the due date has passed already (the invoice is overdue from the start);
- the PO number is already on another open invoice (billed twice?).

Each finding is a warning, not a refusal: the approver may still finalize.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select

from services.core.models import Invoice
from services.readmodel.tables import customers, invoices

MISSING_EMAIL = "missing_email"
OTHER_CURRENCY = "other_currency"
DUE_DATE_PASSED = "due_date_passed"
PO_NUMBER_REUSED = "po_number_reused"


@dataclass(frozen=True)
class FinalizeWarning:
    """One finding: a stable ``code`` (above) and a sentence for the user (plain text)."""

    code: str
    message: str


def finalize_warnings(engine: Engine, invoice: Invoice, today: date) -> list[FinalizeWarning]:
    """The findings for draft ``invoice`` on ``today`` (UTC calendar day), in the order
    of the module doc; an empty list when nothing looks wrong."""
    found: list[FinalizeWarning] = []
    email = _customer_email(engine, invoice)
    if not email:
        found.append(FinalizeWarning(
            MISSING_EMAIL, "The customer has no email address: Stripe will not send this "
            "invoice or its reminders. Add an email on the Customers page first."))
    earlier = _earlier_currencies(engine, invoice)
    if earlier and invoice.currency not in earlier:
        before = ", ".join(sorted(code.upper() for code in earlier))
        found.append(FinalizeWarning(
            OTHER_CURRENCY, f"This invoice is in {invoice.currency.upper()}; the customer's "
            f"earlier invoices are in {before}."))
    if invoice.due_date is not None and invoice.due_date < today:
        found.append(FinalizeWarning(
            DUE_DATE_PASSED, f"The due date {invoice.due_date.isoformat()} has passed: the "
            "invoice will be overdue as soon as it is finalized. Change the days until due."))
    for number in _open_invoices_with_po(engine, invoice):
        found.append(FinalizeWarning(
            PO_NUMBER_REUSED, f"PO number {invoice.po_number} is already on open invoice "
            f"{number}."))
    return found


def _customer_email(engine: Engine, invoice: Invoice) -> str | None:
    if invoice.customer_id is None:
        return invoice.customer_email
    with engine.connect() as conn:
        stored = conn.execute(
            select(customers.c.email, customers.c.deleted)
            .where(customers.c.id == invoice.customer_id)
        ).first()
    if stored is None:  # not in the copy yet: the draft shows the customer's current email
        return invoice.customer_email
    return stored.email


def _earlier_currencies(engine: Engine, invoice: Invoice) -> set[str]:
    """Currencies of the customer's finalized invoices (drafts and deleted ones aside)."""
    if invoice.customer_id is None:
        return set()
    with engine.connect() as conn:
        rows = conn.scalars(
            select(invoices.c.currency).distinct().where(
                invoices.c.customer_id == invoice.customer_id,
                invoices.c.id != invoice.id,
                invoices.c.status != "draft",
                invoices.c.deleted.is_(False),
            )
        )
        return {row for row in rows if row}


def _open_invoices_with_po(engine: Engine, invoice: Invoice) -> list[str]:
    """Numbers of other open invoices with the same PO number (as typed, ends trimmed)."""
    po_number = (invoice.po_number or "").strip()
    if not po_number:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            select(invoices.c.number, invoices.c.id).where(
                invoices.c.po_number == po_number,
                invoices.c.status == "open",
                invoices.c.id != invoice.id,
                invoices.c.deleted.is_(False),
            ).order_by(invoices.c.created.desc()).limit(5)
        ).all()
    return [row.number or row.id for row in rows]
