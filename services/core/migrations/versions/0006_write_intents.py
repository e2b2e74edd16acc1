"""Write intents: a write to Stripe is noted before it is sent and closed after its audit row.

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "write_intents",
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("operation", sa.String(length=80), nullable=False),
        sa.Column("object_id", sa.String(length=255), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("idempotency_key"),
    )
    op.create_index("ix_write_intents_finished_at", "write_intents", ["finished_at"])
    op.create_index("ix_write_intents_username", "write_intents", ["username"])



def downgrade() -> None:
    op.drop_index("ix_write_intents_username", table_name="write_intents")
    op.drop_index("ix_write_intents_finished_at", table_name="write_intents")
    op.drop_table("write_intents")
