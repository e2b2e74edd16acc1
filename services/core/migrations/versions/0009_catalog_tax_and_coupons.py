"""Tax rates and coupons in the read model: the Catalog page and the invoice pickers read them.

Revision ID: 0009
Revises: 0008 (login tickets, made at the same time by another change)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _object_columns() -> list[sa.Column]:
    return [
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "rm_tax_rates",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("percentage", sa.Float(), nullable=True),
        sa.Column("inclusive", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("jurisdiction", sa.Text(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=True),
        *_object_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rm_tax_rates_created", "rm_tax_rates", ["created"])
    op.create_table(
        "rm_coupons",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("percent_off", sa.Float(), nullable=True),
        sa.Column("amount_off", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("duration", sa.String(length=20), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("max_redemptions", sa.BigInteger(), nullable=True),
        sa.Column("times_redeemed", sa.BigInteger(), nullable=False),
        sa.Column("redeem_by", sa.BigInteger(), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=True),
        *_object_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rm_coupons_created", "rm_coupons", ["created"])


def downgrade() -> None:
    op.drop_index("ix_rm_coupons_created", table_name="rm_coupons")
    op.drop_table("rm_coupons")
    op.drop_index("ix_rm_tax_rates_created", table_name="rm_tax_rates")
    op.drop_table("rm_tax_rates")
