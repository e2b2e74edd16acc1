"""What the lookup box asks of the read model: objects by id, number, email, amount and text.

SQL only, over the read model (no Stripe request); every function takes an open
connection and returns plain rows. Text is compared folded (``columns.fold``: no
case, no accents) on both sides.

"Contains" searches (:func:`containing`) use each database's own text index, both
read with ``LIKE '%…%'`` over the same folded text, so SQLite and PostgreSQL find
the same objects:

* SQLite: the FTS5 trigram tables ``rm_*_search`` (migration 0003, kept by triggers);
  a search row's rowid is its object's rowid, and the object's row is read back;
* PostgreSQL: pg_trgm GIN indexes on the folded columns (a plain scan where the
  extension could not be created).

The index finds candidates; the caller checks the text it gets back, so a wildcard
in what was typed (``%``, ``_``) never widens a match.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Table,
    column,
    literal_column,
    or_,
    select,
    table,
    union,
)

from services.readmodel.tables import customers, invoice_lines, invoices, prices, products

CANDIDATE_LIMIT = 200  # rows one "contains" search reads at most
INDEXED_MIN_CHARACTERS = 3  # a trigram index finds no shorter text


class TextField(Enum):
    """Folded text the lookup searches in: (table, column, SQLite search table, its column)."""

    CUSTOMER_NAME = ("rm_customers", "name_folded", "rm_customers_search", "name")
    CUSTOMER_EMAIL = ("rm_customers", "email_folded", "rm_customers_search", "email")
    PRODUCT_NAME = ("rm_products", "name_folded", None, None)  # a short table: scanned
    INVOICE_NUMBER = ("rm_invoices", "number_folded", "rm_invoices_search", "number")
    INVOICE_METADATA = ("rm_invoices", "metadata_folded", "rm_invoices_search", "metadata")
    LINE_DESCRIPTION = ("rm_invoice_lines", "description_folded", "rm_invoice_lines_search",
                        "description")

    @property
    def table(self) -> Table:
        return _TABLES[self.value[0]]

    @property
    def column(self) -> Column[Any]:
        return self.table.c[self.value[1]]


_TABLES = {table.name: table for table in (customers, products, invoices, invoice_lines)}


@dataclass(frozen=True)
class TextMatch:
    """An object whose folded ``text`` may contain what was searched; for a line,
    ``invoice_id`` is its invoice."""

    object_id: str
    text: str
    invoice_id: str | None = None


@dataclass(frozen=True)
class InvoiceSummary:
    """What a lookup result shows of an invoice (amounts in minor units)."""

    id: str
    number: str | None
    customer_id: str | None
    customer_name: str | None
    customer_email: str | None
    currency: str | None
    total: int
    amount_due: int
    amount_remaining: int
    status: str
    created: int
    po_number: str | None


@dataclass(frozen=True)
class NamedObject:
    """A customer (``detail`` = email) or a product (``detail`` = active/archived)."""

    id: str
    name: str | None
    detail: str | None


def like_pattern(folded: str, *, at_end: bool = False) -> str:
    """``%text%`` (``%text`` when ``at_end``) with LIKE's wildcards in ``folded`` made
    single-character ones (the caller checks the real text; no ESCAPE clause, which
    FTS5 would not take to its index)."""
    return "%" + folded.replace("\\", "_").replace("%", "_") + ("" if at_end else "%")


def containing(
    conn: Connection, field: TextField, *pieces: str, limit: int = CANDIDATE_LIMIT,
    at_end: bool = False,
) -> list[TextMatch]:
    """Live objects whose ``field`` may contain one of ``pieces`` (end with it, when
    ``at_end``), at most ``limit``."""
    return containing_all(conn, field, [pieces], limit=limit, at_end=at_end)


def containing_all(
    conn: Connection, field: TextField, groups: Sequence[Sequence[str]], *,
    limit: int = CANDIDATE_LIMIT, at_end: bool = False,
) -> list[TextMatch]:
    """Live objects whose ``field`` may contain, from every group, one of its pieces
    (end with it, when ``at_end``), at most ``limit``. When every piece has three
    characters or more, each is looked up in the index; a shorter one makes the
    database read every row of the field."""
    stored, text = field.table, field.column
    selected: list[Any] = [stored.c.id, text]
    if stored is invoice_lines:
        selected.append(stored.c.invoice_id)
    statement = select(*selected)
    if "deleted" in stored.c:
        statement = statement.where(stored.c.deleted.is_(False))
    _, _, search_name, search_column = field.value
    patterns = [[like_pattern(piece, at_end=at_end) for piece in group] for group in groups]
    indexed = all(len(piece) >= INDEXED_MIN_CHARACTERS for group in groups for piece in group)
    if conn.dialect.name == "sqlite" and search_name is not None and indexed:
        # One indexed lookup per piece: FTS5 would read its whole table for an OR of LIKEs.
        search = table(search_name, column("rowid"), column(search_column))
        rowid: Any = literal_column(f"{stored.name}.rowid")
        for group in patterns:
            lookups = [select(search.c.rowid.label("found"))
                       .where(search.c[search_column].like(pattern)) for pattern in group]
            if len(groups) == 1:  # enough candidates from each piece (else all of them)
                lookups = [lookup.limit(limit) for lookup in lookups]
            if len(lookups) > 1:
                found = [select(each.c.found) for each in (lookup.subquery() for lookup in lookups)]
                statement = statement.where(rowid.in_(union(*found)))
            else:
                statement = statement.where(rowid.in_(lookups[0]))
    else:
        for group in patterns:
            statement = statement.where(or_(*(text.like(pattern) for pattern in group)))
    return [
        TextMatch(str(row[0]), str(row[1] or ""), str(row[2]) if len(row) > 2 else None)
        for row in conn.execute(statement.limit(limit))
    ]


def customers_with_email(conn: Connection, folded_email: str) -> list[str]:
    """Live customers whose email is ``folded_email`` (any case), newest first."""
    return _ids(conn, customers, customers.c.email_folded == folded_email, customers.c.created)


def objects_named(conn: Connection, field: TextField, folded_name: str) -> list[str]:
    """Live customers or products (by ``field``) named exactly ``folded_name``."""
    table = field.table
    return _ids(conn, table, field.column == folded_name, table.c.created)


def invoices_numbered(conn: Connection, folded_numbers: Collection[str]) -> list[str]:
    """Live invoices whose number is one of ``folded_numbers``."""
    return _ids(conn, invoices, invoices.c.number_folded.in_(list(folded_numbers)),
                invoices.c.created)


def invoices_with_po_number(conn: Connection, folded_po: str) -> list[str]:
    """Live invoices whose PO number is ``folded_po``, newest first."""
    return _ids(conn, invoices, invoices.c.po_number_folded == folded_po, invoices.c.created)


def invoices_of_customers(
    conn: Connection, customer_ids: Collection[str], *, limit: int
) -> list[str]:
    """The newest ``limit`` live invoices of these customers."""
    return _ids(conn, invoices, invoices.c.customer_id.in_(list(customer_ids)),
                invoices.c.created, limit=limit)


def invoices_with_amounts(
    conn: Connection, minor_units: Collection[int], *, limit: int = CANDIDATE_LIMIT
) -> list[InvoiceSummary]:
    """Live invoices whose total, amount due or amount remaining is one of
    ``minor_units`` (any currency: the caller checks it), newest first."""
    wanted = list(minor_units)
    statement = (
        _summary_select()
        .where(invoices.c.deleted.is_(False),
               or_(invoices.c.total.in_(wanted), invoices.c.amount_due.in_(wanted),
                   invoices.c.amount_remaining.in_(wanted)))
        .order_by(invoices.c.created.desc(), invoices.c.id)
        .limit(limit)
    )  # fmt: skip
    return [InvoiceSummary(*row) for row in conn.execute(statement)]


def invoice_of_line(conn: Connection, line_or_item_id: str) -> str | None:
    """The invoice showing the line ``il_…``, or the line of invoice item ``ii_…``."""
    column = invoice_lines.c.invoice_item_id if line_or_item_id.startswith("ii_") else (
        invoice_lines.c.id)
    statement = select(invoice_lines.c.invoice_id).where(column == line_or_item_id).limit(1)
    return conn.execute(statement).scalar()


def invoice_summaries(conn: Connection, ids: Collection[str]) -> dict[str, InvoiceSummary]:
    """The live invoices among ``ids``, by id."""
    if not ids:
        return {}
    statement = _summary_select().where(invoices.c.id.in_(list(ids)),
                                        invoices.c.deleted.is_(False))
    return {row[0]: InvoiceSummary(*row) for row in conn.execute(statement)}


def customer_summaries(conn: Connection, ids: Collection[str]) -> dict[str, NamedObject]:
    """The live customers among ``ids`` (``detail`` = email), by id."""
    if not ids:
        return {}
    statement = select(customers.c.id, customers.c.name, customers.c.email).where(
        customers.c.id.in_(list(ids)), customers.c.deleted.is_(False))
    return {row[0]: NamedObject(*row) for row in conn.execute(statement)}


def product_summaries(conn: Connection, ids: Collection[str]) -> dict[str, NamedObject]:
    """The live products among ``ids`` (``detail`` = "active" or "archived"), by id."""
    if not ids:
        return {}
    statement = select(products.c.id, products.c.name, products.c.active).where(
        products.c.id.in_(list(ids)), products.c.deleted.is_(False))
    return {row[0]: NamedObject(row[0], row[1], "active" if row[2] else "archived")
            for row in conn.execute(statement)}


def stored_price(conn: Connection, price_id: str) -> Mapping[str, Any] | None:
    """The price as Stripe sent it, unless unknown or deleted."""
    statement = select(prices.c.data).where(prices.c.id == price_id,
                                            prices.c.deleted.is_(False))
    data = conn.execute(statement).scalar()
    return None if data is None else json.loads(data)


def _summary_select() -> Any:
    return select(
        invoices.c.id, invoices.c.number, invoices.c.customer_id, invoices.c.customer_name,
        invoices.c.customer_email, invoices.c.currency, invoices.c.total,
        invoices.c.amount_due, invoices.c.amount_remaining, invoices.c.status,
        invoices.c.created, invoices.c.po_number,
    )  # fmt: skip


def _ids(
    conn: Connection, table: Table, condition: Any, newest: Any, *, limit: int = CANDIDATE_LIMIT
) -> list[str]:
    statement = (
        select(table.c.id)
        .where(condition, table.c.deleted.is_(False))
        .order_by(newest.desc(), table.c.id)
        .limit(limit)
    )
    return [str(found) for found in conn.execute(statement).scalars()]
