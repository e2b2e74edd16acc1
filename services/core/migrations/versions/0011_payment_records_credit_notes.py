"""Credit notes in the read model: the invoice page, its timeline and the customer page.

Out-of-band payments need no table of their own: an invoice is read with each payment's
PaymentRecord expanded (``payments.data.payment.payment_record``), so the method, the
reference and the date travel in ``rm_invoice_payments.data`` beside the payment.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXED = ("invoice_id", "customer_id", "created")


def upgrade() -> None:
    op.create_table(
        "rm_credit_notes",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("invoice_id", sa.String(length=255), nullable=True),
        sa.Column("customer_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("pre_payment_amount", sa.BigInteger(), nullable=False),
        sa.Column("post_payment_amount", sa.BigInteger(), nullable=False),
        sa.Column("out_of_band_amount", sa.BigInteger(), nullable=True),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=True),
        sa.Column("effective_at", sa.BigInteger(), nullable=True),
        sa.Column("voided_at", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in INDEXED:
        op.create_index(f"ix_rm_credit_notes_{column}", "rm_credit_notes", [column])


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(f"ix_rm_credit_notes_{column}", table_name="rm_credit_notes")
    op.drop_table("rm_credit_notes")
