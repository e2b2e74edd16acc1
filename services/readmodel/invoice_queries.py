"""Invoice tables for the views, filtered, sorted and paged in SQL over the read model.

The frame functions return the report frame the pages know (``INVOICE_COLUMNS``): one
row per invoice, amounts in integer minor units, ``created``/``paid_at``/
``finalized_at`` as aware timestamps in the business time zone, ``due_date`` as the
calendar day of Stripe's due moment there and ``days_overdue`` counted on ``as_of``
(:mod:`services.core.business_days`: overdue once the due moment has passed, days in
the zone's calendar). Every day a filter names is a day of the business zone, cut at
its start (DST-correct) and compared as Unix seconds in SQL. Any column of
:data:`SORT_COLUMNS` sorts in SQL (ties broken by the invoice id, in the same
direction, so pages never overlap),
and :func:`invoice_totals` sums the whole filtered set per currency. No Stripe
request is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

from services.core import clock
from services.core.business_days import (
    as_of_moment,
    day_of,
    day_range,
    day_start,
    days_overdue,
)
from services.core.errors import InvalidInput
from services.readmodel.stored_totals import (
    TOTALLED_DIALECTS,
    grouped_total_rows,
    stored_total_rows,
)
from services.readmodel.tables import invoices

INVOICE_STATUSES = ("draft", "open", "paid", "uncollectible", "void")
INVOICE_COLUMNS = [
    "invoice_id", "number", "customer_id", "customer", "email", "status", "currency",
    "total", "amount_due", "amount_paid", "amount_remaining", "created", "due_date",
    "days_overdue", "hosted_invoice_url", "paid_at", "finalized_at",
]  # fmt: skip
_MONEY = ["total", "amount_due", "amount_paid", "amount_remaining", "days_overdue"]
_SELECTED = (
    invoices.c.id, invoices.c.number, invoices.c.customer_id, invoices.c.customer_name,
    invoices.c.customer_email, invoices.c.status, invoices.c.currency, invoices.c.total,
    invoices.c.amount_due, invoices.c.amount_paid, invoices.c.amount_remaining,
    invoices.c.created, invoices.c.due_date, invoices.c.hosted_invoice_url,
    invoices.c.paid_at, invoices.c.finalized_at,
)  # fmt: skip


@dataclass(frozen=True)
class InvoiceQuery:
    """Which invoices: statuses (any when empty), customer, currency, inclusive days of the
    business time zone for created/due/paid, and open-and-past-due on ``overdue_on``."""

    statuses: Sequence[str] = ()
    customer_id: str | None = None
    currency: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    paid_from: date | None = None
    paid_to: date | None = None
    overdue_on: date | None = None
    current_on: date | None = None  # open and not past due on that day (or no due date)


__all__ = ["INVOICE_COLUMNS", "INVOICE_STATUSES", "NEWEST_FIRST", "NOTHING_REMAINING",
           "SORT_COLUMNS", "CurrencyTotals",
           "InvoiceOrder", "InvoiceQuery", "conditions", "count_invoices", "day_start",
           "days_overdue_on", "frame_of", "invoice_frame", "invoice_rows", "invoice_totals",
           "order_clauses", "owed_remaining"]


def _between(column: Any, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    first, after = day_range(start, end)
    found: list[ColumnElement[bool]] = []
    if first is not None:
        found.append(column >= first)
    if after is not None:
        found.append(column < after)
    return found


def conditions(query: InvoiceQuery) -> list[ColumnElement[bool]]:
    """The SQL conditions of ``query`` (live invoices only)."""
    unknown = set(query.statuses) - set(INVOICE_STATUSES)
    if unknown:
        raise ValueError(f"unknown invoice status {sorted(unknown)[0]!r}")
    found: list[ColumnElement[bool]] = [invoices.c.deleted.is_(False)]
    statuses = ("open",) if query.overdue_on is not None else tuple(query.statuses)
    if statuses:
        found.append(invoices.c.status.in_(statuses))
    if query.customer_id:
        found.append(invoices.c.customer_id == query.customer_id)
    if query.currency:
        found.append(invoices.c.currency == query.currency.lower())
    found += _between(invoices.c.created, query.created_from, query.created_to)
    found += _between(invoices.c.due_date, query.due_from, query.due_to)
    found += _between(invoices.c.paid_at, query.paid_from, query.paid_to)
    if query.overdue_on is not None:
        found.append(invoices.c.due_date < as_of_moment(query.overdue_on))
    if query.current_on is not None:
        due = invoices.c.due_date
        found += [invoices.c.status == "open",
                  or_(due.is_(None), due >= as_of_moment(query.current_on))]
    return found


#: What the list may be sorted by (report column names).
SORT_COLUMNS = (
    "number", "customer", "status", "currency", "total", "amount_due", "amount_paid",
    "amount_remaining", "created", "due_date", "paid_at", "days_overdue",
)  # fmt: skip
#: Statuses whose ``amount_remaining`` is not owed: a draft is not yet a claim and a
#: voided invoice no longer is one (Stripe keeps the figure on both).
NOTHING_REMAINING = ("draft", "void")


@dataclass(frozen=True)
class InvoiceOrder:
    """How to sort: a column of :data:`SORT_COLUMNS`, descending or ascending."""

    column: str = "created"
    descending: bool = True


NEWEST_FIRST = InvoiceOrder("created", descending=True)


@dataclass(frozen=True)
class CurrencyTotals:
    """The invoices of one currency in a filtered set: how many, and the sums of their
    amount due, amount paid and amount remaining (integer minor units; voided invoices
    add nothing to ``amount_due``, as the list shows them no amount due, and drafts and
    voided invoices nothing to ``amount_remaining``). ``amount_remaining`` is Stripe's
    sum, split as the Overview counts it: ``outstanding`` (open invoices, the Overview's
    Outstanding) and ``written_off`` (uncollectible ones: Stripe keeps them payable, the
    receivables reports no longer count them)."""

    currency: str
    count: int
    amount_due: int
    amount_paid: int
    amount_remaining: int
    outstanding: int = 0
    written_off: int = 0


def owed_remaining() -> ColumnElement[Any]:
    """``amount_remaining`` where it is owed, NULL for drafts and voided invoices."""
    return case((invoices.c.status.in_(NOTHING_REMAINING), None),
                else_=invoices.c.amount_remaining)


def days_overdue_on(as_of: date) -> ColumnElement[Any]:
    """A sort key in the order of :func:`frame_of`'s ``days_overdue`` on ``as_of``: how
    long (seconds) an open invoice's due moment has passed, 0 when it has not. Calendar
    days in the business zone only group these seconds, so the order is the same; within
    one day the invoice due earlier is the more overdue."""
    reference = literal(as_of_moment(as_of))
    late = and_(invoices.c.status == "open", invoices.c.due_date < reference)
    return case((late, reference - invoices.c.due_date), else_=0)


def _sort_keys(column: str, as_of: date) -> list[ColumnElement[Any]]:
    """The SQL expressions that order by ``column``, most significant first."""
    simple = {
        "number": invoices.c.number, "status": invoices.c.status,
        "currency": invoices.c.currency, "total": invoices.c.total,
        "amount_due": invoices.c.amount_due, "amount_paid": invoices.c.amount_paid,
        "due_date": invoices.c.due_date, "paid_at": invoices.c.paid_at,
        # A–Z as people read it: case and accents ignored ("Ørsted" beside "Orsted").
        "customer": invoices.c.customer_name_folded,
    }  # fmt: skip
    if column in simple:
        return [simple[column]]
    if column == "created":  # Stripe lists invoices created in one second latest-seen first
        return [invoices.c.created, invoices.c.first_seen]
    if column == "amount_remaining":
        return [owed_remaining()]
    if column == "days_overdue":
        return [days_overdue_on(as_of)]
    raise InvalidInput(
        f"Invoices cannot be sorted by {column!r}; choose one of {', '.join(SORT_COLUMNS)}.",
        field="sort",
    )


def order_clauses(
    order: InvoiceOrder, as_of: date, *, reverse: bool = False
) -> list[ColumnElement[Any]]:
    """ORDER BY for ``order``: empty values (no number, due date, paid date) last in
    either direction, then the invoice id in the same direction, so the order is total
    and a page never repeats or skips a row; ``reverse`` gives exactly the opposite
    order (empty values first). Raises ``InvalidInput`` (field ``sort``) for a column
    not in :data:`SORT_COLUMNS`."""
    descending = order.descending != reverse
    clauses: list[ColumnElement[Any]] = []
    for key in _sort_keys(order.column, as_of):
        clause = key.desc() if descending else key.asc()
        # NULLS LAST/FIRST only where there can be NULLs: on a NOT NULL column it would
        # stop PostgreSQL from reading the column's index in order (it ignores the
        # constraint).
        if _nullable(key):
            clause = clause.nulls_first() if reverse else clause.nulls_last()
        clauses.append(clause)
    clauses.append(invoices.c.id.desc() if descending else invoices.c.id.asc())
    return clauses


#: Sort columns that always hold a value (NOT NULL, or always set by ``invoice_row``).
_ALWAYS_SET = frozenset({"created", "first_seen", "status", "total", "amount_due",
                         "amount_paid"})


def _nullable(key: ColumnElement[Any]) -> bool:
    return not (isinstance(key, Column) and key.name in _ALWAYS_SET)


def invoice_frame(
    engine: Engine,
    query: InvoiceQuery,
    as_of: date,
    *,
    order: InvoiceOrder = NEWEST_FIRST,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """Matching invoices in ``order`` (newest first by default), ``limit`` rows from
    ``offset``."""
    with engine.connect() as conn:
        return frame_of(invoice_rows(conn, query, as_of, order=order, limit=limit,
                                     offset=offset), as_of)


def invoice_rows(
    conn: Connection,
    query: InvoiceQuery,
    as_of: date,
    *,
    order: InvoiceOrder = NEWEST_FIRST,
    limit: int | None = None,
    offset: int = 0,
    reverse: bool = False,
) -> list[tuple[Any, ...]]:
    """The raw rows (``_SELECTED`` columns) behind :func:`invoice_frame`; with
    ``reverse``, ``limit`` rows from ``offset`` counted from the END of ``order``, still
    returned in ``order`` (a late page read from the near end: nothing to skip).

    The matching ids are sorted and cut first, reading only indexed columns (the wide
    listing index of migration 0010 covers every filter and sort column), and only the
    rows of the page are then read whole: an invoice's stored JSON makes its row large,
    and sorting 100,000 of them to show 100 read them all.
    """
    clauses = order_clauses(order, as_of, reverse=reverse)
    keys: Select[Any] = (
        select(invoices.c.id).where(and_(*conditions(query))).order_by(*clauses).offset(offset)
    )
    if limit is not None:
        keys = keys.limit(limit)
    page = keys.subquery("page")
    statement = select(*_SELECTED).join(page, page.c.id == invoices.c.id).order_by(*clauses)
    rows = [tuple(row) for row in conn.execute(statement)]
    return rows[::-1] if reverse else rows


def count_invoices(engine: Engine, query: InvoiceQuery) -> int:
    """How many invoices match ``query``."""
    statement = select(func.count()).select_from(invoices).where(and_(*conditions(query)))
    with engine.connect() as conn:
        return int(conn.execute(statement).scalar_one())


def invoice_totals(
    conn: Connection, query: InvoiceQuery, *, stored: bool = True
) -> list[CurrencyTotals]:
    """Count and sums per currency of every invoice matching ``query``, currencies in
    alphabetical order.

    A query filtered on nothing but statuses and currency reads the stored totals per
    (status, currency) (:mod:`services.readmodel.stored_totals`, a handful of rows);
    any other, or ``stored=False``, one query grouped by status and currency. Both give
    the same rows, so the same figures. Voided invoices' ``amount_due`` (Stripe keeps the
    figure; nothing is due any more) and drafts' and voided invoices' ``amount_remaining``
    are left out here, in Python, over a few groups, and what remains is split into open
    (``outstanding``) and uncollectible (``written_off``).
    Raises ``ValueError`` for an unknown status.
    """
    where = conditions(query)  # also refuses an unknown status, whichever way is read
    if stored and _totals_are_stored(conn, query):
        rows = stored_total_rows(conn, tuple(query.statuses),
                                 query.currency.lower() if query.currency else None)
    else:
        rows = grouped_total_rows(conn, where)
    sums: dict[str, list[int]] = {}
    for status, currency, count, due, paid, remaining in rows:
        found = sums.setdefault(currency, [0, 0, 0, 0, 0, 0])
        owed = 0 if status in NOTHING_REMAINING else remaining
        split = (owed if status == "open" else 0, owed if status == "uncollectible" else 0)
        due = 0 if status == "void" else due
        for position, amount in enumerate((count, due, paid, owed, *split)):
            found[position] += amount
    return [CurrencyTotals(currency, *figures) for currency, figures in sorted(sums.items())]


def _totals_are_stored(conn: Connection, query: InvoiceQuery) -> bool:
    """Whether ``query`` filters on statuses and currency only (what the stored totals
    are kept per), on a database whose triggers keep them."""
    others = (query.customer_id, query.created_from, query.created_to, query.due_from,
              query.due_to, query.paid_from, query.paid_to, query.overdue_on,
              query.current_on)
    return conn.dialect.name in TOTALLED_DIALECTS and not any(others)


def frame_of(rows: list[tuple[Any, ...]], as_of: date) -> pd.DataFrame:
    """The report frame for rows selected as ``_SELECTED``.

    Built column by column from plain Python values (a page of 100 rows costs well
    under a millisecond this way; pandas' per-operation overhead made it 30 ms).
    """
    values = dict(zip(_RAW_COLUMNS, zip(*rows, strict=True), strict=False)) if rows else {}

    def column(name: str) -> list[Any]:
        return list(values.get(name, ()))

    reference = as_of_moment(as_of)
    zone = clock.business_zone()
    due = column("due_epoch")
    statuses = column("status")
    frame = pd.DataFrame({
        "invoice_id": _inferred(column("invoice_id")),
        "number": pd.Series(column("number"), dtype=object),
        "customer_id": pd.Series(column("customer_id"), dtype=object),
        "customer": pd.Series(column("customer"), dtype=object),
        "email": pd.Series(column("email"), dtype=object),
        "status": _inferred(statuses),
        "currency": _inferred(column("currency")),
        **{name: np.array(column(name), dtype=np.int64) for name in _AMOUNTS},
        "created": _moments(column("created"), zone),
        "due_date": pd.Series([None if epoch is None else day_of(epoch, zone) for epoch in due],
                              dtype=object),
        "days_overdue": np.array(
            [days_overdue(epoch, as_of, reference, zone) if status == "open" else 0
             for epoch, status in zip(due, statuses, strict=True)], dtype=np.int64),
        "hosted_invoice_url": pd.Series(column("hosted_invoice_url"), dtype=object),
        "paid_at": _moments(column("paid_at"), zone),
        "finalized_at": _moments(column("finalized_at"), zone),
    })  # fmt: skip
    return frame[INVOICE_COLUMNS]


_RAW_COLUMNS = (
    "invoice_id", "number", "customer_id", "customer", "email", "status", "currency",
    "total", "amount_due", "amount_paid", "amount_remaining", "created", "due_epoch",
    "hosted_invoice_url", "paid_at", "finalized_at",
)  # fmt: skip
_AMOUNTS = ("total", "amount_due", "amount_paid", "amount_remaining")


def _moments(epochs: list[int | None], zone: tzinfo) -> pd.Series:
    """Unix seconds (or None) as aware timestamps in ``zone`` (NaT for None), so their
    ``.dt.date`` is the business day."""
    seconds = np.array([np.nan if epoch is None else epoch for epoch in epochs], dtype=float)
    return pd.Series(pd.to_datetime(seconds, unit="s", utc=True)).dt.tz_convert(zone)


def _inferred(texts: list[Any]) -> pd.Series:
    """Text that is never empty, typed as pandas infers it (``str``), as before."""
    return pd.Series(texts) if texts else pd.Series([], dtype=object)

