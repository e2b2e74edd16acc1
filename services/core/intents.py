"""Write intents: a write to Stripe is noted in the app database before it is sent.

The rule that makes a write impossible to half-do: the intent (who, what, the
idempotency key) is stored *before* the first request to Stripe, and closed after
the audit row. So:

- if the app database cannot take the intent, nothing is sent to Stripe;
- if the process dies between Stripe's answer and the audit row, the intent stays
  open; the same form submitted again carries the same idempotency key, Stripe
  replays its first answer (nothing is made twice), and the audit row is written then;
- open intents older than a minute are named to their user on the next visit
  (:meth:`WriteIntents.unfinished`), with the object they had reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Engine, String, Table, Text, select, update

from services.core.access import Actor
from services.core.database import ensure_schema, insert_ignore, metadata, write_transaction
from services.core.errors import StripeUnavailable

write_intents = Table(
    "write_intents",
    metadata,
    Column("idempotency_key", String(255), primary_key=True),
    Column("username", String(200), nullable=False, index=True),
    Column("role", String(40), nullable=False),
    Column("operation", String(80), nullable=False),
    Column("object_id", String(255)),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), index=True),
    Column("outcome", String(20)),
    Column("error", Text),
)

UNFINISHED_AFTER = timedelta(minutes=1)  # younger ones may still be running


@dataclass(frozen=True)
class UnfinishedWrite:
    """A change someone started that never got Stripe's final answer recorded."""

    operation: str
    object_id: str | None
    started_at: datetime
    idempotency_key: str


class WriteIntents:
    """Open and close write intents in the app database behind ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def open(self, actor: Actor, operation: str, key: str, object_id: str | None) -> None:
        """Note that ``actor`` is about to send ``operation`` with ``key``.

        A repeat of the same submission (same key) reopens nothing and is allowed
        (Stripe replays). Raises :class:`StripeUnavailable` (nothing sent) when the
        app database cannot take the note.
        """
        row = {
            "idempotency_key": key, "username": actor.username, "role": str(actor.role),
            "operation": operation, "object_id": object_id, "started_at": datetime.now(UTC),
        }  # fmt: skip
        try:
            with write_transaction(self._engine) as conn:
                insert_ignore(conn, write_intents, row)
        except Exception as err:  # any database failure: fail closed, send nothing
            raise StripeUnavailable(
                "The change could not be noted in the dashboard's database, so nothing was "
                "sent to Stripe. Try again in a moment.",
                retryable=True,
            ) from err

    def reached(self, key: str, object_id: str | None) -> None:
        """Remember the object a write has made or changed so far (for the user's note)."""
        if object_id is None:
            return
        with write_transaction(self._engine) as conn:
            conn.execute(
                update(write_intents)
                .where(write_intents.c.idempotency_key == key)
                .values(object_id=object_id)
            )

    def close(self, key: str, outcome: str, error: str | None = None) -> None:
        """Close the intent once its audit row is written."""
        with write_transaction(self._engine) as conn:
            conn.execute(
                update(write_intents)
                .where(write_intents.c.idempotency_key == key)
                .values(finished_at=datetime.now(UTC), outcome=outcome, error=error)
            )

    def unfinished(self, username: str, *, now: datetime | None = None) -> list[UnfinishedWrite]:
        """``username``'s writes started over a minute ago and never closed, newest first."""
        cutoff = (now or datetime.now(UTC)) - UNFINISHED_AFTER
        w = write_intents.c
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(w.operation, w.object_id, w.started_at, w.idempotency_key)
                .where(w.username == username, w.finished_at.is_(None), w.started_at < cutoff)
                .order_by(w.started_at.desc())
            ).all()
        return [
            UnfinishedWrite(row.operation, row.object_id, _aware(row.started_at),
                            row.idempotency_key)
            for row in rows
        ]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
