"""The tables as they were before migrations existed (audit, logins, payment events).

A database made by an older dashboard (tables, no ``alembic_version``) keeps its
tables and rows; the ones it lacks are created. The audit log is append-only on both
databases: a trigger refuses UPDATE and DELETE.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_AUDIT_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_{verb} BEFORE {VERB} ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
)
_POSTGRESQL_AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql
"""
_POSTGRESQL_AUDIT_TRIGGER = (
    "CREATE TRIGGER audit_log_no_{verb} BEFORE {VERB} ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
)


def upgrade() -> None:
    # A database made before migrations has some of these tables: create the others.
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    if "audit_log" not in existing:
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("username", sa.String(length=200), nullable=False),
            sa.Column("role", sa.String(length=40), nullable=False),
            sa.Column("action", sa.String(length=80), nullable=False),
            sa.Column("object_id", sa.String(length=255), nullable=True),
            sa.Column("reason", sa.Text(), nullable=True),
            sa.Column("idempotency_key", sa.String(length=255), nullable=True),
            sa.Column("stripe_request_id", sa.String(length=255), nullable=True),
            sa.Column("outcome", sa.String(length=20), nullable=False),
            sa.Column("error", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_audit_log_action", "audit_log", ["action"])
        op.create_index("ix_audit_log_at", "audit_log", ["at"])
        op.create_index("ix_audit_log_object_id", "audit_log", ["object_id"])
        op.create_index("ix_audit_log_username", "audit_log", ["username"])

    _make_audit_log_append_only()

    if "event_poll_cursors" not in existing:
        op.create_table(
            "event_poll_cursors",
            sa.Column("name", sa.String(length=50), nullable=False),
            sa.Column("last_event_id", sa.String(length=255), nullable=True),
            sa.Column("last_created", sa.BigInteger(), nullable=False),
            sa.Column("polled_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )

    if "fulfilments" not in existing:
        op.create_table(
            "fulfilments",
            sa.Column("invoice_id", sa.String(length=255), nullable=False),
            sa.Column("invoice_number", sa.String(length=100), nullable=True),
            sa.Column("customer_id", sa.String(length=255), nullable=True),
            sa.Column("customer_email", sa.String(length=512), nullable=True),
            sa.Column("amount_paid", sa.BigInteger(), nullable=False),
            sa.Column("currency", sa.String(length=3), nullable=False),
            sa.Column("paid_at", sa.DateTime(), nullable=True),
            sa.Column("paid_how", sa.String(length=20), nullable=False),
            sa.Column("event_id", sa.String(length=255), nullable=False),
            sa.Column("recorded_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("invoice_id"),
        )

    if "invoice_payment_history" not in existing:
        op.create_table(
            "invoice_payment_history",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("invoice_id", sa.String(length=255), nullable=False),
            sa.Column("event_id", sa.String(length=255), nullable=True),
            sa.Column("event_type", sa.String(length=100), nullable=False),
            sa.Column("occurred_at", sa.BigInteger(), nullable=True),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("recorded_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            "ix_invoice_payment_history_invoice_id", "invoice_payment_history", ["invoice_id"]
        )

    if "invoice_payment_states" not in existing:
        op.create_table(
            "invoice_payment_states",
            sa.Column("invoice_id", sa.String(length=255), nullable=False),
            sa.Column("state", sa.String(length=30), nullable=False),
            sa.Column("fact_at", sa.BigInteger(), nullable=False),
            sa.Column("invoice_number", sa.String(length=100), nullable=True),
            sa.Column("customer_id", sa.String(length=255), nullable=True),
            sa.Column("customer_email", sa.String(length=512), nullable=True),
            sa.Column("amount_due", sa.BigInteger(), nullable=True),
            sa.Column("currency", sa.String(length=3), nullable=True),
            sa.Column("hosted_invoice_url", sa.Text(), nullable=True),
            sa.Column("detail", sa.Text(), nullable=True),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("invoice_id"),
        )

    if "login_revocations" not in existing:
        op.create_table(
            "login_revocations",
            sa.Column("username", sa.String(length=200), nullable=False),
            sa.Column("not_before", sa.Float(), nullable=False),
            sa.PrimaryKeyConstraint("username"),
        )

    if "outbox" not in existing:
        op.create_table(
            "outbox",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("dedupe_key", sa.String(length=300), nullable=False),
            sa.Column("kind", sa.String(length=40), nullable=False),
            sa.Column("invoice_id", sa.String(length=255), nullable=True),
            sa.Column("recipient", sa.String(length=512), nullable=False),
            sa.Column("subject", sa.Text(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("last_error", sa.Text(), nullable=True),
            sa.Column("queued_at", sa.DateTime(), nullable=False),
            sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
            sa.Column("sent_at", sa.DateTime(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("dedupe_key"),
        )
        op.create_index("ix_outbox_invoice_id", "outbox", ["invoice_id"])
        op.create_index("ix_outbox_status", "outbox", ["status"])

    if "payment_events" not in existing:
        op.create_table(
            "payment_events",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("event_id", sa.String(length=255), nullable=False),
            sa.Column("event_type", sa.String(length=100), nullable=False),
            sa.Column("object_id", sa.String(length=255), nullable=True),
            sa.Column("invoice_id", sa.String(length=255), nullable=True),
            sa.Column("event_created", sa.BigInteger(), nullable=True),
            sa.Column("source", sa.String(length=20), nullable=False),
            sa.Column("payload", sa.Text(), nullable=False),
            sa.Column("received_at", sa.DateTime(), nullable=False),
            sa.Column("handled_at", sa.DateTime(), nullable=True),
            sa.Column("outcome", sa.String(length=20), nullable=False),
            sa.Column("summary", sa.Text(), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("event_id"),
        )
        op.create_index("ix_payment_events_invoice_id", "payment_events", ["invoice_id"])
        op.create_index("ix_payment_events_outcome", "payment_events", ["outcome"])

    if "webhook_secrets" not in existing:
        op.create_table(
            "webhook_secrets",
            sa.Column("url", sa.String(length=1000), nullable=False),
            sa.Column("endpoint_id", sa.String(length=255), nullable=False),
            sa.Column("secret", sa.String(length=255), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("url"),
        )


def downgrade() -> None:
    op.drop_table("webhook_secrets")
    op.drop_index("ix_payment_events_outcome", table_name="payment_events")
    op.drop_index("ix_payment_events_invoice_id", table_name="payment_events")
    op.drop_table("payment_events")
    op.drop_index("ix_outbox_status", table_name="outbox")
    op.drop_index("ix_outbox_invoice_id", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("login_revocations")
    op.drop_table("invoice_payment_states")
    op.drop_index("ix_invoice_payment_history_invoice_id", table_name="invoice_payment_history")
    op.drop_table("invoice_payment_history")
    op.drop_table("fulfilments")
    op.drop_table("event_poll_cursors")
    op.drop_index("ix_audit_log_username", table_name="audit_log")
    op.drop_index("ix_audit_log_object_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")


def _make_audit_log_append_only() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_POSTGRESQL_AUDIT_FUNCTION)
        template = _POSTGRESQL_AUDIT_TRIGGER
    elif dialect == "sqlite":
        template = _SQLITE_AUDIT_TRIGGER
    else:
        return
    for verb in ("update", "delete"):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{verb} ON audit_log")
        op.execute(template.format(verb=verb, VERB=verb.upper()))
