"""Tables of the payment-events work, declared on the shared :data:`metadata`.

- ``payment_events``: every Stripe event received (webhook or poller), once per
  event id, with what was done about it. A row in state ``received`` has not been
  handled yet and is picked up again after a crash, so no recorded event is lost.
- ``fulfilments``: the sales log, one row per paid invoice (keyed on the invoice).
- ``invoice_payment_states``: the latest payment fact per invoice ("paid",
  "payment pending", "needs attention") and the time of the fact that set it.
- ``invoice_payment_history``: what happened to an invoice's payment, event by event.
- ``outbox``: messages to customers, queued then sent (or kept) with their status.
- ``webhook_secrets``: signing secrets of endpoints registered by the app itself
  (Stripe shows a secret only once, at creation).
- ``event_poll_cursors``: how far the event poller has read.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
)

from services.core.database import metadata

# payment_events.outcome
RECEIVED = "received"  # recorded, not handled yet (picked up again after a crash)
HANDLED = "handled"
IGNORED = "ignored"
FAILED = "failed"

# invoice_payment_states.state
PAID = "paid"
PENDING = "payment pending"
NEEDS_ATTENTION = "needs attention"

payment_events = Table(
    "payment_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(255), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("object_id", String(255)),
    Column("invoice_id", String(255), index=True),
    Column("event_created", BigInteger),  # the event's own `created` (unix seconds)
    Column("source", String(20), nullable=False),  # webhook | poller | direct
    Column("payload", Text, nullable=False),  # raw JSON, so handling can resume after a crash
    Column("received_at", DateTime, nullable=False),
    Column("handled_at", DateTime),
    Column("outcome", String(20), nullable=False, index=True),  # received|handled|ignored|failed
    Column("summary", Text),
    Column("error", Text),
)

fulfilments = Table(
    "fulfilments",
    metadata,
    Column("invoice_id", String(255), primary_key=True),  # an invoice is paid once
    Column("invoice_number", String(100)),
    Column("customer_id", String(255)),
    Column("customer_email", String(512)),
    Column("amount_paid", BigInteger, nullable=False),  # minor units
    Column("currency", String(3), nullable=False),
    Column("paid_at", DateTime),
    Column("paid_how", String(20), nullable=False),  # card | bank debit | out of band
    Column("event_id", String(255), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

invoice_payment_states = Table(
    "invoice_payment_states",
    metadata,
    Column("invoice_id", String(255), primary_key=True),
    Column("state", String(30), nullable=False),  # paid | payment pending | needs attention
    Column("fact_at", BigInteger, nullable=False),  # event time of the fact that set the state
    Column("invoice_number", String(100)),
    Column("customer_id", String(255)),
    Column("customer_email", String(512)),
    Column("amount_due", BigInteger),
    Column("currency", String(3)),
    Column("hosted_invoice_url", Text),
    Column("detail", Text),
    Column("updated_at", DateTime, nullable=False),
)

invoice_payment_history = Table(
    "invoice_payment_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_id", String(255), nullable=False, index=True),
    Column("event_id", String(255)),
    Column("event_type", String(100), nullable=False),
    Column("occurred_at", BigInteger),
    Column("note", Text, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)

outbox_messages = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(300), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("invoice_id", String(255), index=True),
    Column("recipient", String(512), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    # queued | sending | retrying | sent | sent to outbox | failed
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("queued_at", DateTime, nullable=False),
    Column("next_attempt_at", DateTime),
    Column("sent_at", DateTime),
)

webhook_secrets = Table(
    "webhook_secrets",
    metadata,
    Column("url", String(1000), primary_key=True),
    Column("endpoint_id", String(255), nullable=False),
    Column("secret", String(255), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

event_poll_cursors = Table(
    "event_poll_cursors",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("last_event_id", String(255)),
    Column("last_created", BigInteger, nullable=False),
    Column("polled_at", DateTime, nullable=False),
)
