"""The read model: local copies of customers, products, prices, invoices, their lines and payments.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rm_customers",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_folded", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=512), nullable=True),
        sa.Column("email_folded", sa.String(length=512), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("test_clock", sa.String(length=255), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rm_customers_created", "rm_customers", ["created"])
    op.create_index("ix_rm_customers_email_folded", "rm_customers", ["email_folded"])
    op.create_index("ix_rm_customers_name_folded", "rm_customers", ["name_folded"])

    op.create_table(
        "rm_invoice_lines",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("invoice_id", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_folded", sa.Text(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("price_id", sa.String(length=255), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rm_invoice_lines_invoice_id", "rm_invoice_lines", ["invoice_id"])

    op.create_table(
        "rm_invoice_payments",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("invoice_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("amount_paid", sa.BigInteger(), nullable=True),
        sa.Column("amount_requested", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("payment_type", sa.String(length=30), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=True),
        sa.Column("paid_at", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rm_invoice_payments_invoice_id", "rm_invoice_payments", ["invoice_id"])
    op.create_index("ix_rm_invoice_payments_paid_at", "rm_invoice_payments", ["paid_at"])

    op.create_table(
        "rm_invoices",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("number_folded", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("customer_id", sa.String(length=255), nullable=True),
        sa.Column("customer_name", sa.Text(), nullable=True),
        sa.Column("customer_name_folded", sa.Text(), nullable=True),
        sa.Column("customer_email", sa.String(length=512), nullable=True),
        sa.Column("customer_email_folded", sa.String(length=512), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("amount_due", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid", sa.BigInteger(), nullable=False),
        sa.Column("amount_remaining", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.BigInteger(), nullable=True),
        sa.Column("finalized_at", sa.BigInteger(), nullable=True),
        sa.Column("paid_at", sa.BigInteger(), nullable=True),
        sa.Column("voided_at", sa.BigInteger(), nullable=True),
        sa.Column("marked_uncollectible_at", sa.BigInteger(), nullable=True),
        sa.Column("collection_method", sa.String(length=30), nullable=True),
        sa.Column("hosted_invoice_url", sa.Text(), nullable=True),
        sa.Column("po_number", sa.String(length=500), nullable=True),
        sa.Column("po_number_folded", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("lines_complete", sa.Boolean(), nullable=False),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rm_invoices_created", "rm_invoices", ["created"])
    op.create_index("ix_rm_invoices_currency", "rm_invoices", ["currency"])
    op.create_index("ix_rm_invoices_customer_id", "rm_invoices", ["customer_id"])
    op.create_index("ix_rm_invoices_due_date", "rm_invoices", ["due_date"])
    op.create_index("ix_rm_invoices_number_folded", "rm_invoices", ["number_folded"])
    op.create_index("ix_rm_invoices_paid_at", "rm_invoices", ["paid_at"])
    op.create_index("ix_rm_invoices_po_number_folded", "rm_invoices", ["po_number_folded"])
    op.create_index("ix_rm_invoices_status", "rm_invoices", ["status"])

    op.create_table(
        "rm_prices",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("product_id", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("unit_amount", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("recurring_interval", sa.String(length=10), nullable=True),
        sa.Column("nickname", sa.Text(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rm_prices_created", "rm_prices", ["created"])
    op.create_index("ix_rm_prices_currency", "rm_prices", ["currency"])
    op.create_index("ix_rm_prices_product_id", "rm_prices", ["product_id"])

    op.create_table(
        "rm_products",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_folded", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rm_products_created", "rm_products", ["created"])
    op.create_index("ix_rm_products_name_folded", "rm_products", ["name_folded"])

    op.create_table(
        "rm_sync_state",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("cursor", sa.String(length=255), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("listed", sa.BigInteger(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("finished_at", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("rm_sync_state")
    op.drop_index("ix_rm_products_name_folded", table_name="rm_products")
    op.drop_index("ix_rm_products_created", table_name="rm_products")
    op.drop_table("rm_products")
    op.drop_index("ix_rm_prices_product_id", table_name="rm_prices")
    op.drop_index("ix_rm_prices_currency", table_name="rm_prices")
    op.drop_index("ix_rm_prices_created", table_name="rm_prices")
    op.drop_table("rm_prices")
    op.drop_index("ix_rm_invoices_status", table_name="rm_invoices")
    op.drop_index("ix_rm_invoices_po_number_folded", table_name="rm_invoices")
    op.drop_index("ix_rm_invoices_paid_at", table_name="rm_invoices")
    op.drop_index("ix_rm_invoices_number_folded", table_name="rm_invoices")
    op.drop_index("ix_rm_invoices_due_date", table_name="rm_invoices")
    op.drop_index("ix_rm_invoices_customer_id", table_name="rm_invoices")
    op.drop_index("ix_rm_invoices_currency", table_name="rm_invoices")
    op.drop_index("ix_rm_invoices_created", table_name="rm_invoices")
    op.drop_table("rm_invoices")
    op.drop_index("ix_rm_invoice_payments_paid_at", table_name="rm_invoice_payments")
    op.drop_index("ix_rm_invoice_payments_invoice_id", table_name="rm_invoice_payments")
    op.drop_table("rm_invoice_payments")
    op.drop_index("ix_rm_invoice_lines_invoice_id", table_name="rm_invoice_lines")
    op.drop_table("rm_invoice_lines")
    op.drop_index("ix_rm_customers_name_folded", table_name="rm_customers")
    op.drop_index("ix_rm_customers_email_folded", table_name="rm_customers")
    op.drop_index("ix_rm_customers_created", table_name="rm_customers")
    op.drop_table("rm_customers")
