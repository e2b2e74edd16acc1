"""Receivables reports as pandas tables: invoices, overdue, aging, KPIs.

Read from the read model (``services.readmodel``), filtered, sorted and cut in
SQL: a report costs no Stripe request, whatever the size of the book. Amounts stay
integer minor units per currency (never summed across currencies). The KPIs and the
aging table are sums and counts computed in SQL
(``services.readmodel.receivable_queries``); the exact rows behind each number are
read only when asked for (:meth:`Reports.kpi_rows`, :meth:`Reports.aging_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from services.core.clock import business_today, business_zone
from services.readmodel.debtor_queries import DebtorPage, age_query, debtor_page
from services.readmodel.invoice_queries import (
    INVOICE_COLUMNS,
    INVOICE_STATUSES,
    NEWEST_FIRST,
    InvoiceOrder,
    InvoiceQuery,
    invoice_frame,
)
from services.readmodel.payment_queries import payments_received
from services.readmodel.receivable_queries import (
    FINALIZED,
    OVERDUE,
    Periods,
    aging_cells,
    collected_query,
    invoiced_query,
    receivable_figures,
    status_counts,
)
from services.reporting.aging import AGING_BUCKETS, aging_bucket, aging_frame
from services.reporting.invoice_list import (
    EXPORT_MAX_ROWS,
    InvoiceExport,
    InvoiceListPage,
    export_rows,
    list_page,
)

__all__ = ["AGING_BUCKETS", "FINALIZED", "INVOICED_IN_PERIOD", "INVOICE_COLUMNS",
           "INVOICE_STATUSES", "MOST_OVERDUE", "OVERDUE", "DebtorPage", "InvoiceFilters",
           "InvoiceListing", "Kpi", "Reports", "aging_bucket"]

COLLECTION_PERIOD_DAYS = 30
DSO_PERIOD_DAYS = 90
MOST_OVERDUE = InvoiceOrder("days_overdue", descending=True)
INVOICED_IN_PERIOD = "invoiced in period"  # kpi_rows("dso")'s part for the period's invoices


@dataclass(frozen=True)
class InvoiceFilters:
    """What to show; dates are inclusive calendar days of the business time zone."""

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
    """One headline number per currency (minor units, or days for DSO) and how many
    invoices it was computed from (for Collected: how many receipts), which
    :meth:`Reports.kpi_rows` lists."""

    key: str
    label: str
    values_by_currency: dict[str, int]
    invoices: int
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

    def aging(self, as_of: date, *, customer_id: str | None = None) -> pd.DataFrame:
        """Open receivables by currency × bucket (count, amount_remaining in minor units),
        with a ``total`` row per currency; counted and summed in SQL."""
        return aging_frame(aging_cells(self._engine, as_of, customer_id=customer_id))

    def aging_rows(
        self, as_of: date, *, bucket: str, currency: str, customer_id: str | None = None
    ) -> pd.DataFrame:
        """The open invoices behind one aging cell, newest first: ``bucket`` is one of
        ``AGING_BUCKETS``, ``"overdue"`` (every bucket past due) or ``"total"`` (all open).
        Raises ValueError for another bucket."""
        query = age_query(bucket, as_of, currency=currency, customer_id=customer_id)
        return invoice_frame(self._engine, query, as_of)

    def debtors(
        self, as_of: date, *, currency: str, bucket: str, rank: str = "amount_overdue",
        limit: int = 1_000,
    ) -> DebtorPage:
        """Who owes what in one currency and age (``aging_rows``' buckets): the ``limit``
        customers owing most by ``rank`` (``"amount_overdue"`` or ``"amount_remaining"``),
        with counts and sums of every one; grouped, ranked and cut in SQL
        (:func:`services.readmodel.debtor_queries.debtor_page`). Raises ValueError for an
        unknown bucket or rank."""
        return debtor_page(self._engine, as_of, currency=currency, bucket=bucket, rank=rank,
                           limit=limit)

    def aging_page(
        self, as_of: date, *, bucket: str, currency: str, customer_id: str | None = None,
        order: InvoiceOrder = MOST_OVERDUE, page: int = 1, page_size: int = 100,
    ) -> InvoiceListPage:
        """Page ``page`` of the open invoices behind one aging cell (``aging_rows``'
        buckets), optionally of one customer, in ``order`` (most overdue first by default;
        ``amount_remaining`` is the overdue amount of an overdue invoice), sorted and cut
        in SQL with the count and totals of all of them (the Invoices list's
        :func:`~services.reporting.invoice_list.list_page`). Raises ValueError for an
        unknown bucket, ``InvalidInput`` naming ``page``, ``page_size`` or ``sort``."""
        query = age_query(bucket, as_of, currency=currency, customer_id=customer_id)
        return list_page(self._engine, query, as_of, order=order, page=page,
                         page_size=page_size)

    def kpis(
        self,
        as_of: date,
        *,
        collection_days: int = COLLECTION_PERIOD_DAYS,
        dso_days: int = DSO_PERIOD_DAYS,
    ) -> list[Kpi]:
        """Outstanding, overdue, collected (in the ``collection_days`` up to ``as_of``)
        and DSO (over the ``dso_days`` up to ``as_of``), per currency, from one grouped
        SQL query. :meth:`kpi_rows` gives the invoices behind each. Raises ValueError
        for a period under one day.

        DSO = receivables ÷ invoiced in the period × days in the period, where invoiced
        is the total of finalized invoices (open, paid, uncollectible) created in it.
        """
        periods = _periods(as_of, collection_days, dso_days)
        figures = receivable_figures(self._engine, periods)

        def values(amount: str, count: str) -> dict[str, int]:
            return {currency: getattr(f, amount) for currency, f in sorted(figures.items())
                    if getattr(f, count) > 0}

        dso = {
            currency: round(f.outstanding / f.invoiced * dso_days)
            for currency, f in sorted(figures.items())
            if f.invoiced_count > 0 and f.invoiced > 0
        }
        invoices = {key: sum(getattr(f, key) for f in figures.values())
                    for key in ("open_count", "overdue_count", "collected_count", "dso_count")}
        return [
            Kpi("outstanding", "Outstanding (open invoices)",
                values("outstanding", "open_count"), invoices["open_count"]),
            Kpi("overdue", "Overdue (open, past due date)",
                values("overdue", "overdue_count"), invoices["overdue_count"]),
            Kpi("collected", f"Collected in the last {collection_days} days",
                values("collected", "collected_count"), invoices["collected_count"]),
            Kpi("dso", f"Days sales outstanding (last {dso_days} days)", dso,
                invoices["dso_count"], unit="days"),
        ]

    def kpi_rows(
        self,
        as_of: date,
        key: str,
        *,
        collection_days: int = COLLECTION_PERIOD_DAYS,
        dso_days: int = DSO_PERIOD_DAYS,
    ) -> pd.DataFrame:
        """The rows behind the KPI ``key``: for ``"outstanding"``, ``"overdue"`` and
        ``"dso"`` invoices (``invoices_table`` columns, newest first); for ``"dso"`` the
        open invoices (``part`` "receivable") then those invoiced in the period
        (``part`` "invoiced in period").

        For ``"collected"``: the receipts of the collection period, oldest first
        (``payment_queries.PAYMENT_COLUMNS``: invoice number, customer, ``amount`` in
        minor units, ``received_at`` in the business time zone, ``method``), the rows
        Cash received lists for those days; their ``amount`` per currency sums to the
        Collected figure (every paid payment, partial ones too, and money marked paid
        outside Stripe, see :mod:`services.readmodel.payment_queries`).
        Raises ValueError for another key.
        """
        periods = _periods(as_of, collection_days, dso_days)
        if key == "outstanding":
            return invoice_frame(self._engine, InvoiceQuery(statuses=("open",)), as_of)
        if key == "overdue":
            return invoice_frame(self._engine, InvoiceQuery(overdue_on=as_of), as_of)
        if key == "collected":
            receipts = payments_received(self._engine, collected_query(periods))
            receipts["received_at"] = receipts["received_at"].dt.tz_convert(business_zone())
            return receipts
        if key != "dso":
            raise ValueError("key must be outstanding, overdue, collected or dso")
        receivable = invoice_frame(self._engine, InvoiceQuery(statuses=("open",)), as_of)
        sales = invoice_frame(self._engine, invoiced_query(periods), as_of)
        return pd.concat(
            [receivable.assign(part="receivable"), sales.assign(part=INVOICED_IN_PERIOD)],
            ignore_index=True,
        )

    def period_status_counts(
        self, as_of: date, *, dso_days: int = DSO_PERIOD_DAYS
    ) -> dict[str, int]:
        """How many finalized invoices (open, paid, uncollectible) created in the DSO
        period have each status (statuses with none left out)."""
        return status_counts(self._engine, invoiced_query(_periods(as_of, 1, dso_days)))

    def period_invoices(
        self, as_of: date, status: str, *, dso_days: int = DSO_PERIOD_DAYS
    ) -> pd.DataFrame:
        """The invoices of ``status`` among those invoiced in the DSO period, newest
        first. Raises ValueError unless ``status`` is open, paid or uncollectible."""
        if status not in FINALIZED:
            raise ValueError(f"status must be one of {', '.join(FINALIZED)}")
        query = invoiced_query(_periods(as_of, 1, dso_days), statuses=(status,))
        return invoice_frame(self._engine, query, as_of)


def _periods(as_of: date, collection_days: int, dso_days: int) -> Periods:
    if collection_days < 1 or dso_days < 1:
        raise ValueError("KPI periods must be at least one day")
    return Periods(as_of, collection_days, dso_days)


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

