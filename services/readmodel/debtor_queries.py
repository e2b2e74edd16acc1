"""Who owes what: open receivables per customer and currency, grouped, sorted and cut in SQL.

The Overdue & aging drill-down lists debtors: for one currency and one age (an aging
bucket, every overdue bucket, or all open), each customer's invoice count, open amount
(``amount_remaining``), overdue amount and count, the amount in each aging bucket, and
the oldest due date past due. At 100,000 invoices a book holds tens of thousands of
overdue invoices; one grouped ``SELECT`` over the listing index of ``rm_invoices`` alone
ranks the customers by amount and returns only the largest ``limit``, together with the
count and sums of ALL of them, so nothing is read into pandas to be grouped; names and
emails are then read for the customers shown only.

Amounts are integer minor units of the one currency asked for. Ages follow
:mod:`services.readmodel.receivable_queries` (bucket edges are day starts of the business
time zone); the oldest days overdue are counted in Python by
:func:`services.core.business_days.days_overdue` from the oldest due moment, exactly as
the invoice list counts them. No Stripe request is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, and_, case, func, literal, select

from services.core import clock
from services.core.business_days import as_of_moment, days_overdue
from services.readmodel.invoice_queries import InvoiceQuery, conditions
from services.readmodel.receivable_queries import (
    AGING_BUCKETS,
    OVERDUE,
    _bucket_of,
    overdue_due_days,
)
from services.readmodel.tables import invoices

__all__ = ["DEBTOR_BUCKET_COLUMNS", "DebtorPage", "age_query", "debtor_page"]

#: The per-bucket amount columns of a debtor row, one per aging bucket.
DEBTOR_BUCKET_COLUMNS = tuple(f"amount_{bucket}" for bucket in AGING_BUCKETS)
_RANKS = ("amount_overdue", "amount_remaining")


@dataclass(frozen=True)
class DebtorPage:
    """The largest debtors of one currency and age, and the totals of all of them.

    ``rows``: ``DEBTOR_COLUMNS`` of :mod:`services.reporting.aging` plus
    ``DEBTOR_BUCKET_COLUMNS``, largest first (ties by customer id); ``customers``,
    ``invoices``, ``amount_remaining`` and ``amount_overdue``: every debtor of the age,
    not only the rows shown (minor units).
    """

    rows: pd.DataFrame = field(repr=False)
    customers: int
    invoices: int
    amount_remaining: int
    amount_overdue: int


def age_query(bucket: str, as_of: date, *, currency: str | None = None,
              customer_id: str | None = None) -> InvoiceQuery:
    """The open invoices of an age on ``as_of`` as an ``InvoiceQuery`` (for the invoice
    list's SQL paging too): ``bucket`` is one of ``AGING_BUCKETS``, ``"overdue"`` (every
    bucket past due) or ``"total"`` (all open). Raises ValueError for another."""
    query = InvoiceQuery(statuses=("open",), currency=currency, customer_id=customer_id)
    if bucket == "total":
        return query
    if bucket == "current":  # not yet due, or no due date at all
        return replace(query, current_on=as_of)
    if bucket != OVERDUE and bucket not in AGING_BUCKETS:
        raise ValueError(f"bucket must be one of {', '.join(AGING_BUCKETS)}, {OVERDUE} or total")
    due_from, due_to = overdue_due_days(bucket, as_of)
    return replace(query, due_from=due_from, due_to=due_to, overdue_on=as_of)


def debtor_page(
    engine: Engine, as_of: date, *, currency: str, bucket: str, rank: str = "amount_overdue",
    limit: int = 1_000,
) -> DebtorPage:
    """Open ``currency`` invoices of age ``bucket`` on ``as_of`` per customer, the
    ``limit`` largest by ``rank`` (``"amount_overdue"`` or ``"amount_remaining"``),
    ranked and cut in SQL, with the totals of every customer (see :class:`DebtorPage`).

    Raises ValueError for an unknown bucket or rank, or a ``limit`` under 1.
    """
    if rank not in _RANKS:
        raise ValueError("rank must be amount_overdue or amount_remaining")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    reference = as_of_moment(as_of)
    remaining = invoices.c.amount_remaining
    late = invoices.c.due_date < reference
    age = _bucket_of(as_of)

    def total(condition: ColumnElement[bool] | None = None, value: Any = remaining) -> Any:
        return func.coalesce(func.sum(value if condition is None
                                      else case((condition, value), else_=0)), 0)

    where = and_(*conditions(age_query(bucket, as_of, currency=currency)))
    grouped = (
        select(
            invoices.c.customer_id.label("customer_id"),
            func.count().label("invoices"),
            total().label("amount_remaining"),
            total(late, literal(1)).label("overdue_invoices"),
            total(late).label("amount_overdue"),
            func.min(case((late, invoices.c.due_date), else_=None)).label("oldest_due"),
            *(total(age == name).label(column)
              for name, column in zip(AGING_BUCKETS, DEBTOR_BUCKET_COLUMNS, strict=True)),
        )
        .where(where)
        .group_by(invoices.c.customer_id)
        .subquery("debtors")
    )
    ranked = (select(grouped)
              .order_by(grouped.c[rank].desc(), grouped.c.customer_id.asc()).limit(limit))
    summed = select(func.count(), func.coalesce(func.sum(grouped.c.invoices), 0),
                    func.coalesce(func.sum(grouped.c.amount_remaining), 0),
                    func.coalesce(func.sum(grouped.c.amount_overdue), 0))
    with engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(ranked)]
        customers, count, owed, overdue = conn.execute(summed).one()
        names = _names(conn, [row["customer_id"] for row in rows])
    for row in rows:
        row["customer"], row["email"] = names.get(row["customer_id"], (None, None))
    return DebtorPage(_frame(rows, currency, as_of, reference), int(customers), int(count),
                      int(owed), int(overdue))


def _names(conn: Connection, customer_ids: list[str]) -> dict[str, tuple[Any, Any]]:
    """Name and email (as on their invoices) of the customers shown only: the grouping
    reads the listing index alone, and names are not in it (reading every row's name
    made the query read the whole table)."""
    found: dict[str, tuple[Any, Any]] = {}
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start:start + 500]
        query = (select(invoices.c.customer_id, func.max(invoices.c.customer_name),
                        func.max(invoices.c.customer_email))
                 .where(invoices.c.customer_id.in_(chunk))
                 .group_by(invoices.c.customer_id))
        found.update({cid: (name, email) for cid, name, email in conn.execute(query)})
    return found


def _frame(rows: list[dict[str, Any]], currency: str, as_of: date,
           reference: int) -> pd.DataFrame:
    zone = clock.business_zone()
    numbers = ["invoices", "amount_remaining", "overdue_invoices", "amount_overdue",
               *DEBTOR_BUCKET_COLUMNS]
    frame = pd.DataFrame({
        "customer_id": pd.Series([row["customer_id"] for row in rows], dtype=object),
        "customer": pd.Series([row["customer"] or "" for row in rows], dtype=object),
        "email": pd.Series([row["email"] or "" for row in rows], dtype=object),
        "currency": pd.Series([currency.lower()] * len(rows), dtype=object),
        **{name: pd.Series([int(row[name]) for row in rows], dtype="int64") for name in numbers},
        "oldest_days_overdue": pd.Series(
            [days_overdue(row["oldest_due"], as_of, reference, zone) for row in rows],
            dtype="int64"),
    })  # fmt: skip
    return frame[["customer_id", "customer", "email", "currency", "invoices",
                  "amount_remaining", "overdue_invoices", "amount_overdue",
                  "oldest_days_overdue", *DEBTOR_BUCKET_COLUMNS]]
