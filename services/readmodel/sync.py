"""Filling the read model and keeping it current: re-reads, backfill, events and catch-up.

- **Re-read** (:meth:`ReadModelSync.fetch`): an event or a write names an object; the
  object is read again from Stripe (an invoice with all its lines and its payments)
  and stored under the time the read started, so the newest read wins whatever
  order events arrive or commit in (``services.readmodel.store``).
- **Backfill** (:meth:`ReadModelSync.backfill`): every product, price, customer (those
  on test clocks too, outside live mode) and invoice, 100 per request, paced under
  Stripe's rate limit, resumable from its cursor after a crash or restart. The event
  cursor is noted *before* the backfill starts, so events that happen meanwhile are
  applied by the next catch-up.
- **Catch-up** (:meth:`ReadModelSync.catch_up`): ``GET /v1/events`` since the last
  applied event; if that is older than Stripe keeps events (30 days), a full relist.

Stripe's limits: 25 requests/s in test mode, 100 live. Reads are paced at
``requests_per_second`` (default 20) by pyrate-limiter, and a 429 is retried with
exponential backoff by tenacity: it never reaches the user.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import stripe
from pyrate_limiter import Duration, InMemoryBucket, Limiter, Rate, SingleBucketFactory
from sqlalchemy import Engine
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.core.database import retry_on_conflict, write_transaction
from services.core.errors import StripeUnavailable
from services.readmodel import store
from services.readmodel.columns import object_id
from services.readmodel.discount_names import bare_discount_ids, with_stored_discounts
from services.readmodel.tables import OBJECT_TABLES

log = logging.getLogger(__name__)

PAGE_SIZE = 100
EVENT_RETENTION_SECONDS = 30 * 86400  # Stripe keeps events for 30 days
BACKFILL_KINDS = ("product", "price", "customer", "invoice", "tax_rate", "coupon",
                  "credit_note")
#: Where each kind is read (``/v1/<path>``).
PATHS = {"customer": "customers", "product": "products", "price": "prices",
         "invoice": "invoices", "tax_rate": "tax_rates", "coupon": "coupons",
         "credit_note": "credit_notes"}
#: Invoices are read with their payments and the coupon behind each discount amount.
INVOICE_EXPAND = ("payments", "total_discount_amounts.discount")
#: One invoice read alone also brings each payment's PaymentRecord (method, reference):
#: four levels, Stripe's deepest expansion, so a list (``data.`` more) cannot ask for it.
INVOICE_RETRIEVE_EXPAND = (*INVOICE_EXPAND, "payments.data.payment.payment_record")
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


@dataclass(frozen=True)
class Snapshot:
    """One object as read from Stripe (``obj`` None: it no longer exists)."""

    kind: str
    object_id: str
    version: int
    obj: Mapping[str, Any] | None
    lines: list[Mapping[str, Any]] | None = None
    first_seen: int | None = None  # ordering among same-second invoices (see tables)


@dataclass
class BackfillProgress:
    """How far the backfill is: objects listed per kind, and which kinds are done."""

    listed: dict[str, int] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    requests: int = 0

    @property
    def finished(self) -> bool:
        return set(BACKFILL_KINDS) <= self.done


class _RateLimited(Exception):
    """A 429 from Stripe, to be retried after a pause."""


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
        self._client = client
        self._engine = engine
        self.engine = engine
        self._include_test_clocks = include_test_clocks
        per_second = max(1, int(requests_per_second))
        # One bucket, emptied of past requests on each acquire instead of by pyrate-limiter's
        # leak thread: that thread (one per instance, never stopped) outlived every dashboard
        # process's services and every test that built some.
        self._bucket = InMemoryBucket([Rate(per_second, Duration.SECOND)])
        self._limiter = Limiter(SingleBucketFactory(self._bucket, schedule_leak=False))
        self._pacing = threading.Lock()
        self.requests = 0

    # -- one request, paced and retried ---------------------------------------------------

    def _get(self, path: str, **params: Any) -> dict[str, Any]:
        """``GET path`` as a plain dict: paced, and retried on 429 (StripeUnavailable after)."""
        try:
            return self._get_retrying(path, params)
        except _RateLimited as err:
            raise StripeUnavailable(
                "Stripe kept answering 'too many requests'; try again in a minute",
                retryable=True,
            ) from err

    @retry(
        retry=retry_if_exception_type(_RateLimited),
        wait=wait_exponential(multiplier=0.5, max=8),
        stop=stop_after_attempt(8),
        reraise=True,
    )
    def _get_retrying(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        with self._pacing:  # the bucket is not safe to leak while another thread adds to it
            self._bucket.leak(self._bucket.now())
            self._limiter.try_acquire("stripe-read")
        self.requests += 1
        try:
            return dict(self._client.raw_request("get", path, **params).data)
        except stripe.RateLimitError as err:
            raise _RateLimited(str(err)) from err

    def close(self) -> None:
        """Release the rate limiter (when the services are disposed); no thread is left."""
        self._limiter.close()

    def _pages(self, path: str, params: Mapping[str, Any]) -> Iterator[list[dict[str, Any]]]:
        cursor = params.get("starting_after")
        while True:
            query = {**params, "limit": PAGE_SIZE}
            if cursor:
                query["starting_after"] = cursor
            page = self._get(path, **query)
            rows = list(page.get("data") or [])
            yield rows
            if not page.get("has_more") or not rows:
                return
            cursor = rows[-1]["id"]

    # -- re-reads -------------------------------------------------------------------------

    def fetch(self, kind: str, object_id_: str) -> Snapshot:
        """Read one object again (an invoice with all its lines and payments)."""
        version = store.now_version()
        path = PATHS[kind]
        params: dict[str, Any] = (
            {"expand": list(INVOICE_RETRIEVE_EXPAND)} if kind == "invoice" else {})
        try:
            obj = self._get(f"/v1/{path}/{object_id_}", **params)
        except stripe.InvalidRequestError as err:
            if err.http_status == 404:
                return Snapshot(kind, object_id_, version, None)
            raise
        if obj.get("deleted"):
            return Snapshot(kind, object_id_, version, None)
        lines = self._all_lines(obj) if kind == "invoice" else None
        return Snapshot(kind, object_id_, version, obj, lines)

    def _all_lines(self, invoice: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
        embedded = invoice.get("lines") or {}
        if not embedded.get("has_more"):
            return None  # the embedded list is complete
        lines: list[Mapping[str, Any]] = []
        for page in self._pages(f"/v1/invoices/{invoice['id']}/lines", {}):
            lines.extend(page)
        return lines

    def save(self, snapshots: list[Snapshot]) -> None:
        """Store snapshots in one transaction (a listed page: one upsert statement), run
        again if PostgreSQL cancels it for a conflict with another server's writes."""

        def in_one_transaction() -> None:
            with write_transaction(self._engine) as conn:
                save_snapshots(conn, snapshots)

        retry_on_conflict(in_one_transaction)

    def refresh(self, kind: str, object_id_: str) -> Snapshot:
        """Re-read one object and store it; the snapshot stored."""
        snapshot = self.fetch(kind, object_id_)
        self.save([snapshot])
        return snapshot

    def store_written(self, returned: Sequence[tuple[int, Any]]) -> None:
        """Store what a dashboard write got back from Stripe (read your writes).

        ``returned`` pairs the time each request started (microseconds) with Stripe's
        answer. An invoice whose embedded lines are partial, and the invoice of a
        changed invoice item, are read again whole. An invoice whose discounts come as
        bare ids keeps the discounts stored for it (their coupon names), or is read again
        when one is new (:mod:`services.readmodel.discount_names`).
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
        of events about one invoice costs one or two reads, not one each).
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
            page = self._get(
                "/v1/invoice_payments",
                payment={"type": "payment_intent", "payment_intent": obj["id"]},
                limit=1,
            )
            for payment in page.get("data") or []:
                return object_id(payment.get("invoice"))
        return None

    def invoice_pages(self) -> Iterator[list[dict[str, Any]]]:
        """Every invoice in Stripe, a page at a time (for the reconciliation)."""
        yield from self._pages("/v1/invoices", {})

    # -- backfill ---------------------------------------------------------------------------

    def backfill(
        self, progress: Callable[[BackfillProgress], None] | None = None
    ) -> BackfillProgress:
        """List every object into the read model, resuming where a previous run stopped."""
        report = BackfillProgress()
        if store.sync_row(self._engine, store.EVENTS_CURSOR) is None:
            self._note_events_cursor()
        for kind in BACKFILL_KINDS:
            for name, params in self._listings(kind):
                self._list_into_model(kind, name, params, report, progress)
            report.done.add(kind)
            if progress:
                progress(report)
        return report

    def _listings(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(bookkeeping name, list parameters) for each list the kind needs."""
        yield kind, {}
        if kind == "customer" and self._include_test_clocks:
            # Stripe leaves customers on test clocks out of the plain list.
            for page in self._pages("/v1/test_helpers/test_clocks", {}):
                for clock in page:
                    yield f"customer@{clock['id']}", {"test_clock": clock["id"]}

    def _list_into_model(
        self,
        kind: str,
        name: str,
        params: dict[str, Any],
        report: BackfillProgress,
        progress: Callable[[BackfillProgress], None] | None,
    ) -> None:
        row = store.sync_row(self._engine, name)
        if row is not None and row["done"]:
            report.listed[kind] = report.listed.get(kind, 0) + int(row["listed"] or 0)
            return
        listed = int(row["listed"] or 0) if row else 0
        if row is None:
            store.save_sync_row(self._engine, name, started_at=int(time.time()))
        start = {**params, "starting_after": row["cursor"]} if row and row["cursor"] else params
        path = PATHS[kind]
        if kind == "invoice":
            start = {**start, "expand": [f"data.{field}" for field in INVOICE_EXPAND]}
        for page in self._pages(f"/v1/{path}", start):
            version = store.now_version()
            # A page is newest first: the earlier in the page, the later it was made.
            snapshots = [
                Snapshot(kind, obj["id"], version, obj,
                         self._all_lines(obj) if kind == "invoice" else None,
                         first_seen=version - position)
                for position, obj in enumerate(page)
            ]
            self.save(snapshots)
            listed += len(page)
            report.listed[kind] = report.listed.get(kind, 0) + len(page)
            report.requests = self.requests
            cursor = page[-1]["id"] if page else None
            store.save_sync_row(self._engine, name, cursor=cursor, listed=listed)
            if progress:
                progress(report)
        store.save_sync_row(self._engine, name, done=True, listed=listed,
                            finished_at=int(time.time()))

    def newest_event(self) -> dict[str, Any] | None:
        """Stripe's newest event now, or None when there is none."""
        page = self._get("/v1/events", limit=1)
        found = page.get("data") or []
        return dict(found[0]) if found else None

    def _note_events_cursor(self) -> None:
        """Mark the read model as current up to the newest event as the backfill starts."""
        newest = self.newest_event()
        with write_transaction(self._engine) as conn:
            if newest is None:
                store.advance_events_cursor(conn, "", int(time.time()))
            else:
                store.advance_events_cursor(conn, newest["id"], int(newest["created"]))

    def mark_listed(self) -> None:
        """Record every kind as listed, without listing (see ``begin_at_now``)."""
        if store.sync_row(self._engine, store.EVENTS_CURSOR) is None:
            self._note_events_cursor()
        now = int(time.time())
        for kind in BACKFILL_KINDS:
            store.save_sync_row(self._engine, kind, done=True, started_at=now, finished_at=now)

    def restart_backfill(self) -> None:
        """Forget backfill progress, so the next backfill lists everything again."""
        for row in store.all_sync_rows(self._engine):
            if row["name"] != store.EVENTS_CURSOR:
                store.save_sync_row(self._engine, row["name"], done=False, cursor=None,
                                    listed=0, finished_at=None)


def save_snapshots(conn: Any, snapshots: Sequence[Snapshot]) -> None:
    """Store snapshots inside the caller's transaction: the copies of each kind with one
    upsert statement per 100 (:func:`services.readmodel.store.store_objects`; each still
    only where it is newer than the stored one), deletions one by one."""
    copies: dict[str, list[store.ObjectCopy]] = {}
    for snapshot in snapshots:
        if snapshot.obj is None:
            store.mark_deleted(conn, snapshot.kind, snapshot.object_id, snapshot.version)
        else:
            copies.setdefault(snapshot.kind, []).append(store.ObjectCopy(
                snapshot.obj, snapshot.version, snapshot.lines, first_seen=snapshot.first_seen))
    for kind, group in copies.items():
        store.store_objects(conn, kind, group)


def save_snapshot(conn: Any, snapshot: Snapshot) -> bool:
    """Store one snapshot inside the caller's transaction; True when it was newer."""
    if snapshot.obj is None:
        return store.mark_deleted(conn, snapshot.kind, snapshot.object_id, snapshot.version)
    return store.store_object(conn, snapshot.kind, snapshot.obj, snapshot.version,
                              lines=snapshot.lines, first_seen=snapshot.first_seen)
