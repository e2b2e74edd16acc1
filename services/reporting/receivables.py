"""Receivables reports as pandas tables: invoices, overdue, aging, KPIs.

Read from the read model (``services.readmodel``), filtered, sorted and cut in
SQL: a report costs no Stripe request, whatever the size of the book. Amounts stay
integer minor units per currency (never summed across currencies); every KPI
carries the exact rows behind its number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine

from services.core.clock import business_today
from services.readmodel.invoice_queries import (
    INVOICE_COLUMNS,
    INVOICE_STATUSES,
    NEWEST_FIRST,
    InvoiceOrder,
    InvoiceQuery,
    invoice_frame,
)
from services.reporting.aging import AGING_BUCKETS, aging_bucket, aging_table
from services.reporting.invoice_list import (
    EXPORT_MAX_ROWS,
    InvoiceExport,
    InvoiceListPage,
    export_rows,
    list_page,
)

__all__ = ["INVOICE_COLUMNS", "INVOICE_STATUSES", "InvoiceFilters", "InvoiceListing", "Kpi",
           "Reports"]

COLLECTION_PERIOD_DAYS = 30
DSO_PERIOD_DAYS = 90


@dataclass(frozen=True)
class InvoiceFilters:
    """What to show; dates are inclusive calendar days (UTC)."""

    statuses: tuple[str, ...] = ()
    customer_id: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    currency: str | None = None
    overdue_only: bool = False
    as_of: date | None = None
    paid_from: date | None = None  # the day an invoice became paid (status_transitions.paid_at)
    paid_to: date | None = None


@dataclass(frozen=True)
class InvoiceListing:
    """The newest invoices matching some filters: all of them when ``complete``,
    otherwise the newest ``len(rows)`` of more."""

    rows: pd.DataFrame = field(repr=False)
    complete: bool


@dataclass(frozen=True)
class Kpi:
    """One headline number per currency and the rows it was computed from."""

    key: str
    label: str
    values_by_currency: dict[str, int]
    rows: pd.DataFrame = field(repr=False)
    unit: str = "money"  # "money" (minor units) or "days"


class Reports:
    """Invoice reports read from the read model behind ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def invoices_table(self, filters: InvoiceFilters) -> pd.DataFrame:
        """One row per invoice matching ``filters``, newest first."""
        as_of = filters.as_of or business_today()
        return invoice_frame(self._engine, _query(filters, as_of), as_of)

    def invoices_page(self, filters: InvoiceFilters, *, max_rows: int = 500) -> InvoiceListing:
        """The newest ``max_rows`` invoices matching ``filters`` (same columns and order
        as :meth:`invoices_table`); ``complete`` says whether they are all of them."""
        if max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        as_of = filters.as_of or business_today()
        rows = invoice_frame(self._engine, _query(filters, as_of), as_of, limit=max_rows + 1)
        return InvoiceListing(rows.head(max_rows).reset_index(drop=True), len(rows) <= max_rows)

    def invoice_list_page(
        self, filters: InvoiceFilters, *, order: InvoiceOrder = NEWEST_FIRST, page: int = 1,
        page_size: int = 100,
    ) -> InvoiceListPage:
        """Page ``page`` (from 1; past the end gives the last) of ``page_size`` invoices
        matching ``filters`` in ``order``, sorted and cut in SQL, with the count and the
        totals per currency of every match. Raises ``InvalidInput`` naming ``page``,
        ``page_size`` or ``sort``."""
        as_of = filters.as_of or business_today()
        return list_page(self._engine, _query(filters, as_of), as_of, order=order, page=page,
                         page_size=page_size)

    def invoice_list_export(
        self, filters: InvoiceFilters, *, order: InvoiceOrder = NEWEST_FIRST,
        max_rows: int = EXPORT_MAX_ROWS,
    ) -> InvoiceExport:
        """Every invoice matching ``filters`` in ``order`` (at most ``max_rows``; the
        answer says when it was cut)."""
        as_of = filters.as_of or business_today()
        return export_rows(self._engine, _query(filters, as_of), as_of, order=order,
                           max_rows=max_rows)

    def overdue(self, as_of: date) -> pd.DataFrame:
        """Open invoices due before ``as_of``, most overdue first."""
        frame = self.invoices_table(InvoiceFilters(overdue_only=True, as_of=as_of))
        return frame.sort_values(
            ["days_overdue", "amount_remaining"], ascending=False, kind="stable"
        ).reset_index(drop=True)

    def aging(self, as_of: date) -> pd.DataFrame:
        """Open receivables by currency × bucket (count, amount_remaining), with a
        ``total`` row per currency."""
        return aging_table(self.invoices_table(InvoiceFilters(statuses=("open",), as_of=as_of)))

    def aging_rows(
        self, as_of: date, *, bucket: str, currency: str, customer_id: str | None = None
    ) -> pd.DataFrame:
        """The invoices behind one aging cell (``bucket="total"`` for the whole currency)."""
        if bucket not in (*AGING_BUCKETS, "total"):
            raise ValueError(f"bucket must be one of {', '.join(AGING_BUCKETS)} or total")
        frame = self.invoices_table(
            InvoiceFilters(statuses=("open",), customer_id=customer_id,
                           currency=currency, as_of=as_of)
        )
        frame = frame.assign(bucket=[aging_bucket(int(d)) for d in frame["days_overdue"]])
        if bucket != "total":
            frame = frame[frame["bucket"] == bucket]
        return frame.drop(columns=["bucket"]).reset_index(drop=True)

    def kpis(
        self,
        as_of: date,
        *,
        collection_days: int = COLLECTION_PERIOD_DAYS,
        dso_days: int = DSO_PERIOD_DAYS,
    ) -> list[Kpi]:
        """Outstanding, overdue, collected (in the ``collection_days`` up to ``as_of``)
        and DSO (over the ``dso_days`` up to ``as_of``)."""
        if collection_days < 1 or dso_days < 1:
            raise ValueError("KPI periods must be at least one day")
        open_rows = self.invoices_table(InvoiceFilters(statuses=("open",), as_of=as_of))
        overdue_rows = open_rows[open_rows["days_overdue"] > 0].reset_index(drop=True)
        collected_rows = invoice_frame(
            self._engine,
            InvoiceQuery(statuses=("paid",), created_to=as_of,
                         paid_from=as_of - timedelta(days=collection_days - 1), paid_to=as_of),
            as_of,
        )
        dso_values, dso_rows = self._dso(as_of, open_rows, dso_days)
        return [
            Kpi(
                "outstanding",
                "Outstanding (open invoices)",
                _sum_by_currency(open_rows, "amount_remaining"),
                open_rows,
            ),
            Kpi(
                "overdue",
                "Overdue (open, past due date)",
                _sum_by_currency(overdue_rows, "amount_remaining"),
                overdue_rows,
            ),
            Kpi(
                "collected",
                f"Collected in the last {collection_days} days",
                _sum_by_currency(collected_rows, "amount_paid"),
                collected_rows,
            ),
            Kpi(
                "dso",
                f"Days sales outstanding (last {dso_days} days)",
                dso_values,
                dso_rows,
                unit="days",
            ),
        ]

    # -- internals -------------------------------------------------------------------
    def _dso(
        self, as_of: date, open_rows: pd.DataFrame, days: int
    ) -> tuple[dict[str, int], pd.DataFrame]:
        """DSO = receivables ÷ invoiced in the period × days in the period, per currency.

        Invoiced = finalized invoices (open, paid, uncollectible) created in the period.
        """
        start = as_of - timedelta(days=days - 1)
        sales = invoice_frame(
            self._engine,
            InvoiceQuery(statuses=("open", "paid", "uncollectible"),
                         created_from=start, created_to=as_of),
            as_of,
        )
        receivable = _sum_by_currency(open_rows, "amount_remaining")
        invoiced = _sum_by_currency(sales, "total")
        values = {
            currency: round(receivable.get(currency, 0) / amount * days)
            for currency, amount in invoiced.items()
            if amount > 0
        }
        rows = pd.concat(
            [open_rows.assign(part="receivable"), sales.assign(part="invoiced in period")],
            ignore_index=True,
        )
        return values, rows


def _query(filters: InvoiceFilters, as_of: date) -> InvoiceQuery:
    return InvoiceQuery(
        statuses=filters.statuses,
        customer_id=filters.customer_id,
        currency=filters.currency,
        created_from=filters.created_from,
        created_to=filters.created_to,
        due_from=filters.due_from,
        due_to=filters.due_to,
        paid_from=filters.paid_from,
        paid_to=filters.paid_to,
        overdue_on=as_of if filters.overdue_only else None,
    )


def _sum_by_currency(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if frame.empty:
        return {}
    sums = frame.groupby("currency")[column].sum()
    return {str(currency): int(amount) for currency, amount in sums.items()}
