"""The lines of a customer statement, and the sources of invoices and payments.

A :class:`StatementLine` is one Stripe object's effect on what a customer owes
(``amount`` > 0 raises it, integer minor units) at a Unix time. A source is a function
``(StatementScope) -> [StatementLine]`` giving every line of the scope's customer
before its ``until`` (Unix seconds); :data:`services.reporting.statement.LINE_SOURCES`
lists them. The scope reads the customer's receipts once for every source that needs
them (the payments, and what was paid before a void), as plain tuples: the whole
history of a customer with thousands of invoices is read on every statement, because
its opening balance and what each invoice still owes depend on all of it.

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
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import Engine

from services.readmodel.payment_queries import PaymentQuery, payments_received
from services.readmodel.statement_queries import FinalizedInvoice, finalized_invoices


class StatementLine(NamedTuple):
    """One Stripe object's effect on what the customer owes (``amount`` > 0 raises it). A
    named tuple: a statement makes one per object of a customer's whole history."""

    at: int  # Unix seconds
    kind: str
    description: str
    object_id: str
    invoice_id: str | None
    number: str | None
    currency: str
    amount: int


class Receipt(NamedTuple):
    """One receipt of :func:`payments_received` as a statement needs it: ``received`` in
    Unix seconds, ``amount`` in minor units, ``source`` the Stripe object it names."""

    payment_id: str
    invoice_id: str
    number: str | None
    currency: str
    amount: int
    received: int
    method: str
    source: str


class StatementScope:
    """What every line source reads: ``customer_id``'s objects before ``until`` (Unix
    seconds) in the read model behind ``engine``; each read at most once."""

    def __init__(self, engine: Engine, customer_id: str, until: int) -> None:
        self.engine = engine
        self.customer_id = customer_id
        self.until = until

    @cached_property
    def invoices(self) -> list[FinalizedInvoice]:
        """The customer's invoices finalized before ``until``, oldest first."""
        return finalized_invoices(self.engine, self.customer_id, until=self.until)

    @cached_property
    def receipts(self) -> list[Receipt]:
        """The customer's receipts before ``until``, oldest first."""
        frame = payments_received(self.engine,
                                  PaymentQuery(customer_id=self.customer_id, end=self.until))
        received = frame["received_at"].dt.as_unit("s").astype("int64").tolist()
        columns = [frame[name].tolist() for name in (
            "payment_id", "invoice_id", "number", "currency", "amount", "method",
            "payment_intent", "payment_record")]  # fmt: skip
        return [
            Receipt(str(payment_id), str(invoice_id), _text(number), str(currency),
                    int(amount), int(seconds), str(method),
                    # money marked paid outside Stripe has no payment: the invoice names it
                    _text(record) or _text(intent) or str(payment_id))
            for (payment_id, invoice_id, number, currency, amount, method, intent, record),
            seconds in zip(zip(*columns, strict=True), received, strict=True)
        ]  # fmt: skip

    def paid_before(self, invoice_id: str, moment: int) -> int:
        """What the customer paid on ``invoice_id`` before ``moment`` (< ``until``)."""
        return sum(receipt.amount for receipt in self._receipts_by_invoice.get(invoice_id, ())
                   if receipt.received < moment)

    @cached_property
    def _receipts_by_invoice(self) -> dict[str, list[Receipt]]:
        found: dict[str, list[Receipt]] = {}
        for receipt in self.receipts:
            found.setdefault(receipt.invoice_id, []).append(receipt)
        return found


def _text(value: object) -> str | None:
    """A text value of a frame cell; ``None`` for a missing one (pandas gives NaN)."""
    return value if isinstance(value, str) and value else None


LineSource = Callable[[StatementScope], list[StatementLine]]


def invoice_lines(scope: StatementScope) -> list[StatementLine]:
    """Each finalized invoice, and its void or write-off, as lines (see the module doc)."""
    until = scope.until
    lines: list[StatementLine] = []
    for invoice in scope.invoices:
        label = invoice.number or invoice.invoice_id
        # gross of credit notes before payment: those are lines of their own
        owed = invoice.amount_due + invoice.pre_payment_credit_notes_amount
        lines.append(StatementLine(
            invoice.finalized_at, "invoice", f"Invoice {label}", invoice.invoice_id,
            invoice.invoice_id, invoice.number, invoice.currency, owed,
        ))  # fmt: skip
        if invoice.amount_overpaid and invoice.paid_at is not None and invoice.paid_at < until:
            lines.append(StatementLine(  # the excess leaves the invoice for the balance
                int(invoice.paid_at), "balance transaction",
                f"Overpayment of {label} credited to the customer's balance",
                invoice.invoice_id, invoice.invoice_id, invoice.number, invoice.currency,
                invoice.amount_overpaid,
            ))  # fmt: skip
        closing = _closing_event(invoice)
        if closing is not None and closing[1] < until:
            kind, when = closing
            # net of credit notes
            still_open = invoice.amount_due - scope.paid_before(invoice.invoice_id, when)
            if still_open:
                words = "voided" if kind == "void" else "marked uncollectible"
                lines.append(StatementLine(
                    when, kind, f"Invoice {label} {words}", invoice.invoice_id,
                    invoice.invoice_id, invoice.number, invoice.currency, -still_open,
                ))  # fmt: skip
    return lines


def _closing_event(invoice: FinalizedInvoice) -> tuple[str, int] | None:
    if invoice.status == "void" and invoice.voided_at is not None:
        return "void", int(invoice.voided_at)
    if invoice.status == "uncollectible" and invoice.marked_uncollectible_at is not None:
        return "write-off", int(invoice.marked_uncollectible_at)
    return None


def payment_lines(scope: StatementScope) -> list[StatementLine]:
    """Each paid invoice payment (partial ones too) on the day its money came in."""
    return [
        StatementLine(
            receipt.received, "payment",
            f"Payment for {receipt.number or receipt.invoice_id} · {receipt.method} "
            f"({receipt.source})",
            receipt.payment_id, receipt.invoice_id, receipt.number, receipt.currency,
            -receipt.amount,
        )
        for receipt in scope.receipts
    ]  # fmt: skip
