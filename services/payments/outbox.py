"""Outbox: messages to customers, queued in the app database and then sent.

A message is queued inside the same transaction as the fact that caused it (a
paid invoice, a failed payment), under a ``dedupe_key`` so the same fact never
queues two messages. Sending happens later, outside any transaction:

- with ``SMTP_URL`` configured, over SMTP (``smtplib``) with retries; after the last
  attempt the message stays ``failed`` with the error shown — it is never dropped;
- without it (emulator mode), the message is kept as ``sent to outbox`` so the team
  can read what the customer would have received.

``SMTP_URL`` forms: ``smtp://[user:password@]host[:port]`` (port 25; STARTTLS when the
server offers it), ``smtp+starttls://…`` (STARTTLS required, port 587), ``smtps://…``
(TLS, port 465); an optional ``?from=billing@example.com`` sets the sender.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, Row, and_, exc, or_, select, update

from services.core.clock import Clock, naive_utc, utc_now
from services.core.database import insert_ignore, write_transaction
from services.core.errors import ConfigurationError, InvalidInput, NotFound
from services.payments.tables import outbox_messages

QUEUED = "queued"
SENDING = "sending"
RETRYING = "retrying"
SENT = "sent"
KEPT = "sent to outbox"
FAILED = "failed"

DEFAULT_RETRY_DELAYS: tuple[float, ...] = (10.0, 60.0, 300.0)
SENDING_LEASE = timedelta(minutes=5)  # a send interrupted by a crash is tried again after this

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail, parsed from ``SMTP_URL``."""

    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None
    sender: str
    timeout: float = 10.0


def parse_smtp_url(smtp_url: str) -> SmtpSettings:
    """Parse ``SMTP_URL``; raise :class:`ConfigurationError` naming it when malformed."""
    parts = urlsplit(smtp_url)
    if parts.scheme not in _DEFAULT_PORTS:
        raise ConfigurationError(
            "SMTP_URL must start with smtp://, smtp+starttls:// or smtps://", field="SMTP_URL"
        )
    if not parts.hostname:
        raise ConfigurationError("SMTP_URL has no host name", field="SMTP_URL")
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError as err:
        raise ConfigurationError(f"SMTP_URL has a bad port: {err}", field="SMTP_URL") from err
    query = parse_qs(parts.query)
    sender = query.get("from", ["billing@localhost"])[0]
    return SmtpSettings(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
    )


