"""Receivables figures computed in SQL over the read model: sums, counts, aging cells.

The Overview KPIs and the Overdue & aging summary are sums and counts per currency
(and per aging bucket or status). Reading every open invoice into pandas to add
them up costs about a second at 100,000 invoices; one grouped ``SELECT`` over the
indexed columns of ``rm_invoices`` answers in tens of milliseconds on SQLite and
PostgreSQL alike. Amounts are integer minor units, summed per currency and never
across currencies. No Stripe request is made.

Days overdue follow :func:`services.core.business_days.days_overdue`, as
:func:`services.readmodel.invoice_queries.frame_of` counts them: an open invoice is
overdue once its due moment has passed (the as-of instant,
:func:`~services.core.business_days.as_of_moment`: now for today), and ``n`` days
overdue when its due day is ``n`` calendar days of the business time zone before
``as_of`` (at least 1). Each bucket edge is the start of a day in that zone (computed
in Python, DST-correct), so each bucket is a plain range of ``due_date`` (Unix
seconds): ``1-30`` is ``start of (as_of − 30 days) ≤ due_date < as-of instant``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, func, literal, select

from services.core.business_days import as_of_moment, day_range, day_start
from services.readmodel.invoice_queries import InvoiceQuery, conditions
from services.readmodel.payment_queries import PaymentQuery, received_totals
from services.readmodel.tables import invoices

DAY = 86_400
AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
OVERDUE = "overdue"  # every bucket past due: 1-30 … 90+
FINALIZED = ("open", "paid", "uncollectible")  # what counts as invoiced for DSO
# Upper edge (days overdue, inclusive) of each overdue bucket; 90+ has none.
_BUCKET_DAYS = {"1-30": (1, 30), "31-60": (31, 60), "61-90": (61, 90), "90+": (91, None)}


def overdue_due_days(bucket: str, as_of: date) -> tuple[date | None, date]:
    """The inclusive range of due days (business time zone) of the open invoices in an
    overdue bucket on ``as_of``: ``(earliest or None, latest)``, for
    ``InvoiceQuery.due_from``/``due_to`` together with ``overdue_on=as_of`` (an invoice
    due on ``as_of`` itself is overdue once its due moment has passed: 1-30 holds it).

    ``bucket`` is ``"overdue"`` (any day past due) or one of 1-30, 31-60, 61-90, 90+;
    raises ValueError for another (``current`` and ``total`` include invoices with no
    due date, which no range of due days holds).
    """
    if bucket == OVERDUE:
        return None, as_of
    if bucket not in _BUCKET_DAYS:
        raise ValueError(f"{bucket!r} is not an overdue bucket")
    first, last = _BUCKET_DAYS[bucket]
    earliest = None if last is None else as_of - timedelta(days=last)
    # 1 day overdue is due yesterday, or today with the due moment passed
    return earliest, as_of if first == 1 else as_of - timedelta(days=first)


def _bucket_of(as_of: date) -> ColumnElement[str]:
    due = invoices.c.due_date

    def since(days: int) -> int:  # the start of the day ``days`` before as_of, in the zone
        return day_start(as_of - timedelta(days=days))

    return case(
        (due.is_(None), "current"),
        (due >= as_of_moment(as_of), "current"),
        (due >= since(30), "1-30"),
        (due >= since(60), "31-60"),
        (due >= since(90), "61-90"),
        else_="90+",
    )


def aging_cells(
    engine: Engine, as_of: date, *, customer_id: str | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """Open invoices per (currency, bucket): (count, sum of ``amount_remaining``).

    Only cells holding at least one invoice are present; ``customer_id`` narrows to
    one customer.
    """
    bucket = _bucket_of(as_of).label("bucket")
    where = conditions(InvoiceQuery(statuses=("open",), customer_id=customer_id))
    statement = (
        select(invoices.c.currency, bucket, func.count(),
               func.coalesce(func.sum(invoices.c.amount_remaining), 0))
        .where(and_(*where), invoices.c.currency.is_not(None))
        .group_by(invoices.c.currency, bucket)
    )
    with engine.connect() as conn:
        return {(str(currency), str(name)): (int(count), int(amount))
                for currency, name, count, amount in conn.execute(statement)}


@dataclass(frozen=True)
class CurrencyFigures:
    """One currency's receivables figures on a day (amounts in minor units)."""

    outstanding: int = 0  # amount_remaining of open invoices
    open_count: int = 0
    overdue: int = 0  # amount_remaining of open invoices past their due date
    overdue_count: int = 0
    collected: int = 0  # money received in the collection period (payment_queries)
    collected_count: int = 0  # receipts behind it
    invoiced: int = 0  # total of finalized invoices created in the DSO period
    invoiced_count: int = 0
    dso_count: int = 0  # distinct invoices behind DSO: open, or invoiced in the period


