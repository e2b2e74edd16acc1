"""The backfill: listing every Stripe object into the read model, resumable, with progress.

Every product, price, customer (those on test clocks too, outside live mode),
invoice, tax rate, coupon and credit note is listed 100 per request
(https://docs.stripe.com/api/pagination), paced under Stripe's rate limit by
:class:`services.readmodel.stripe_reads.PacedReader`. After each page the list's
cursor (the last id, for ``starting_after``) and count are stored in the sync table
(:func:`services.readmodel.store.save_sync_row`), so a run stopped by a crash or a
restart resumes at the next page. The event cursor is noted *before* anything is
listed, so the events that happen meanwhile are applied by the next catch-up
(:mod:`services.readmodel.upkeep`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from services.core.database import write_transaction
from services.readmodel import store
from services.readmodel.snapshots import Snapshot, store_snapshots
from services.readmodel.stripe_reads import INVOICE_EXPAND, PATHS, PacedReader

#: The kinds listed, in this order (each a row of the sync table once started).
BACKFILL_KINDS = ("product", "price", "customer", "invoice", "tax_rate", "coupon",
                  "credit_note")


@dataclass
class BackfillProgress:
    """How far the backfill is: objects listed per kind, and which kinds are done."""

    listed: dict[str, int] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    requests: int = 0

    @property
    def finished(self) -> bool:
        return set(BACKFILL_KINDS) <= self.done


class Backfill:
    """Lists Stripe through ``reads`` into the read model behind ``engine``.

    ``include_test_clocks``: also list the customers on each test clock (Stripe leaves
    them out of the plain customer list; there are none in live mode).
    """

    def __init__(self, reads: PacedReader, engine: Engine, *, include_test_clocks: bool) -> None:
        self._reads = reads
        self._engine = engine
        self._include_test_clocks = include_test_clocks

    def run(self, progress: Callable[[BackfillProgress], None] | None = None) -> BackfillProgress:
        """List every object not yet listed, resuming where a previous run stopped.

        ``progress`` is called after each page stored and each kind finished. Returns
        the counts (objects listed per kind, this run's and earlier runs', and the
        requests sent so far). Raises what :meth:`PacedReader.get` raises (a Stripe
        error, :class:`services.core.errors.StripeUnavailable`); what was stored by
        then stays, and the next run resumes from it.
        """
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
            for page in self._reads.pages("/v1/test_helpers/test_clocks", {}):
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
        for page in self._reads.pages(f"/v1/{path}", start):
            version = store.now_version()
            # A page is newest first: the earlier in the page, the later it was made.
            snapshots = [
                Snapshot(kind, obj["id"], version, obj,
                         self._reads.invoice_lines(obj) if kind == "invoice" else None,
                         first_seen=version - position)
                for position, obj in enumerate(page)
            ]
            store_snapshots(self._engine, snapshots)
            listed += len(page)
            report.listed[kind] = report.listed.get(kind, 0) + len(page)
            report.requests = self._reads.requests
            cursor = page[-1]["id"] if page else None
            store.save_sync_row(self._engine, name, cursor=cursor, listed=listed)
            if progress:
                progress(report)
        store.save_sync_row(self._engine, name, done=True, listed=listed,
                            finished_at=int(time.time()))

    def _note_events_cursor(self) -> None:
        """Mark the read model as current up to the newest event as the backfill starts."""
        newest = self._reads.newest_event()
        with write_transaction(self._engine) as conn:
            if newest is None:
                store.advance_events_cursor(conn, "", int(time.time()))
            else:
                store.advance_events_cursor(conn, newest["id"], int(newest["created"]))

    def mark_listed(self) -> None:
        """Record every kind as listed, without listing (for a Stripe with nothing in it
        yet; see :meth:`services.readmodel.upkeep.ReadModelUpkeep.begin_at_now`)."""
        if store.sync_row(self._engine, store.EVENTS_CURSOR) is None:
            self._note_events_cursor()
        now = int(time.time())
        for kind in BACKFILL_KINDS:
            store.save_sync_row(self._engine, kind, done=True, started_at=now, finished_at=now)

    def restart(self) -> None:
        """Forget backfill progress (every list's cursor, count and done mark; the event
        cursor stays), so the next :meth:`run` lists everything again."""
        for row in store.all_sync_rows(self._engine):
            if row["name"] != store.EVENTS_CURSOR:
                store.save_sync_row(self._engine, row["name"], done=False, cursor=None,
                                    listed=0, finished_at=None)
