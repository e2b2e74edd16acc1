"""The lines of a customer statement, and the sources of invoices and payments.

A :class:`StatementLine` is one Stripe object's effect on what a customer owes
(``amount`` > 0 raises it, integer minor units). A source is a function
``(engine, customer_id, until) -> [StatementLine]`` giving every line before ``until``
(Unix seconds); :data:`services.reporting.statement.LINE_SOURCES` lists them:

- :func:`invoice_lines`: each finalized invoice (``in_…``) owes its ``amount_due`` plus
  what credit notes took off before payment (they are lines of their own,
  :mod:`services.reporting.statement_credit_notes`) from ``finalized_at``; a voided one
  then drops what was still open (``void``), one marked uncollectible too
  (``write-off``: Stripe keeps it payable, the receivables reports no longer count it);
  What was paid beyond ``amount_due`` (``amount_overpaid``) leaves the invoice for the
  customer's credit balance (``balance transaction``), which Stripe applies to a later
  invoice's ``amount_due``;
- :func:`payment_lines`: each receipt of :mod:`services.readmodel.payment_queries` on
  the day its money came in: a paid InvoicePayment (``inpay_…``, partial ones too)
  naming the payment record or intent behind it, or money marked paid outside Stripe
  (``paid_out_of_band``: no InvoicePayment) naming the invoice (``in_…``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from services.readmodel.payment_queries import PaymentQuery, payments_received
from services.readmodel.statement_queries import FinalizedInvoice, finalized_invoices


@dataclass(frozen=True)
class StatementLine:
    """One Stripe object's effect on what the customer owes (``amount`` > 0 raises it)."""

    at: datetime  # aware UTC
    kind: str
    description: str
    object_id: str
    invoice_id: str | None
    number: str | None
    currency: str
    amount: int


LineSource = Callable[[Engine, str, int], list[StatementLine]]


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


def invoice_lines(engine: Engine, customer_id: str, until: int) -> list[StatementLine]:
    """Each finalized invoice, and its void or write-off, as lines (see the module doc)."""
    paid = _paid_before(engine, customer_id, until)
    lines: list[StatementLine] = []
    for invoice in finalized_invoices(engine, customer_id, until=until):
        label = invoice.number or invoice.invoice_id
        # gross of credit notes before payment: those are lines of their own
        owed = invoice.amount_due + invoice.pre_payment_credit_notes_amount
        lines.append(StatementLine(
            _moment(invoice.finalized_at), "invoice", f"Invoice {label}", invoice.invoice_id,
            invoice.invoice_id, invoice.number, invoice.currency, owed,
        ))  # fmt: skip
        if invoice.amount_overpaid and invoice.paid_at is not None and invoice.paid_at < until:
            lines.append(StatementLine(  # the excess leaves the invoice for the balance
                _moment(invoice.paid_at), "balance transaction",
                f"Overpayment of {label} credited to the customer's balance",
                invoice.invoice_id, invoice.invoice_id, invoice.number, invoice.currency,
                invoice.amount_overpaid,
            ))  # fmt: skip
        closing = _closing_event(invoice)
        if closing is not None and closing[1] < until:
            kind, when = closing
            still_open = invoice.amount_due - paid(invoice.invoice_id, when)  # net of notes
            if still_open:
                words = "voided" if kind == "void" else "marked uncollectible"
                lines.append(StatementLine(
                    _moment(when), kind, f"Invoice {label} {words}", invoice.invoice_id,
                    invoice.invoice_id, invoice.number, invoice.currency, -still_open,
                ))  # fmt: skip
    return lines


def _closing_event(invoice: FinalizedInvoice) -> tuple[str, int] | None:
    if invoice.status == "void" and invoice.voided_at is not None:
        return "void", int(invoice.voided_at)
    if invoice.status == "uncollectible" and invoice.marked_uncollectible_at is not None:
        return "write-off", int(invoice.marked_uncollectible_at)
    return None


def _paid_before(engine: Engine, customer_id: str, until: int) -> Callable[[str, int], int]:
    payments = payments_received(engine, PaymentQuery(customer_id=customer_id))

    def paid(invoice_id: str, before: int) -> int:
        rows = payments[(payments["invoice_id"] == invoice_id)
                        & (payments["received_at"] < _moment(min(before, until)))]
        return int(rows["amount"].sum())

    return paid


def payment_lines(engine: Engine, customer_id: str, until: int) -> list[StatementLine]:
    """Each paid invoice payment (partial ones too) on the day its money came in."""
    rows = payments_received(engine, PaymentQuery(customer_id=customer_id, end=until))
    lines = []
    for row in rows.to_dict("records"):
        # money marked paid outside Stripe has no payment: its receipt is named by the invoice
        source = next(str(row[key]) for key in ("payment_record", "payment_intent", "payment_id")
                      if isinstance(row[key], str) and row[key])
        label = row["number"] or row["invoice_id"]
        description = f"Payment for {label} · {row['method']} ({source})"
        lines.append(StatementLine(
            row["received_at"].to_pydatetime(), "payment", description, str(row["payment_id"]),
            str(row["invoice_id"]), row["number"], str(row["currency"]), -int(row["amount"]),
        ))  # fmt: skip
    return lines


