"""Covering indexes of the live invoices leading with customer, currency, created and due date.

On SQLite an invoice's row holds its JSON (3 KB on average, up to 10 KB) before the
``deleted`` column, so a read that finds its invoices by the single-column index of
``customer_id``, ``currency``, ``created`` or ``due_date`` (migration 0002) and then
tests ``deleted`` (every read of live invoices does) loads each matching row and walks
its JSON's overflow pages to reach that flag; the sort and the sums read the row too.
The listing index of migration 0010 covers those columns but leads with ``status``: a
read filtered on customer, currency or a date range without a status cannot seek it.

Each index holds, after its leading column, ``deleted`` (every read has it as an
equality), then the columns the Invoices list, the customer statement, the aging cells,
the status counts and the receipts filter, sort and sum on, and the id: those reads are
then answered from the index alone (the statement and the receipts still read the rows
they keep, for their JSON fields and names). The customer index puts ``status`` and
``currency`` next (the aging cells and draft lookups seek them); the others put
``created`` and ``first_seen`` early (the list's newest-first order). PostgreSQL keeps
the JSON out of line (TOAST); there the indexes spare the row visits (index-only scans
on a vacuumed table). bench/invoice_index_bench.py measures the reads with and without.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FOLLOWING = ["total", "amount_due", "amount_paid", "amount_remaining", "number",
              "customer_name_folded", "id"]
#: index name -> its columns, in order.
INDEXES = {
    "ix_rm_invoices_customer_live": [
        "customer_id", "deleted", "status", "currency", "created", "first_seen",
        "finalized_at", "due_date", "paid_at", *_FOLLOWING,
    ],
    "ix_rm_invoices_currency_live": [
        "currency", "deleted", "created", "first_seen", "status", "due_date", "paid_at",
        "customer_id", *_FOLLOWING,
    ],
    "ix_rm_invoices_created_live": [
        "created", "deleted", "first_seen", "status", "currency", "due_date", "paid_at",
        "customer_id", *_FOLLOWING,
    ],
    "ix_rm_invoices_due_date_live": [
        "due_date", "deleted", "status", "currency", "created", "first_seen", "paid_at",
        "customer_id", *_FOLLOWING,
    ],
}  # fmt: skip


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "rm_invoices", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="rm_invoices")
