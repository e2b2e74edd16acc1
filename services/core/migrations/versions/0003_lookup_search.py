"""Lookup from the read model: amount indexes, metadata and invoice-item columns, text search.

- ``rm_invoices.metadata_folded`` (every metadata value folded, one per line) and
  ``rm_invoice_lines.invoice_item_id`` (the ``ii_…`` a line shows), filled here from
  the stored JSON for rows stored before this revision;
- indexes on ``total``, ``amount_due`` and ``amount_remaining`` (lookup by amount);
- substring search over folded text (names, emails, invoice numbers, PO numbers and
  metadata, line descriptions) through each database's own index:
  * SQLite: FTS5 tables with the trigram tokenizer (``rm_*_search``), kept by
    triggers on the read-model tables; a search row's rowid is its object's rowid;
  * PostgreSQL: pg_trgm GIN indexes on the folded columns. The extension is created
    if missing (``CREATE EXTENSION`` needs a role allowed to: a superuser, or the
    database owner as pg_trgm is a trusted extension); if that is refused the indexes
    are left out and the same ``LIKE`` queries run as scans (correct, only slower).

Revision ID: 0003
Revises: 0005
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import DBAPIError

from services.readmodel.columns import invoice_item_of, metadata_text

revision: str = "0003"
# After the newest revision when this was written (0002 → 0005 → 0003): revisions stay one
# line, so "head" is one revision.
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

# SQLite: search table -> (read-model table, {search column: folded column}).
SQLITE_SEARCH_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "rm_invoices_search": ("rm_invoices", {"number": "number_folded",
                                           "po_number": "po_number_folded",
                                           "metadata": "metadata_folded"}),
    "rm_invoice_lines_search": ("rm_invoice_lines", {"description": "description_folded"}),
    "rm_customers_search": ("rm_customers", {"name": "name_folded", "email": "email_folded"}),
}  # fmt: skip
# PostgreSQL: (table, folded column) with a trigram index.
POSTGRESQL_TRIGRAM_COLUMNS = (
    ("rm_invoices", "number_folded"), ("rm_invoices", "po_number_folded"),
    ("rm_invoices", "metadata_folded"), ("rm_invoice_lines", "description_folded"),
    ("rm_customers", "name_folded"), ("rm_customers", "email_folded"),
)  # fmt: skip
AMOUNT_COLUMNS = ("total", "amount_due", "amount_remaining")
BATCH = 1000


def upgrade() -> None:
    op.add_column("rm_invoices", sa.Column("metadata_folded", sa.Text(), nullable=True))
    op.add_column("rm_invoice_lines",
                  sa.Column("invoice_item_id", sa.String(length=255), nullable=True))
    _fill_from_json("rm_invoices", "metadata_folded",
                    lambda obj: metadata_text(obj.get("metadata")))
    _fill_from_json("rm_invoice_lines", "invoice_item_id", invoice_item_of)
    op.create_index("ix_rm_invoice_lines_invoice_item_id", "rm_invoice_lines",
                    ["invoice_item_id"])
    for column in AMOUNT_COLUMNS:
        op.create_index(f"ix_rm_invoices_{column}", "rm_invoices", [column])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name, (table, columns) in SQLITE_SEARCH_TABLES.items():
            _create_sqlite_search(name, table, columns)
    elif dialect == "postgresql":
        _create_trigram_indexes()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_SEARCH_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
            op.execute(f"DROP TABLE IF EXISTS {name}")
    elif dialect == "postgresql":
        for table, column in POSTGRESQL_TRIGRAM_COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trigram")
    for column in AMOUNT_COLUMNS:
        op.drop_index(f"ix_rm_invoices_{column}", table_name="rm_invoices")
    op.drop_index("ix_rm_invoice_lines_invoice_item_id", table_name="rm_invoice_lines")
    op.drop_column("rm_invoice_lines", "invoice_item_id")
    op.drop_column("rm_invoices", "metadata_folded")


def _fill_from_json(table: str, column: str, value_of: Callable[[Any], str | None]) -> None:
    """Set ``column`` of every stored row from the row's JSON, a batch at a time."""
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id"), sa.column("data"), sa.column(column))
    update = (
        sa.update(rows)
        .where(rows.c.id == sa.bindparam("row_id"))
        .values({column: sa.bindparam("value")})
    )
    last = ""
    while True:
        batch = bind.execute(
            sa.select(rows.c.id, rows.c.data).where(rows.c.id > last)
            .order_by(rows.c.id).limit(BATCH)
        ).all()  # fmt: skip
        if not batch:
            return
        changes = []
        for row_id, data in batch:
            value = value_of(json.loads(data)) if data else None
            if value is not None:
                changes.append({"row_id": row_id, "value": value})
        if changes:
            bind.execute(update, changes)
        last = batch[-1][0]


def _create_sqlite_search(name: str, table: str, columns: dict[str, str]) -> None:
    """An FTS5 trigram table over ``columns`` of ``table``, filled now and kept by triggers."""
    search_columns = ", ".join(columns)
    new_values = ", ".join(f"new.{folded}" for folded in columns.values())
    changed = " OR ".join(f"old.{folded} IS NOT new.{folded}" for folded in columns.values())
    store = (f"INSERT OR REPLACE INTO {name}(rowid, object_id, {search_columns}) "
             f"VALUES (new.rowid, new.id, {new_values});")
    op.execute(f"CREATE VIRTUAL TABLE {name} USING fts5("
               f"object_id UNINDEXED, {search_columns}, tokenize='trigram')")
    op.execute(f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {store} END")
    # Only text changes touch the search table (a status change does not).
    op.execute(f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} WHEN {changed} BEGIN "
               f"DELETE FROM {name} WHERE rowid = old.rowid; {store} END")
    op.execute(f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN "
               f"DELETE FROM {name} WHERE rowid = old.rowid; END")
    folded = ", ".join(columns.values())
    op.execute(f"INSERT INTO {name}(rowid, object_id, {search_columns}) "
               f"SELECT rowid, id, {folded} FROM {table}")


def _create_trigram_indexes() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError as refused:
        log.warning("pg_trgm is not available (%s): lookups will scan instead of using "
                    "trigram indexes", refused.orig)
        return
    schema = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )).scalar_one()  # fmt: skip
    # fastupdate off: with it, rows written lately wait in a pending list of up to 4 MB
    # that every search reads through (measured: 15 ms a search after a backfill).
    for table, column in POSTGRESQL_TRIGRAM_COLUMNS:
        op.execute(f'CREATE INDEX IF NOT EXISTS ix_{table}_{column}_trigram ON {table} '
                   f'USING gin ({column} "{schema}".gin_trgm_ops) WITH (fastupdate = off)')
