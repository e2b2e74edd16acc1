"""One-time login tickets: the page's login becomes an HttpOnly cookie set by an HTTP route.

See :mod:`services.core.login_tickets`. Rows live a minute; only a ticket's SHA-256 is kept.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_tickets",
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("logged_in_at", sa.Float(), nullable=False),
        sa.Column("secure", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_hash"),
    )
    op.create_index("ix_login_tickets_expires_at", "login_tickets", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_login_tickets_expires_at", table_name="login_tickets")
    op.drop_table("login_tickets")
