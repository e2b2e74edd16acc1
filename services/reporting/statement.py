"""A customer statement: what one customer owed, what happened in a period, what is open.

For a customer and a period (inclusive days) and per currency: the opening balance
(what was owed when the period began), every line of the period in date order with
a running balance, the closing balance, and the aging of what is open at the period
end. Every line names the Stripe object behind it (``in_…``, ``inpay_…``, ``cn_…``,
``cbtxn_…``); the lines come from :data:`LINE_SOURCES`
(:mod:`services.reporting.statement_lines` for invoices and payments,
:mod:`services.reporting.statement_credit_notes` for credit notes). The closing balance
is what the customer's invoices still owe at the period end, so it equals the aging's
total open amount on that day. Amounts are integer minor units, positive when they raise
what the customer owes; never summed across currencies. The period's days are days of
the business time zone (:func:`services.core.clock.business_zone`), so a payment is on
the same day here as on Cash received and in the Invoices paid filter; each line's
``date`` is an aware time in that zone, and the open invoices are aged as every list
ages them (:func:`services.core.business_days.days_overdue`).
Follows https://docs.stripe.com/invoicing/overview (statuses) and
https://docs.stripe.com/api/invoice-payment/object (payments).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

import pandas as pd
from sqlalchemy import Engine

from services.core import clock
from services.core.business_days import as_of_moment, day_of, day_start, days_overdue
from services.core.errors import InvalidInput, NotFound
from services.readmodel.statement_queries import customer_label, due_dates
from services.reporting.aging import AGING_BUCKETS, aging_bucket
from services.reporting.statement_credit_notes import credit_note_lines
from services.reporting.statement_lines import (
    LineSource,
    StatementLine,
    StatementScope,
    invoice_lines,
    payment_lines,
)

__all__ = ["LINE_COLUMNS", "LINE_SOURCES", "CurrencyStatement", "CustomerStatement",
           "StatementLine", "StatementReport"]

LINE_COLUMNS = ["date", "kind", "description", "number", "object_id", "invoice_id",
                "amount", "balance"]  # fmt: skip
OPEN_COLUMNS = ["invoice_id", "number", "due_date", "days_overdue", "bucket", "open_amount"]
_KIND_ORDER = {"invoice": 0, "credit note": 1, "payment": 2, "balance transaction": 3,
               "refund": 3, "void": 4, "write-off": 5}  # fmt: skip


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


#: Every kind of line a statement shows; customer balance transactions (``cbtxn_…`` not
#: made by a credit note) plug in here once the read model stores them.
LINE_SOURCES: tuple[LineSource, ...] = (invoice_lines, payment_lines, credit_note_lines)


class StatementReport:
    """Customer statements read from the read model behind ``engine``."""

    def __init__(self, engine: Engine, zone: tzinfo | None = None,
                 sources: Sequence[LineSource] = LINE_SOURCES) -> None:
        self._engine = engine
        self._zone = zone if zone is not None else clock.business_zone()
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
        begins = day_start(start, self._zone)
        until = day_start(end + timedelta(days=1), self._zone)
        scope = StatementScope(self._engine, customer_id, until)
        lines = [line for source in self._sources for line in source(scope)]
        lines.sort(key=lambda line: (line.at, _KIND_ORDER.get(line.kind, 9), line.object_id))
        by_currency: dict[str, list[StatementLine]] = {}
        for line in lines:
            by_currency.setdefault(line.currency, []).append(line)
        sections = [self._section(scope, currency, by_currency[currency], begins, end)
                    for currency in sorted(by_currency)]
        return CustomerStatement(customer_id, known[0], known[1], start, end, sections)

    def _section(self, scope: StatementScope, currency: str, lines: list[StatementLine],
                 begins: int, end: date) -> CurrencyStatement:
        opening = sum(line.amount for line in lines if line.at < begins)
        frame = pd.DataFrame(
            [[datetime.fromtimestamp(line.at, self._zone), line.kind, line.description,
              line.number, line.object_id, line.invoice_id, line.amount]
             for line in lines if line.at >= begins],
            columns=LINE_COLUMNS[:-1],
        )  # fmt: skip
        frame["amount"] = frame["amount"].astype("int64")
        frame["balance"] = (opening + frame["amount"].cumsum()).astype("int64")
        closing = opening + int(frame["amount"].sum())
        open_invoices = self._open_at(scope, lines, end)
        aging = dict.fromkeys(AGING_BUCKETS, 0)
        for bucket, amount in zip(open_invoices["bucket"].tolist(),
                                  open_invoices["open_amount"].tolist(), strict=True):
            aging[bucket] += int(amount)
        aging["total"] = sum(aging.values())
        return CurrencyStatement(currency, opening, frame, closing, aging, open_invoices)

    def _open_at(self, scope: StatementScope, lines: list[StatementLine],
                 end: date) -> pd.DataFrame:
        """What each invoice still owed at the end of ``end``, aged on ``end`` (as of now
        when ``end`` is today)."""
        owed: dict[str, int] = {}
        numbers: dict[str, str | None] = {}
        for line in lines:
            if line.invoice_id is not None:
                owed[line.invoice_id] = owed.get(line.invoice_id, 0) + line.amount
                numbers.setdefault(line.invoice_id, line.number)
        still_owing = [invoice_id for invoice_id, amount in owed.items() if amount != 0]
        read = {invoice.invoice_id: invoice.due_date for invoice in scope.invoices}
        due = {invoice_id: int(at) for invoice_id, at in read.items() if at is not None}
        # a line naming an invoice the scope did not read (none in practice): ask for it
        due.update(due_dates(self._engine, [invoice_id for invoice_id in still_owing
                                            if invoice_id not in read]))
        reference = as_of_moment(end)
        rows = []
        for invoice_id in still_owing:
            due_at = due.get(invoice_id)
            due_day = None if due_at is None else day_of(due_at, self._zone)
            late = days_overdue(due_at, end, reference, self._zone)
            rows.append([invoice_id, numbers[invoice_id], due_day, late, aging_bucket(late),
                         owed[invoice_id]])
        return pd.DataFrame(rows, columns=OPEN_COLUMNS).astype(
            {"days_overdue": "int64", "open_amount": "int64"})
