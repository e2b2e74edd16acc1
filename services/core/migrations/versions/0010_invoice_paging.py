"""The Invoices page filters, sorts, pages and sums any set in SQL: one wide listing index.

An invoice's row holds its JSON as Stripe sent it, so reading rows to sort 100,000
invoices or to sum them per currency reads the whole table (hundreds of MB). This
index holds every column the list filters, sorts and sums on, plus the id: the page's
ids and the totals are read from the index alone, and only the page's rows whole.
It leads with status and currency (the usual filters, and the totals' grouping).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LISTING_COLUMNS = [
    "status", "currency", "deleted", "created", "first_seen", "due_date", "paid_at",
    "customer_id", "total", "amount_due", "amount_paid", "amount_remaining", "number",
    "customer_name_folded", "id",
]  # fmt: skip


def upgrade() -> None:
    op.create_index("ix_rm_invoices_listing", "rm_invoices", LISTING_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_rm_invoices_listing", table_name="rm_invoices")
