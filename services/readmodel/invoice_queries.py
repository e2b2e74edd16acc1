"""Invoice tables for the views, filtered, sorted and paged in SQL over the read model.

Every function returns the report frame the pages know (``INVOICE_COLUMNS``): one
row per invoice, amounts in integer minor units, ``created``/``paid_at``/
``finalized_at`` as aware UTC timestamps, ``due_date`` as a calendar date and
``days_overdue`` counted on ``as_of``. No Stripe request is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, and_, func, select

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
    """Which invoices: statuses (any when empty), customer, currency, inclusive UTC days
    for created/due/paid, and open-and-past-due on ``as_of``."""

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


def day_start(day: date) -> int:
    """Unix seconds at the start of ``day`` (UTC)."""
    return int(datetime.combine(day, time.min, tzinfo=UTC).timestamp())


def _between(column: Any, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if start is not None:
        found.append(column >= day_start(start))
    if end is not None:
        found.append(column < day_start(end + timedelta(days=1)))
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
        found.append(invoices.c.due_date < day_start(query.overdue_on))
    return found


def invoice_frame(
    engine: Engine,
    query: InvoiceQuery,
    as_of: date,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """Matching invoices, newest first (``limit`` rows from ``offset``)."""
    statement: Select[Any] = (
        select(*_SELECTED)
        .where(and_(*conditions(query)))
        .order_by(invoices.c.created.desc(), invoices.c.first_seen.desc(), invoices.c.id.desc())
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(statement)]
    return frame_of(rows, as_of)


def count_invoices(engine: Engine, query: InvoiceQuery) -> int:
    """How many invoices match ``query``."""
    statement = select(func.count()).select_from(invoices).where(and_(*conditions(query)))
    with engine.connect() as conn:
        return int(conn.execute(statement).scalar_one())


def frame_of(rows: list[tuple[Any, ...]], as_of: date) -> pd.DataFrame:
    """The report frame for rows selected as ``_SELECTED``."""
    raw = pd.DataFrame(
        rows,
        columns=[
            "invoice_id", "number", "customer_id", "customer", "email", "status", "currency",
            "total", "amount_due", "amount_paid", "amount_remaining", "created", "due_epoch",
            "hosted_invoice_url", "paid_at", "finalized_at",
        ],
    )  # fmt: skip
    due = pd.to_datetime(raw["due_epoch"].astype("Float64"), unit="s", utc=True)
    raw["due_date"] = [None if pd.isna(moment) else moment.date() for moment in due]
    as_of_start = pd.Timestamp(day_start(as_of), unit="s", tz="UTC")
    late_days = (as_of_start - due.dt.floor("D")).dt.days
    overdue = (raw["status"] == "open") & due.notna() & (late_days > 0)
    raw["days_overdue"] = late_days.where(overdue, 0).fillna(0).astype("int64")
    for column in ("created", "paid_at", "finalized_at"):
        raw[column] = pd.to_datetime(raw[column].astype("Float64"), unit="s", utc=True)
    frame = raw[INVOICE_COLUMNS].astype({column: "int64" for column in _MONEY})
    for text in ("number", "customer_id", "customer", "email", "hosted_invoice_url"):
        frame[text] = frame[text].astype(object).where(frame[text].notna(), None)
    return frame.reset_index(drop=True)
