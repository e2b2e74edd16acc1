"""The audit trail: who did what, when, why, and what Stripe answered.

Every service write appends one row (success or failure) to the ``audit_log``
table of the app database. Rows are never changed or removed: the class offers
no way to, and on SQLite triggers refuse ``UPDATE`` and ``DELETE`` outright.
Readable as DataFrames for the audit page and an invoice's status timeline.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
)

from services.core.access import Actor
from services.core.database import ensure_schema, metadata

SUCCESS = "success"
FAILURE = "failure"

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("username", String(200), nullable=False, index=True),
    Column("role", String(40), nullable=False),
    Column("action", String(80), nullable=False, index=True),
    Column("object_id", String(255), nullable=True, index=True),
    Column("reason", Text, nullable=True),
    Column("idempotency_key", String(255), nullable=True),
    Column("stripe_request_id", Text, nullable=True),  # every id of a write
    Column("outcome", String(20), nullable=False),
    Column("error", Text, nullable=True),
)

COLUMNS = [c.name for c in audit_log.columns]
class AuditLog:
    """Append-only audit rows in the app database behind ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def record(
        self,
        *,
        actor: Actor,
        action: str,
        outcome: str,
        object_id: str | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
        stripe_request_id: str | None = None,
        error: str | None = None,
    ) -> None:
        """Append one row; ``outcome`` is ``"success"`` or ``"failure"``."""
        with self._engine.begin() as connection:
            connection.execute(
                insert(audit_log).values(
                    at=datetime.now(UTC),
                    username=actor.username,
                    role=str(actor.role),
                    action=action,
                    object_id=object_id,
                    reason=reason,
                    idempotency_key=idempotency_key,
                    stripe_request_id=stripe_request_id,
                    outcome=outcome,
                    error=error,
                )
            )

    def succeeded(self, idempotency_key: str) -> bool:
        """True when a write with this key already succeeded (a repeated submission)."""
        query = (
            select(audit_log.c.id)
            .where(audit_log.c.idempotency_key == idempotency_key)
            .where(audit_log.c.outcome == SUCCESS)
            .limit(1)
        )
        with self._engine.connect() as connection:
            return connection.execute(query).first() is not None

    def table(
        self,
        *,
        object_id: str | None = None,
        username: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int | None = 5000,
    ) -> pd.DataFrame:
        """Audit rows, newest first, optionally narrowed; one column per field."""
        query = select(audit_log).order_by(audit_log.c.id.desc())
        if object_id is not None:
            query = query.where(audit_log.c.object_id == object_id)
        if username is not None:
            query = query.where(audit_log.c.username == username)
        if action is not None:
            query = query.where(audit_log.c.action == action)
        if since is not None:
            if since.tzinfo is not None:
                since = since.astimezone(UTC)
            query = query.where(audit_log.c.at >= since)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        frame = pd.DataFrame([dict(row) for row in rows], columns=COLUMNS)
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        return frame

    def history(self, object_id: str) -> pd.DataFrame:
        """Everything done to one object, oldest first (an invoice's status timeline)."""
        frame = self.table(object_id=object_id, limit=None)
        return frame.iloc[::-1].reset_index(drop=True)
