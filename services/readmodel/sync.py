"""Applying Stripe objects and events to the read model: re-reads, writes' answers, events.

- **Re-read** (:meth:`ReadModelSync.fetch`): an event or a write names an object; the
  object is read again from Stripe (an invoice with all its lines and its payments)
  and stored under the time the read started, so the newest read wins whatever
  order events arrive or commit in (``services.readmodel.store``).
- **Read your writes** (:meth:`ReadModelSync.store_written`): what a dashboard write
  got back from Stripe is stored at once.
- **Events** (:meth:`ReadModelSync.snapshots_for_event`): which object an event
  changed, read again; the catch-up (``GET /v1/events`` since the last applied event,
  a full relist when that is older than Stripe keeps events, 30 days) is run by
  :mod:`services.readmodel.upkeep`.

The backfill (every object, listed 100 per request, resumable) is
:mod:`services.readmodel.backfill`; :class:`ReadModelSync` keeps its entry points
(:meth:`~ReadModelSync.backfill`, :meth:`~ReadModelSync.mark_listed`,
:meth:`~ReadModelSync.restart_backfill`). Requests are paced under Stripe's rate limit
and a 429 is retried by :mod:`services.readmodel.stripe_reads`: it never reaches the
user. A read is stored through :mod:`services.readmodel.snapshots`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import Engine

from services.readmodel import store
from services.readmodel.backfill import BACKFILL_KINDS, Backfill, BackfillProgress
from services.readmodel.columns import object_id
from services.readmodel.discount_names import bare_discount_ids, with_stored_discounts
from services.readmodel.snapshots import Snapshot, save_snapshot, save_snapshots, store_snapshots
from services.readmodel.stripe_reads import (
    INVOICE_EXPAND,
    INVOICE_RETRIEVE_EXPAND,
    PAGE_SIZE,
    PATHS,
    PacedReader,
)
from services.readmodel.tables import OBJECT_TABLES

#: Names importable from here as before the backfill, the paced reads and the snapshots
#: moved to modules of their own.
__all__ = [
    "BACKFILL_KINDS", "DRAFTS_FOLLOWED", "EVENT_RETENTION_SECONDS", "INVOICE_EXPAND",
    "INVOICE_RETRIEVE_EXPAND", "OBJECT_EVENT_TYPES", "PAGE_SIZE", "PATHS", "BackfillProgress",
    "ReadModelSync", "Snapshot", "save_snapshot", "save_snapshots",
]  # fmt: skip

log = logging.getLogger(__name__)

EVENT_RETENTION_SECONDS = 30 * 86400  # Stripe keeps events for 30 days
DRAFTS_FOLLOWED = 50  # a customer's drafts re-read when the customer changes (newest first)

# Event types that change an object of the read model, and which object to re-read.
OBJECT_EVENT_TYPES = (
    "customer.created", "customer.updated", "customer.deleted",
    "product.created", "product.updated", "product.deleted",
    "price.created", "price.updated", "price.deleted",
    "invoice.created", "invoice.updated", "invoice.deleted", "invoice.finalized",
    "invoice.finalization_failed", "invoice.sent", "invoice.paid", "invoice.payment_failed",
    "invoice.payment_succeeded", "invoice.payment_action_required", "invoice.voided",
    "invoice.marked_uncollectible", "invoice.overdue", "invoice.overpaid",
    "invoiceitem.created", "invoiceitem.updated", "invoiceitem.deleted",
    "invoice_payment.paid",
    "tax_rate.created", "tax_rate.updated",
    "coupon.created", "coupon.updated", "coupon.deleted",
    "credit_note.created", "credit_note.updated", "credit_note.voided",
    "payment_intent.processing", "payment_intent.succeeded", "payment_intent.payment_failed",
    "payment_intent.canceled",
)  # fmt: skip


class ReadModelSync:
    """Reads Stripe into the read model behind ``engine``, paced under the rate limit."""

    def __init__(
        self,
        client: stripe.StripeClient,
        engine: Engine,
        *,
        requests_per_second: float = 20.0,
        include_test_clocks: bool = True,
    ) -> None:
        self._engine = engine
        self.engine = engine
        self._reads = PacedReader(client, requests_per_second=requests_per_second)
        self._backfill = Backfill(self._reads, engine, include_test_clocks=include_test_clocks)

    @property
    def requests(self) -> int:
        """Requests sent to Stripe so far (retries of a 429 included)."""
        return self._reads.requests

    def close(self) -> None:
        """Release the rate limiter (when the services are disposed); no thread is left."""
        self._reads.close()

    # -- re-reads -------------------------------------------------------------------------

    def fetch(self, kind: str, object_id_: str) -> Snapshot:
        """Read one object of ``kind`` (a key of ``PATHS``) again from Stripe.

        ``GET /v1/<path>/<id>`` (https://docs.stripe.com/api/invoices/retrieve and the
        like); an invoice with all its lines and its payments (``INVOICE_RETRIEVE_EXPAND``).
        The snapshot's ``version`` is when the read started (microseconds); its ``obj``
        is None when Stripe answers 404 or ``deleted``. Raises other Stripe errors as
        the SDK raised them, :class:`services.core.errors.StripeUnavailable` after 429s.
        """
        version = store.now_version()
        path = PATHS[kind]
        params: dict[str, Any] = (
            {"expand": list(INVOICE_RETRIEVE_EXPAND)} if kind == "invoice" else {})
        try:
            obj = self._reads.get(f"/v1/{path}/{object_id_}", **params)
        except stripe.InvalidRequestError as err:
            if err.http_status == 404:
                return Snapshot(kind, object_id_, version, None)
            raise
        if obj.get("deleted"):
            return Snapshot(kind, object_id_, version, None)
        lines = self._reads.invoice_lines(obj) if kind == "invoice" else None
        return Snapshot(kind, object_id_, version, obj, lines)

    def save(self, snapshots: list[Snapshot]) -> None:
        """Store snapshots in one transaction (a listed page: one upsert statement), run
        again if PostgreSQL cancels it for a conflict with another server's writes."""
        store_snapshots(self._engine, snapshots)

    def refresh(self, kind: str, object_id_: str) -> Snapshot:
        """Re-read one object and store it (:meth:`fetch`, then :meth:`save`); the
        snapshot stored. Raises what :meth:`fetch` raises, before anything is stored."""
        snapshot = self.fetch(kind, object_id_)
        self.save([snapshot])
        return snapshot

    def store_written(self, returned: Sequence[tuple[int, Any]]) -> None:
        """Store what a dashboard write got back from Stripe (read your writes).

        ``returned`` pairs the time each request started (microseconds) with Stripe's
        answer. An invoice whose embedded lines are partial, and the invoice of a
        changed invoice item, are read again whole. An invoice whose discounts come as
        bare ids keeps the discounts stored for it (their coupon names), or is read again
        when one is new (:mod:`services.readmodel.discount_names`). Raises what
        :meth:`fetch` raises, before anything is stored.
        """
        snapshots: list[Snapshot] = []
        for version, result in returned:
            data = result.to_dict() if hasattr(result, "to_dict") else result
            if not isinstance(data, Mapping) or not data.get("id"):
                continue
            kind, found = data.get("object"), str(data["id"])
            if kind in OBJECT_TABLES and data.get("deleted"):
                snapshots.append(Snapshot(kind, found, version, None))
            elif kind == "invoice" and (data.get("lines") or {}).get("has_more"):
                snapshots.append(self.fetch("invoice", found))
            elif kind == "invoice" and bare_discount_ids(data):
                # discounts named by id only: keep the stored names (discount_names)
                named = with_stored_discounts(self.engine, data)
                snapshots.append(self.fetch("invoice", found) if named is None
                                 else Snapshot("invoice", found, version, named))
            elif kind in OBJECT_TABLES:
                snapshots.append(Snapshot(str(kind), found, version, data))
            elif kind == "invoiceitem" and object_id(data.get("invoice")):
                snapshots.append(self.fetch("invoice", str(object_id(data.get("invoice")))))
        if snapshots:
            self.save(snapshots)

    def snapshots_for_event(
        self, event: Mapping[str, Any], *, received_at: datetime | None = None
    ) -> list[Snapshot]:
        """Re-read what ``event`` changed (network; before the handling transaction).

        ``received_at`` is when the dashboard received the event: a stored copy read
        after that already shows the change, so the object is not read again (a burst
        of events about one invoice costs one or two reads, not one each). Follows
        Stripe's event types (https://docs.stripe.com/api/events/types); an event of a
        type not in ``OBJECT_EVENT_TYPES`` gives ``[]``. Raises what :meth:`fetch` raises.
        """
        event_type = str(event.get("type"))
        obj = (event.get("data") or {}).get("object") or {}
        kind = event_type.split(".", 1)[0]
        if event_type not in OBJECT_EVENT_TYPES:
            return []
        if event_type.endswith(".deleted") and kind in OBJECT_TABLES:
            return [Snapshot(kind, str(obj.get("id")), store.now_version(), None)]
        target = (kind, str(obj.get("id"))) if kind in OBJECT_TABLES else None
        if target is None:
            invoice_id = self._invoice_named_by(kind, obj)
            target = ("invoice", invoice_id) if invoice_id else None
        if target is None:
            return []
        snapshots: list[Snapshot] = []
        if not self._stored_after(target, received_at):
            snapshots.append(self.fetch(*target))
        if kind == "credit_note" and object_id(obj.get("invoice")):
            # Issuing or voiding a credit note changes what its invoice still owes.
            snapshots.append(self.fetch("invoice", str(object_id(obj.get("invoice")))))
        if target[0] == "customer":
            # Until it is finalized, a draft shows its customer's current name and email
            # (Stripe sends no invoice event when the customer changes): read them again.
            snapshots += [
                self.fetch("invoice", draft)
                for draft in store.draft_ids_of(self._engine, target[1], DRAFTS_FOLLOWED)
            ]
        return snapshots

    def _stored_after(self, target: tuple[str, str], received_at: datetime | None) -> bool:
        """Whether the stored copy of ``target`` was read after the event was received."""
        if received_at is None:
            return False
        received = int(received_at.replace(tzinfo=received_at.tzinfo or UTC).timestamp()
                       * 1_000_000)
        stored = store.stored_version(self._engine, *target)
        return stored is not None and stored >= received

    def _invoice_named_by(self, kind: str, obj: Mapping[str, Any]) -> str | None:
        if kind in ("invoiceitem", "invoice_payment"):
            return object_id(obj.get("invoice"))
        if kind == "payment_intent" and obj.get("id"):
            page = self._reads.get(
                "/v1/invoice_payments",
                payment={"type": "payment_intent", "payment_intent": obj["id"]},
                limit=1,
            )
            for payment in page.get("data") or []:
                return object_id(payment.get("invoice"))
        return None

    def invoice_pages(self) -> Iterator[list[dict[str, Any]]]:
        """Every invoice in Stripe as Stripe lists it (``GET /v1/invoices``, 100 a page,
        newest first), a page at a time, nothing stored (for the reconciliation)."""
        yield from self._reads.pages("/v1/invoices", {})

    # -- backfill (services.readmodel.backfill) -------------------------------------------

    def backfill(
        self, progress: Callable[[BackfillProgress], None] | None = None
    ) -> BackfillProgress:
        """List every object into the read model, resuming where a previous run stopped
        (:meth:`services.readmodel.backfill.Backfill.run`)."""
        return self._backfill.run(progress)

    def newest_event(self) -> dict[str, Any] | None:
        """Stripe's newest event now, or None when there is none."""
        return self._reads.newest_event()

    def mark_listed(self) -> None:
        """Record every kind as listed, without listing (see ``begin_at_now``)."""
        self._backfill.mark_listed()

    def restart_backfill(self) -> None:
        """Forget backfill progress, so the next backfill lists everything again."""
        self._backfill.restart()
