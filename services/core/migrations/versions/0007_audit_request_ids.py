"""The audit log keeps every Stripe request id of a write (a 25-line draft makes 26 requests).

``stripe_request_id`` becomes TEXT. SQLite never enforced the old length, so only
PostgreSQL changes.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("audit_log", "stripe_request_id", type_=sa.Text(),
                        existing_type=sa.String(length=255), existing_nullable=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("audit_log", "stripe_request_id", type_=sa.String(length=255),
                        existing_type=sa.Text(), existing_nullable=True,
                        postgresql_using="left(stripe_request_id, 255)")