@dataclass(frozen=True)
class Periods:
    """The KPI periods as inclusive days (business time zone) ending ``as_of``."""

    as_of: date
    collection_days: int
    dso_days: int

    @property
    def collection_from(self) -> date:
        return self.as_of - timedelta(days=self.collection_days - 1)

    @property
    def dso_from(self) -> date:
        return self.as_of - timedelta(days=self.dso_days - 1)


def collected_query(periods: Periods) -> PaymentQuery:
    """The receipts of the collection period's days (business time zone): what
    Collected sums and its drill-down lists, the Cash received page's rows for the
    same days."""
    first, after = day_range(periods.collection_from, periods.as_of)
    return PaymentQuery(start=first, end=after)


def collected_totals(engine: Engine, periods: Periods) -> dict[str, tuple[int, int]]:
    """Money received on the collection period's days, per currency: (minor units, number
    of receipts), by the one definition Cash received and the statement use
    (:func:`services.readmodel.payment_queries.received_totals`: every paid payment,
    partial ones too, plus money marked paid outside Stripe)."""
    return received_totals(engine, collected_query(periods))


def invoiced_query(periods: Periods, statuses: Sequence[str] = FINALIZED) -> InvoiceQuery:
    """Finalized invoices created in the DSO period (``statuses`` among them)."""
    return InvoiceQuery(statuses=statuses, created_from=periods.dso_from,
                        created_to=periods.as_of)


def receivable_figures(engine: Engine, periods: Periods) -> dict[str, CurrencyFigures]:
    """Every KPI's sum and count per currency: three grouped ``SELECT``s (open invoices;
    money received in the collection period, :func:`collected_totals`; invoiced in the
    DSO period).

    Each reads only the listing index (status, currency, dates, amounts): an ``OR`` of
    the three in one statement makes SQLite fetch every matching row from the table,
    whose rows carry the JSON (ten times slower at 100,000 invoices).
    """
    overdue = invoices.c.due_date < as_of_moment(periods.as_of)

    def grouped(query: InvoiceQuery, *columns: Any, by_status: bool = False) -> Any:
        keys = [invoices.c.currency, *([invoices.c.status] if by_status else [])]
        return (select(*keys, func.count(), *columns)
                .where(and_(*conditions(query)), invoices.c.currency.is_not(None))
                .group_by(*keys))

    def total(column: Any, condition: ColumnElement[bool] | None = None) -> Any:
        value = column if condition is None else case((condition, column), else_=0)
        return func.coalesce(func.sum(value), 0)

    found: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        open_rows = conn.execute(grouped(
            InvoiceQuery(statuses=("open",)), total(invoices.c.amount_remaining),
            total(invoices.c.amount_remaining, overdue), total(literal(1), overdue)))
        for currency, count, remaining, late, late_count in open_rows:
            found.setdefault(str(currency), {}).update(
                open_count=int(count), outstanding=int(remaining), overdue=int(late),
                overdue_count=int(late_count))
        for currency, (paid, count) in collected_totals(engine, periods).items():
            found.setdefault(str(currency), {}).update(collected=paid, collected_count=count)
        invoiced = conn.execute(grouped(invoiced_query(periods), total(invoices.c.total),
                                        by_status=True))
        for currency, status, count, amount in invoiced:
            figures = found.setdefault(str(currency), {})
            figures["invoiced"] = figures.get("invoiced", 0) + int(amount)
            figures["invoiced_count"] = figures.get("invoiced_count", 0) + int(count)
            if status != "open":  # open ones are behind DSO already, as receivables
                figures["dso_extra"] = figures.get("dso_extra", 0) + int(count)
    return {
        currency: CurrencyFigures(
            **{k: v for k, v in figures.items() if k != "dso_extra"},
            dso_count=figures.get("open_count", 0) + figures.get("dso_extra", 0),
        )
        for currency, figures in found.items()
    }


def status_counts(engine: Engine, query: InvoiceQuery) -> dict[str, int]:
    """How many invoices matching ``query`` have each status (statuses with none left out)."""
    statement = (
        select(invoices.c.status, func.count())
        .where(and_(*conditions(query)))
        .group_by(invoices.c.status)
    )
    with engine.connect() as conn:
        return {str(status): int(found) for status, found in conn.execute(statement)}
