"""The Invoices page's list: one page of any filtered, sorted set, with the count and the
totals per currency of the whole set, and the whole set for an export.

Everything is read from the read model in SQL (``services.readmodel.invoice_queries``),
so the cost of a page does not grow with the book: the page's rows come from
``ORDER BY … LIMIT … OFFSET`` and the count and totals from the stored totals per
(status, currency) when only status and currency filter (``rm_invoice_totals``), from
one grouped query otherwise.
Amounts stay integer minor units per currency; nothing is summed across currencies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from services.core.errors import InvalidInput
from services.readmodel.invoice_queries import (
    NEWEST_FIRST,
    SORT_COLUMNS,
    CurrencyTotals,
    InvoiceOrder,
    InvoiceQuery,
    frame_of,
    invoice_rows,
    invoice_totals,
)

__all__ = ["EXPORT_MAX_ROWS", "NEWEST_FIRST", "PAGE_SIZES", "SORT_COLUMNS", "CurrencyTotals",
           "InvoiceExport", "InvoiceListPage", "InvoiceOrder", "export_rows", "list_page"]

#: Page sizes the Invoices page offers (any size from 1 to ``MAX_PAGE_SIZE`` is accepted).
PAGE_SIZES = (50, 100, 250)
MAX_PAGE_SIZE = 1_000
#: The most rows an export holds; a larger set is cut there, and says so.
EXPORT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class InvoiceListPage:
    """One page of a filtered, sorted invoice list.

    ``rows``: the page's invoices (``INVOICE_COLUMNS``, in the order asked for);
    ``page``: its number from 1 (a page past the end is answered with the last one);
    ``count`` and ``totals``: the whole filtered set, not only this page.
    """

    rows: pd.DataFrame = field(repr=False)
    page: int
    page_size: int
    count: int
    totals: tuple[CurrencyTotals, ...]

    @property
    def pages(self) -> int:
        """How many pages the set fills (1 when it is empty)."""
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def first_row(self) -> int:
        """The position of the page's first row in the whole set, from 1 (0 when empty)."""
        return (self.page - 1) * self.page_size + 1 if len(self.rows) else 0

    @property
    def last_row(self) -> int:
        """The position of the page's last row in the whole set (0 when empty)."""
        return self.first_row + len(self.rows) - 1 if len(self.rows) else 0


@dataclass(frozen=True)
class InvoiceExport:
    """Every invoice of a filtered, sorted set, up to ``EXPORT_MAX_ROWS``: ``rows`` in
    order, ``count`` matching in all, ``capped`` when ``rows`` holds fewer than that."""

    rows: pd.DataFrame = field(repr=False)
    count: int
    capped: bool


def _check_page(page: int, page_size: int, order: InvoiceOrder) -> None:
    if order.column not in SORT_COLUMNS:
        raise InvalidInput(f"Invoices cannot be sorted by {order.column!r}; choose one of "
                           f"{', '.join(SORT_COLUMNS)}.", field="sort")
    if page < 1:
        raise InvalidInput("The page number starts at 1.", field="page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"A page holds from 1 to {MAX_PAGE_SIZE} invoices.",
                           field="page_size")


def list_page(
    engine: Engine, query: InvoiceQuery, as_of: date, *, order: InvoiceOrder, page: int,
    page_size: int,
) -> InvoiceListPage:
    """Page ``page`` of ``page_size`` invoices matching ``query`` in ``order``, with the
    count and per-currency totals of all of them; ``days_overdue`` counted on ``as_of``.

    Raises ``InvalidInput`` naming ``page``, ``page_size`` or ``sort`` (an unknown
    column). Read in one connection: the count, the totals and the rows agree; a page past the
    middle is read from the end of the order (same rows, no long skip).
    """
    _check_page(page, page_size, order)
    with engine.connect() as conn:
        totals = tuple(invoice_totals(conn, query))
        count = sum(total.count for total in totals)
        page = min(page, max(1, math.ceil(count / page_size)))
        offset = (page - 1) * page_size
        size = max(0, min(page_size, count - offset))
        after = count - offset - size  # rows after this page
        # A page nearer the end is read from the end: the database then skips the few
        # rows after it instead of every row before it (the last page costs the first's).
        rows = invoice_rows(conn, query, as_of, order=order, limit=size,
                            offset=min(offset, after), reverse=after < offset) if size else []
    return InvoiceListPage(frame_of(rows, as_of), page, page_size, count, totals)


def export_rows(
    engine: Engine, query: InvoiceQuery, as_of: date, *, order: InvoiceOrder,
    max_rows: int = EXPORT_MAX_ROWS,
) -> InvoiceExport:
    """Every invoice matching ``query`` in ``order``, at most ``max_rows`` of them.

    Raises ``InvalidInput`` (field ``max_rows``) below 1, or naming ``sort``.
    """
    _check_page(1, 1, order)
    if max_rows < 1:
        raise InvalidInput("An export holds at least one row.", field="max_rows")
    with engine.connect() as conn:
        rows = invoice_rows(conn, query, as_of, order=order, limit=max_rows + 1)
        capped = len(rows) > max_rows
        count = sum(t.count for t in invoice_totals(conn, query)) if capped else len(rows)
    return InvoiceExport(frame_of(rows[:max_rows], as_of), count, capped)