def send_over_smtp(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send one message; any failure raises (``smtplib.SMTPException`` or ``OSError``)."""
    if settings.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        client.ehlo()
        # smtp+starttls:// requires TLS; plain smtp:// still upgrades when the server offers it.
        if settings.scheme == "smtp+starttls" or (
            settings.scheme == "smtp" and client.has_extn("starttls")
        ):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(message)


class Outbox:
    """Queue, send and list customer messages."""

    def __init__(
        self,
        engine: Engine,
        *,
        smtp_url: str | None = None,
        clock: Clock = utc_now,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        sender: Callable[[SmtpSettings, EmailMessage], None] = send_over_smtp,
    ) -> None:
        self._engine = engine
        self._smtp = parse_smtp_url(smtp_url) if smtp_url else None
        self._clock = clock
        self._retry_delays = tuple(retry_delays)
        self._send = sender

    @property
    def sends_mail(self) -> bool:
        """True when SMTP is configured; otherwise messages are kept in the outbox."""
        return self._smtp is not None

    @property
    def max_attempts(self) -> int:
        """How many times a message is tried before it is left ``failed``."""
        return len(self._retry_delays) + 1

    def queue(
        self,
        conn: Connection,
        *,
        dedupe_key: str,
        kind: str,
        recipient: str | None,
        subject: str,
        body: str,
        invoice_id: str | None = None,
    ) -> bool:
        """Queue a message in ``conn``'s transaction; False when ``dedupe_key`` was queued."""
        now = naive_utc(self._clock())
        status, error = (QUEUED if self.sends_mail else KEPT), None
        if not recipient:
            status, error = FAILED, "The customer has no email address; nothing can be sent."
        return insert_ignore(
            conn,
            outbox_messages,
            {
                "dedupe_key": dedupe_key,
                "kind": kind,
                "invoice_id": invoice_id,
                "recipient": recipient or "",
                "subject": subject,
                "body": body,
                "status": status,
                "attempts": 0,
                "last_error": error,
                "queued_at": now,
                "next_attempt_at": now,
                "sent_at": now if status == KEPT else None,
            },
        )

    def deliver_due(self, limit: int = 100) -> int:
        """Try every message that is due now; return how many were sent."""
        if self._smtp is None:
            return 0
        now = naive_utc(self._clock())
        due = _due_condition(now)
        with self._engine.connect() as conn:
            ids = (
                conn.execute(
                    select(outbox_messages.c.id)
                    .where(due)
                    .order_by(outbox_messages.c.id)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
        return sum(1 for message_id in ids if self._deliver_one(message_id))

    def retry(self, message_id: int) -> None:
        """Put a ``failed`` message back in the queue (a person chose to try again)."""
        with write_transaction(self._engine) as conn:
            row = conn.execute(
                select(outbox_messages.c.status).where(outbox_messages.c.id == message_id)
            ).first()
            if row is None:
                raise NotFound(f"No outbox message {message_id}", field="message_id")
            if row.status != FAILED:
                raise InvalidInput("Only a failed message can be retried", field="message_id")
            conn.execute(
                update(outbox_messages)
                .where(outbox_messages.c.id == message_id)
                .values(status=QUEUED, attempts=0, next_attempt_at=naive_utc(self._clock()))
            )

    def table(self, limit: int = 200) -> pd.DataFrame:
        """The newest messages first: recipient, subject, body, status, attempts, error."""
        columns = [
            "message_id",
            "queued_at",
            "kind",
            "invoice_id",
            "recipient",
            "subject",
            "body",
            "status",
            "attempts",
            "last_error",
            "sent_at",
        ]
        c = outbox_messages.c
        query = (
            select(
                c.id,
                c.queued_at,
                c.kind,
                c.invoice_id,
                c.recipient,
                c.subject,
                c.body,
                c.status,
                c.attempts,
                c.last_error,
                c.sent_at,
            )
            .order_by(c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = [tuple(row) for row in conn.execute(query)]
        frame = pd.DataFrame(rows, columns=columns)
        for column in ("queued_at", "sent_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
        return frame

    def _deliver_one(self, message_id: int) -> bool:
        settings = self._smtp
        if settings is None:
            return False
        now = naive_utc(self._clock())
        with write_transaction(self._engine) as conn:
            claimed = conn.execute(
                update(outbox_messages)
                .where(and_(outbox_messages.c.id == message_id, _due_condition(now)))
                .values(status=SENDING, next_attempt_at=now + SENDING_LEASE)
            ).rowcount
            if claimed != 1:
                return False  # another worker has it
            row = conn.execute(
                select(outbox_messages).where(outbox_messages.c.id == message_id)
            ).one()
        message = _build_message(settings.sender, row)
        try:
            self._send(settings, message)
        except (smtplib.SMTPException, OSError, exc.SQLAlchemyError) as err:
            self._record_failure(message_id, row.attempts + 1, f"{type(err).__name__}: {err}")
            return False
        with write_transaction(self._engine) as conn:
            conn.execute(
                update(outbox_messages)
                .where(outbox_messages.c.id == message_id)
                .values(
                    status=SENT,
                    attempts=row.attempts + 1,
                    last_error=None,
                    sent_at=naive_utc(self._clock()),
                    next_attempt_at=None,
                )
            )
        return True

    def _record_failure(self, message_id: int, attempts: int, error: str) -> None:
        now = naive_utc(self._clock())
        values: dict[str, object]
        if attempts >= self.max_attempts:
            values = {"status": FAILED, "next_attempt_at": None}
        else:
            delay = timedelta(seconds=self._retry_delays[attempts - 1])
            values = {"status": RETRYING, "next_attempt_at": now + delay}
        with write_transaction(self._engine) as conn:
            conn.execute(
                update(outbox_messages)
                .where(outbox_messages.c.id == message_id)
                .values(attempts=attempts, last_error=error, **values)
            )


def _due_condition(now: datetime) -> ColumnElement[bool]:
    c = outbox_messages.c
    return or_(
        and_(
            c.status.in_((QUEUED, RETRYING)),
            or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
        ),
        and_(c.status == SENDING, c.next_attempt_at <= now),
    )


def _build_message(sender: str, row: Row[Any]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.queued_at.replace(tzinfo=UTC))
    # Stable per outbox row, so a retry after an unclear failure can be recognised.
    message["Message-ID"] = f"<outbox-{row.id}@invoicing-dashboard.local>"
    message.set_content(row.body)
    return message
