"""A customer statement: what one customer owed, what happened in a period, what is open.

For a customer and a period (inclusive days) and per currency: the opening balance
(what was owed when the period began), every line of the period in date order with
a running balance, the closing balance, and the aging of what is open at the period
end. A line is one Stripe object's effect on what the customer owes, and names it:

- ``invoice`` (``in_…``): finalized, owes its ``amount_due`` from ``finalized_at``;
- ``payment`` (``inpay_…``, Stripe's InvoicePayment, each partial payment its own
  line on the day the money came in, naming the payment record or intent behind it);
- ``void`` (``in_…``): what was still open when the invoice was voided;
- ``write-off`` (``in_…``): what was open when it was marked uncollectible (Stripe
  keeps it payable, the receivables reports no longer count it).

Lines come from :data:`LINE_SOURCES`, functions ``(engine, customer_id, until) ->
[StatementLine]``; credit notes (``cn_…``) and customer balance transactions
(``cbtxn_…``) plug in there as sources of their own once the read model stores them
(an invoice's ``amount_due`` already shows a pre-payment credit note, so such a source
must also add the credited amount back to its invoice line). Amounts are integer minor
units, positive when they raise what the customer owes; never summed across currencies.
Follows https://docs.stripe.com/invoicing/overview (statuses) and
https://docs.stripe.com/api/invoice-payment/object (payments).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import pandas as pd
from sqlalchemy import Engine

from services.core.errors import InvalidInput, NotFound
from services.core.money import format_amount
from services.readmodel.payment_queries import PaymentQuery, payments_received
from services.readmodel.statement_queries import (
    FinalizedInvoice,
    customer_label,
    due_dates,
    finalized_invoices,
)
from services.reporting.aging import AGING_BUCKETS, aging_bucket

LINE_COLUMNS = ["date", "kind", "description", "number", "object_id", "invoice_id",
                "amount", "balance"]  # fmt: skip
OPEN_COLUMNS = ["invoice_id", "number", "due_date", "days_overdue", "bucket", "open_amount"]
_KIND_ORDER = {"invoice": 0, "credit note": 1, "payment": 2, "balance transaction": 3,
               "void": 4, "write-off": 5}  # fmt: skip


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


@dataclass(frozen=True)
class CurrencyStatement:
    """The statement in one currency: ``lines`` (``LINE_COLUMNS``, ``balance`` running from
    ``opening``), ``closing`` = ``opening`` + the lines' sum; ``aging`` the open amount at the
    period end per bucket (``AGING_BUCKETS`` and ``total``) and ``open_invoices`` behind it."""

    currency: str
    opening: int
    lines: pd.DataFrame = field(repr=False)
    closing: int
    aging: dict[str, int]
    open_invoices: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class CustomerStatement:
    """A customer's statement from ``start`` to ``end`` (inclusive), one section per currency
    the customer was ever invoiced in up to ``end``."""

    customer_id: str
    name: str | None
    email: str | None
    start: date
    end: date
    sections: list[CurrencyStatement]


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


def invoice_lines(engine: Engine, customer_id: str, until: int) -> list[StatementLine]:
    """Each finalized invoice, and its void or write-off, as lines (see the module doc)."""
    paid = _paid_before(engine, customer_id, until)
    lines: list[StatementLine] = []
    for invoice in finalized_invoices(engine, customer_id, until=until):
        label = invoice.number or invoice.invoice_id
        words = f"Invoice {label}"
        if invoice.pre_payment_credit_notes_amount:  # until credit notes are lines of their own
            credited = format_amount(invoice.pre_payment_credit_notes_amount, invoice.currency)
            words += f" (net of credit notes: {credited})"
        lines.append(StatementLine(
            _moment(invoice.finalized_at), "invoice", words, invoice.invoice_id,
            invoice.invoice_id, invoice.number, invoice.currency, invoice.amount_due,
        ))  # fmt: skip
        closing = _closing_event(invoice)
        if closing is not None and closing[1] < until:
            kind, when = closing
            still_open = invoice.amount_due - paid(invoice.invoice_id, when)
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
    rows = payments_received(engine, PaymentQuery(customer_id=customer_id, end=_moment(until)))
    lines = []
    for row in rows.to_dict("records"):
        source = row["payment_record"] or row["payment_intent"]
        label = row["number"] or row["invoice_id"]
        description = f"Payment for {label} · {row['method']}" + (f" ({source})" if source else "")
        lines.append(StatementLine(
            row["received_at"].to_pydatetime(), "payment", description, str(row["payment_id"]),
            str(row["invoice_id"]), row["number"], str(row["currency"]), -int(row["amount"]),
        ))  # fmt: skip
    return lines


#: Every kind of line a statement shows. Add credit notes and customer balance
#: transactions here once the read model stores them.
LINE_SOURCES: tuple[LineSource, ...] = (invoice_lines, payment_lines)


class StatementReport:
    """Customer statements read from the read model behind ``engine``."""

    def __init__(self, engine: Engine, zone: tzinfo = UTC,
                 sources: Sequence[LineSource] = LINE_SOURCES) -> None:
        self._engine = engine
        self._zone = zone
        self._sources = tuple(sources)

    def statement(self, customer_id: str, start: date, end: date) -> CustomerStatement:
        """``customer_id``'s statement for the days ``start``..``end``. Raises
        :class:`InvalidInput` (``end`` before ``start``, field ``end``) or :class:`NotFound`
        (an unknown customer, field ``customer``)."""
        if end < start:
            raise InvalidInput(
                f"The statement ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d}).",
                field="end",
            )
        known = customer_label(self._engine, customer_id)
        if known is None:
            raise NotFound(f"There is no customer {customer_id}.", field="customer")
        begins = datetime.combine(start, time.min, tzinfo=self._zone)
        until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=self._zone)
        lines = [line for source in self._sources
                 for line in source(self._engine, customer_id, int(until.timestamp()))]
        lines.sort(key=lambda line: (line.at, _KIND_ORDER.get(line.kind, 9), line.object_id))
        currencies = sorted({line.currency for line in lines})
        sections = [self._section(currency, [x for x in lines if x.currency == currency],
                                  begins, end) for currency in currencies]
        return CustomerStatement(customer_id, known[0], known[1], start, end, sections)

    def _section(self, currency: str, lines: list[StatementLine], begins: datetime,
                 end: date) -> CurrencyStatement:
        before = [line for line in lines if line.at < begins]
        during = [line for line in lines if line.at >= begins]
        opening = sum(line.amount for line in before)
        frame = pd.DataFrame(
            [[line.at, line.kind, line.description, line.number, line.object_id,
              line.invoice_id, line.amount] for line in during],
            columns=LINE_COLUMNS[:-1],
        )  # fmt: skip
        frame["amount"] = frame["amount"].astype("int64")
        frame["balance"] = (opening + frame["amount"].cumsum()).astype("int64")
        closing = opening + int(frame["amount"].sum())
        open_invoices = self._open_at(lines, end)
        aging = {bucket: int(open_invoices.loc[open_invoices["bucket"] == bucket,
                                               "open_amount"].sum())
                 for bucket in AGING_BUCKETS}  # fmt: skip
        aging["total"] = int(open_invoices["open_amount"].sum())
        return CurrencyStatement(currency, opening, frame, closing, aging, open_invoices)

    def _open_at(self, lines: list[StatementLine], end: date) -> pd.DataFrame:
        """What each invoice still owed at the end of ``end``, aged on ``end``."""
        owed: dict[str, int] = {}
        numbers: dict[str, str | None] = {}
        for line in lines:
            if line.invoice_id is not None:
                owed[line.invoice_id] = owed.get(line.invoice_id, 0) + line.amount
                numbers.setdefault(line.invoice_id, line.number)
        due = self._due_dates(list(owed))
        rows = []
        for invoice_id, amount in owed.items():
            if amount == 0:
                continue
            due_day = due.get(invoice_id)
            late = max((end - due_day).days, 0) if due_day is not None else 0
            rows.append([invoice_id, numbers[invoice_id], due_day, late, aging_bucket(late),
                         amount])
        return pd.DataFrame(rows, columns=OPEN_COLUMNS).astype(
            {"days_overdue": "int64", "open_amount": "int64"})

    def _due_dates(self, invoice_ids: list[str]) -> dict[str, date]:
        return {invoice_id: _moment(seconds).astimezone(self._zone).date()
                for invoice_id, seconds in due_dates(self._engine, invoice_ids).items()}
