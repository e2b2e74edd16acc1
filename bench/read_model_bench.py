"""The read model against the old way (reports reading Stripe live), side by side in one run.

Run: ``python -m bench.read_model_bench`` (``--invoices 10000 --customers 20000``;
``--invoices 100000`` for the big figure, run by hand; ``--help`` for the rest).

One emulator (a SQLite file) plays Stripe as the dashboard meets it: every answer
``--latency-ms`` late (default 250) and Stripe's test-mode rate limiter (25 reads/s,
25 writes/s, 20 searches/s; over budget is a 429). Its store is filled directly
(``bench.emulator_bench.fill_customers`` and an invoice filler in the manner of
``bench.emulator_invoice_bench``: no HTTP, seconds): ``--customers`` customers and
``--invoices`` invoices spread over them and over the last 400 days, in every status
(40 % paid, 30 % open, 20 % draft, 5 % void, 5 % uncollectible), four in five in USD
and one in five in EUR, one line each except one in 500 with 25 lines (more than the
10 an invoice embeds). Every API request reaching the emulator is counted by route.

Figures, in one table at the end:

1. **Backfill** (``services.upkeep.backfill``, a fresh SQLite app database) at the
   default 20 requests/s (``STRIPE_READ_RATE``): wall time, list requests against
   ⌈N/100⌉, line pages for long invoices, 429s answered by the emulator
   (``RunningEmulator.throttle.refused``) and 429s reaching the caller (a backfill that
   raises). Then the read model's paced, 429-retried invoice listing alone
   (``ReadModelSync.invoice_pages``, what the reconciliation runs; nothing stored) and
   object re-reads (``ReadModelSync.fetch``, what each object event does) by one, two
   and three dashboards at once, each paced at 20/s, with no latency so that pacing
   sets the speed (two or three together exceed Stripe's 25/s: 429s are refused and
   retried, and must still never reach the caller).
   ``--fill direct`` skips the backfill and fills the read model with
   ``services.readmodel.store.store_object`` from the emulator's own objects as the API
   renders them (for 100,000 invoices, whose backfill takes too long on a small box).
2. **Page views**, old way (``bench.live_reports``, Stripe live, 250 ms per answer)
   against the read model (``services.reports`` / ``services.lookup``): Stripe requests
   per view and wall time p50 for Overview KPIs, the Invoices page's first 500 rows
   (no filter, and open EUR only), Overdue & aging (aging table plus the "total"
   drill-down) and lookups (a name, an email, an invoice number, an amount). Both ways
   must give the same answer (checked and shown).
3. **Events applied per second** through ``PaymentEvents`` with the read model on,
   on SQLite and on PostgreSQL (a throwaway cluster, ``scripts/postgres_cluster.py``,
   unless ``TEST_DATABASE_URL``), against a second emulator **with no latency and no
   rate limit**: the figure is about the database, not the network. Two ways: one by
   one (``handle_event``: each object event re-reads its object) and as a burst (all
   recorded first, then the worker's ``handle_unhandled``: an object re-read after an
   event arrived is not read again for it). For comparison, the first
   ``LATENCY_EVENTS`` events again on SQLite with Stripe at ``--latency-ms``.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import stripe

from bench.emulator_bench import fill_customers
from bench.events_bench import _fresh_database, _postgres
from bench.live_reports import LiveLookup, LiveReports
from services.container import Services, build_services
from services.core.database import write_transaction
from services.core.settings import Settings
from services.readmodel.store import now_version, store_object
from services.readmodel.sync import OBJECT_EVENT_TYPES, ReadModelSync
from services.reporting.receivables import InvoiceFilters
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.embedded import RunningEmulator, start_emulator
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.storage import Where
from stripe_emulator.lib.throttle import Throttle
from stripe_emulator.models.base import public
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.invoice import (
    INVOICES,
    copy_customer_snapshot,
    new_invoice,
    recompute_totals,
)
from stripe_emulator.models.invoice_line import line_for_item
from stripe_emulator.models.invoice_totals import public_line

API_KEY = "sk_test_emulator"
DAY = 86_400
#: Status of the n-th filled invoice: 40 % paid, 30 % open, 20 % draft, 5 % void, 5 % bad.
STATUS_CYCLE = ("paid",) * 8 + ("open",) * 6 + ("draft",) * 4 + ("void", "uncollectible")
LATENCY_EVENTS = 150  # events applied with Stripe at --latency-ms (for comparison)
REREADS = 200  # object re-reads per dashboard in the rate-limit run
LONG_EVERY = 500  # one invoice in this many has LONG_LINES lines
LONG_LINES = 25
EMBEDDED_LINES = 10  # Stripe embeds the first 10 lines of an invoice


# -- counting the requests that reach the emulator ------------------------------------------

_ID = re.compile(r"/[a-z]+_[A-Za-z0-9]+")


class RequestCounter:
    """Every API request the emulator is asked (admitted or refused), by method and route."""

    def __init__(self, throttle: Throttle) -> None:
        self.by_route: Counter[str] = Counter()
        admit = throttle.admit

        async def counting_admit(method: str, path: str) -> None:
            self.by_route[f"{method.upper()} {_ID.sub('/{id}', path)}"] += 1
            await admit(method, path)

        throttle.admit = counting_admit  # type: ignore[method-assign]

    def total(self) -> int:
        return sum(self.by_route.values())

    def snapshot(self) -> Counter[str]:
        return Counter(self.by_route)

    def since(self, before: Counter[str]) -> Counter[str]:
        return self.by_route - before


# -- the book, written straight into the emulator's store -----------------------------------


def fill_invoices(state: EmulatorState, size: int, sample: dict[str, Any],
                  on_batch: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
    """``size`` invoices over every customer, created over the last 400 days (see module
    doc); ``on_batch`` sees each batch of stored invoices (for a direct read-model fill)."""
    customers = state.store.select(CUSTOMERS, Where().eq("deleted", 0))
    now = int(time.time())
    step = 400 * DAY // max(size, 1)
    first = now - 400 * DAY
    rng = random.Random(7)
    sequences: dict[str, int] = {}
    batch: list[dict[str, Any]] = []
    for n in range(size):
        customer = customers[(n * 7919) % len(customers)]
        created = first + n * step
        currency = "eur" if n % 5 == 4 else "usd"
        invoice = new_invoice(invoice_id=new_id("in"), created=created, customer=customer,
                              currency=currency, collection_method="send_invoice",
                              test_clock=None)
        copy_customer_snapshot(invoice, customer)
        invoice["due_date"] = created + 30 * DAY
        count = LONG_LINES if n % LONG_EVERY == LONG_EVERY - 1 else 1
        for _ in range(count):
            amount = rng.randrange(500, 500_000)
            invoice["_lines"].append(line_for_item(new_id("il"), _item(invoice, amount),
                                                   invoice["id"]))
        recompute_totals(invoice)
        status = STATUS_CYCLE[n % len(STATUS_CYCLE)]
        invoice["status"] = status
        transitions = invoice["status_transitions"]
        if status != "draft":
            sequence = sequences.get(customer["id"], 0) + 1
            sequences[customer["id"]] = sequence
            invoice["number"] = f"{customer['invoice_prefix']}-{sequence:04d}"
            transitions["finalized_at"] = created
        if status == "paid":
            paid_at = min(created + rng.randrange(1, 45) * DAY, now)
            invoice["amount_paid"], invoice["amount_remaining"] = invoice["amount_due"], 0
            transitions["paid_at"] = paid_at
        elif status == "void":
            transitions["voided_at"] = created + DAY
        elif status == "uncollectible":
            transitions["marked_uncollectible_at"] = created + 60 * DAY
        batch.append(invoice)
        if len(batch) == 5000 or n == size - 1:
            state.store.insert_many(INVOICES, batch)
            if on_batch is not None:
                on_batch(batch)
            batch = []
    for customer in customers:
        if customer["id"] in sequences:
            customer["next_invoice_sequence"] = sequences[customer["id"]] + 1
            state.store.update(CUSTOMERS, customer)
    # Lookup targets: a customer with invoices, one numbered invoice and its total.
    numbered = next(i for i in state.store.select(INVOICES, Where().eq("status", "open"),
                                                  limit=50) if i["number"])
    owner = state.store.get(CUSTOMERS, numbered["customer"])
    assert owner is not None
    sample.update(lookup_name=owner["name"], lookup_email=owner["email"],
                  lookup_number=numbered["number"],
                  lookup_amount=f"{numbered['total'] / 100:.2f} {numbered['currency'].upper()}")
    sample["lines_pages"] = sum(1 for n in range(size) if n % LONG_EVERY == LONG_EVERY - 1)


def _item(invoice: dict[str, Any], amount: int) -> dict[str, Any]:
    return {"id": new_id("ii"), "amount": amount, "currency": invoice["currency"],
            "description": "Monthly service", "discountable": True, "metadata": {},
            "period": {"start": invoice["created"], "end": invoice["created"]},
            "pricing": {"price_details": {"price": new_id("price"), "product": new_id("prod")},
                        "type": "price_details", "unit_amount_decimal": str(amount)},
            "quantity": 1, "quantity_decimal": "1"}


# -- figures ---------------------------------------------------------------------------------


@dataclass
class BackfillFigure:
    label: str
    seconds: float
    invoices: int
    invoice_lists: int
    line_pages: int
    customer_lists: int
    other: int
    refused: int
    reached_caller: int
    error: str = ""
    store_seconds: float | None = None  # of the wall time, storing pages in the app database


@dataclass
class ViewFigure:
    view: str
    live_requests: float | None = None
    live_p50: float | None = None
    model_requests: float = 0.0
    model_p50: float = 0.0
    same: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class EventsFigure:
    database: str
    events: int
    object_events: int
    seconds: float
    requests: int
    failed: int


def _services(database_url: str, base_url: str, read_rate: float | None) -> Services:
    values = {"DATABASE_URL": database_url}
    if read_rate is not None:
        values["STRIPE_READ_RATE"] = str(read_rate)
    return build_services(Settings.from_mapping(values).with_emulator(base_url))


def run_backfill(label: str, emulator: RunningEmulator, counter: RequestCounter,
                 database_url: str, rate: float, invoices: int) -> tuple[BackfillFigure, Services]:
    """A whole backfill into a new app database; its figures and the filled services."""
    services = _services(database_url, emulator.base_url, rate)
    before, refused = counter.snapshot(), emulator.throttle.refused
    storing = [0.0]
    save = services.read_model.save

    def timed_save(snapshots: Any) -> None:
        began = time.perf_counter()
        save(snapshots)
        storing[0] += time.perf_counter() - began

    services.read_model.save = timed_save  # type: ignore[method-assign]
    started = time.perf_counter()
    error, reached = "", 0
    last_shown = [0.0]

    def show(progress: Any) -> None:
        if time.perf_counter() - last_shown[0] > 10:
            last_shown[0] = time.perf_counter()
            listed = ", ".join(f"{k} {v:,}" for k, v in progress.listed.items())
            print(f"    {time.perf_counter() - started:6.0f} s  {listed}", flush=True)

    try:
        report = services.upkeep.backfill(show)
        if not report.finished:
            error = "backfill stopped unfinished"
    except Exception as err:  # a 429 (or anything) that reached the caller
        reached, error = 1, f"{type(err).__name__}: {err}"
    seconds = time.perf_counter() - started
    made = counter.since(before)
    invoice_lists = made.get("GET /v1/invoices", 0)
    line_pages = made.get("GET /v1/invoices/{id}/lines", 0)
    customer_lists = made.get("GET /v1/customers", 0)
    other = sum(made.values()) - invoice_lists - line_pages - customer_lists
    return BackfillFigure(label, seconds, invoices, invoice_lists, line_pages, customer_lists,
                          other, emulator.throttle.refused - refused, reached, error,
                          store_seconds=storing[0]), services


def fill_read_model_directly(services: Services, state: EmulatorState, size: int,
                             sample: dict[str, Any]) -> BackfillFigure:
    """The read model filled with ``store_object`` from the emulator's own objects (as the
    API renders them), no request: for books whose backfill would take too long here."""
    started = time.perf_counter()

    def store(kind: str, objects: list[dict[str, Any]]) -> None:
        version = now_version()
        with write_transaction(services.engine) as conn:
            for obj in objects:
                lines = None
                if kind == "invoice" and len(obj["_lines"]) > EMBEDDED_LINES:
                    lines = [public_line(line) for line in obj["_lines"]]
                store_object(conn, kind, public(obj), version, lines=lines)

    customers = state.store.select(CUSTOMERS, Where().eq("deleted", 0))
    for start in range(0, len(customers), 1000):
        store("customer", customers[start:start + 1000])
    fill_invoices(state, size, sample, on_batch=lambda batch: store("invoice", batch))
    services.read_model.mark_listed()
    return BackfillFigure("direct store_object fill", time.perf_counter() - started, size,
                          0, 0, 0, 0, 0, 0, "no request: filled with store_object")


def run_paced_reads(label: str, emulator: RunningEmulator, counter: RequestCounter,
                    services: Services, rate: float, copies: int,
                    read: Callable[[ReadModelSync], int], expected: int) -> BackfillFigure:
    """``read`` (through a ``ReadModelSync`` paced at ``rate``, 429s retried) by ``copies``
    dashboards at once: each paces itself, so together they can exceed Stripe's budget."""
    before, refused = counter.snapshot(), emulator.throttle.refused
    errors: list[str] = []

    def one_dashboard() -> None:
        sync = ReadModelSync(services.client, services.engine, requests_per_second=rate)
        try:
            done = read(sync)
            if done != expected:
                errors.append(f"read {done:,} of {expected:,}")
        except Exception as err:  # a 429 (or anything) that reached the caller
            errors.append(f"{type(err).__name__}: {err}")

    started = time.perf_counter()
    threads = [threading.Thread(target=one_dashboard) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = counter.since(before)
    invoice_lists = made.get("GET /v1/invoices", 0)
    return BackfillFigure(label, time.perf_counter() - started, expected, invoice_lists, 0, 0,
                          sum(made.values()) - invoice_lists,
                          emulator.throttle.refused - refused,
                          sum(not e.startswith("read ") for e in errors), "; ".join(errors))


def _timed(call: Callable[[], Any], counter: RequestCounter,
           repeat: int) -> tuple[list[float], float, Any]:
    """Wall seconds per call, mean Stripe requests per call, and the last answer."""
    seconds: list[float] = []
    requests = 0
    answer: Any = None
    for _ in range(repeat):
        before = counter.total()
        started = time.perf_counter()
        answer = call()
        seconds.append(time.perf_counter() - started)
        requests += counter.total() - before
    return seconds, requests / max(repeat, 1), answer


def _same(live: Any, model: Any) -> bool:
    """Whether both ways answered the same (frames compared on their values)."""
    if isinstance(live, pd.DataFrame):
        try:  # the same values; dtypes may differ (object vs pandas strings)
            pd.testing.assert_frame_equal(live.reset_index(drop=True),
                                          model.reset_index(drop=True), check_dtype=False)
        except AssertionError:
            return False
        return True
    if isinstance(live, tuple):
        return all(_same(a, b) for a, b in zip(live, model, strict=True))
    if isinstance(live, list) and live and hasattr(live[0], "values_by_currency"):
        return [k.values_by_currency for k in live] == [k.values_by_currency for k in model]
    if isinstance(live, list):  # lookup results: the same object found first
        return [r.object_id for r in live][:1] == [r.object_id for r in model][:1]
    if hasattr(live, "rows"):
        return list(live.rows["invoice_id"]) == list(model.rows["invoice_id"])
    return bool(live == model)


def run_views(services: Services, live_client: stripe.StripeClient, counter: RequestCounter,
              sample: dict[str, Any], repeat: int, live_repeat: int) -> list[ViewFigure]:
    """Each page view both ways: requests per view, p50 wall time, same answer."""
    as_of = datetime.now(UTC).date()
    live, live_lookup = LiveReports(live_client), LiveLookup(live_client)
    model, lookup = services.reports, services.lookup

    def overdue_page(reports: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        return (reports.aging(as_of),
                reports.aging_rows(as_of, bucket="total", currency="usd"))

    everything = InvoiceFilters(as_of=as_of)
    open_eur = InvoiceFilters(statuses=("open",), currency="eur", as_of=as_of)
    views: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("Overview KPIs", lambda: live.kpis(as_of), lambda: model.kpis(as_of)),
        ("Invoices, first 500 (no filter)", lambda: live.invoices_page(everything),
         lambda: model.invoices_page(everything)),
        ("Invoices, first 500 (open, EUR)", lambda: live.invoices_page(open_eur),
         lambda: model.invoices_page(open_eur)),
        ("Overdue & aging (+ drill-down)", lambda: overdue_page(live),
         lambda: overdue_page(model)),
    ]
    for kind in ("name", "email", "number", "amount"):
        text = sample[f"lookup_{kind}"]
        views.append((f"Lookup: {kind} ({text})", _bind(live_lookup.search, text),
                      _bind(lookup.search, text)))
    figures = []
    for name, live_call, model_call in views:
        print(f"  {name} ...", flush=True)
        model_seconds, model_requests, model_answer = _timed(model_call, counter, repeat)
        figure = ViewFigure(name, model_requests=model_requests,
                            model_p50=statistics.median(model_seconds))
        if live_repeat > 0:
            try:
                live_seconds, live_requests, live_answer = _timed(live_call, counter,
                                                                  live_repeat)
                figure.live_requests = live_requests
                figure.live_p50 = statistics.median(live_seconds)
                figure.same = "yes" if _same(live_answer, model_answer) else "NO"
            except Exception as err:  # e.g. a 429 from the search budget
                figure.same = f"old way failed: {type(err).__name__}: {err}"[:80]
        figures.append(figure)
    return figures


def _bind(function: Callable[[str], Any], text: str) -> Callable[[], Any]:
    return lambda: function(text)


# -- events per second -----------------------------------------------------------------------


def make_events(client: stripe.StripeClient, wanted: int) -> list[dict[str, Any]]:
    """At least ``wanted`` real events from the invoice life (customer, draft, items,
    finalize, pay), read back from ``GET /v1/events``, oldest first."""
    made = 0
    while made < wanted:
        customer = client.v1.customers.create(params={"name": f"Events {made}",
                                                      "email": f"e{made}@bench.test"})
        invoice = client.v1.invoices.create(params={
            "customer": customer.id, "collection_method": "send_invoice",
            "days_until_due": 30, "auto_advance": False})  # fmt: skip
        for amount in (1500, 2500):
            client.v1.invoice_items.create(params={
                "customer": customer.id, "invoice": invoice.id, "amount": amount,
                "currency": "usd"})  # fmt: skip
        client.v1.invoices.finalize_invoice(invoice.id)
        client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True})
        made = len(_all_events(client))
    return list(reversed(_all_events(client)))


def _all_events(client: stripe.StripeClient) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        page = client.raw_request("get", "/v1/events", **params).data
        events += page["data"]
        if not page.get("has_more"):
            return events
        params["starting_after"] = page["data"][-1]["id"]


def run_events(label: str, database_url: str, emulator: RunningEmulator,
               counter: RequestCounter, events: list[dict[str, Any]], *,
               burst: bool = False) -> EventsFigure:
    """Apply ``events`` on a new app database with the read model on.

    One by one (``burst=False``): ``handle_event`` records each event and handles it at
    once, so every object event re-reads its object (the worst case). Burst: every event
    is recorded first (as webhooks arriving together), then the worker's path
    (``handle_unhandled``) handles them: an object already re-read after an event arrived
    is not read again for it.
    """
    services = _services(database_url, emulator.base_url, None)
    try:
        services.upkeep.begin_at_now()
        before = counter.total()
        started = time.perf_counter()
        if burst:
            for event in events:
                services.events.record(event, source="bench")
            while services.events.handle_unhandled(limit=500):
                pass
            failed = int((services.events.activity(limit=len(events) + 10)["outcome"]
                          == "failed").sum())
        else:
            failed = sum(services.events.handle_event(event, source="bench").outcome
                         == "failed" for event in events)
        seconds = time.perf_counter() - started
        objects = sum(event["type"] in OBJECT_EVENT_TYPES for event in events)
        return EventsFigure(label, len(events), objects, seconds, counter.total() - before,
                            failed)
    finally:
        services.events.close()
        services.engine.dispose()


# -- the run ---------------------------------------------------------------------------------


@contextmanager
def _emulator(path: Path | None, **options: Any) -> Iterator[RunningEmulator]:
    running = start_emulator(path, **options)
    try:
        yield running
    finally:
        running.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.read_model_bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=float, default=250)
    parser.add_argument("--fill", choices=("backfill", "direct"), default="backfill",
                        help="fill the read model by a backfill through the API (default), "
                             "or directly with store_object (for books too big to backfill "
                             "here in reasonable time; no backfill figure then)")
    parser.add_argument("--read-rate", type=float, default=20,
                        help="the backfill's pace in requests/s (STRIPE_READ_RATE; default 20, "
                             "Stripe's test-mode budget is 25)")
    parser.add_argument("--repeat", type=int, default=20, help="read-model calls per view")
    parser.add_argument("--live-repeat", type=int, default=None,
                        help="old-way calls per view (default 3, 1 from 50,000 invoices; "
                             "0 skips the old way)")
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"),
                        default=["sqlite", "postgresql"], help="for the events figure")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=("relist", "views", "events"),
                        help="leave out: the no-latency relists, the page views, events")
    args = parser.parse_args(argv)
    if args.live_repeat is None:
        args.live_repeat = 1 if args.invoices >= 50_000 else 3
    started = time.perf_counter()
    backfills: list[BackfillFigure] = []
    views: list[ViewFigure] = []
    events_figures: list[EventsFigure] = []
    with tempfile.TemporaryDirectory(prefix="read-model-bench-") as workdir:
        work = Path(workdir)
        with _emulator(work / "stripe.sqlite3", latency_ms=args.latency_ms,
                       rate_limit="test") as emulator:
            counter = RequestCounter(emulator.throttle)
            sample: dict[str, Any] = {}
            services = _services(f"sqlite:///{work / 'app.sqlite3'}", emulator.base_url, 20)
            fill_started = time.perf_counter()
            fill_customers(emulator.state, args.customers, sample)
            if args.fill == "direct":
                print(f"Filling the emulator and the read model directly ({args.invoices:,} "
                      "invoices) ...", flush=True)
                backfills.append(fill_read_model_directly(services, emulator.state,
                                                          args.invoices, sample))
            else:
                fill_invoices(emulator.state, args.invoices, sample)
            print(f"Book: {args.customers:,} customers, {args.invoices:,} invoices written to "
                  f"the emulator in {time.perf_counter() - fill_started:.1f} s; "
                  f"{args.latency_ms:.0f} ms per answer, Stripe's test-mode rate limit",
                  flush=True)
            if args.fill == "backfill":
                rate = args.read_rate
                print(f"\n[1] Backfill at {rate:.0f} requests/s, {args.latency_ms:.0f} ms "
                      "latency", flush=True)
                services.events.close()
                figure, services = run_backfill(
                    f"backfill {rate:.0f}/s, {args.latency_ms:.0f} ms", emulator, counter,
                    f"sqlite:///{work / 'backfilled.sqlite3'}", rate, args.invoices)
                backfills.append(figure)
            if "relist" not in args.skip:
                latency = emulator.throttle.latency_seconds
                emulator.throttle.latency_seconds = 0
                print("\n[1] Invoice relist at 20 requests/s, no latency", flush=True)
                backfills.append(run_paced_reads(
                    "relist 20/s, no latency", emulator, counter, services, 20, 1,
                    lambda sync: sum(len(page) for page in sync.invoice_pages()),
                    args.invoices))
                targets = [c["id"] for c in emulator.state.store.select(
                    CUSTOMERS, Where().eq("deleted", 0), limit=REREADS)]
                for copies in (1, 2, 3):
                    print(f"\n[1] {REREADS} re-reads by {copies} dashboard(s) at once, 20/s "
                          "each, no latency", flush=True)
                    backfills.append(run_paced_reads(
                        f"re-reads {copies}× 20/s, no lat.", emulator, counter, services,
                        20, copies,
                        lambda sync: sum(sync.fetch("customer", cid).obj is not None
                                         for cid in targets), len(targets)))
                emulator.throttle.latency_seconds = latency
            if "views" not in args.skip:
                print("\n[2] Page views, old way against the read model", flush=True)
                live_client = stripe.StripeClient(
                    API_KEY, base_addresses={"api": emulator.base_url}, max_network_retries=0)
                views = run_views(services, live_client, counter, sample, args.repeat,
                                  args.live_repeat)
            services.events.close()
        if "events" not in args.skip:
            print(f"\n[3] Events applied per second ({args.events}+ events, emulator with "
                  "no latency and no rate limit)", flush=True)
            with _emulator(None) as quick:
                events_counter = RequestCounter(quick.throttle)
                client = stripe.StripeClient(API_KEY, base_addresses={"api": quick.base_url},
                                             max_network_retries=0)
                events = make_events(client, args.events)
                urls: dict[str, Callable[[str], str]] = {}
                if "sqlite" in args.databases:
                    urls["SQLite"] = lambda name: f"sqlite:///{work / f'{name}.sqlite3'}"
                with ExitStack() as stack:
                    if "postgresql" in args.databases:
                        server_url = stack.enter_context(_postgres())
                        urls["PostgreSQL"] = lambda name: _fresh_database(server_url, name)
                    for database, url_of in urls.items():
                        for burst in (False, True):
                            how = "burst" if burst else "one by one"
                            print(f"  {database}, {how} ...", flush=True)
                            events_figures.append(run_events(
                                f"{database}, {how}", url_of(f"events_{len(events_figures)}"),
                                quick, events_counter, events, burst=burst))
                    if "SQLite" in urls:  # the same on a network: Stripe at --latency-ms
                        print(f"  SQLite at {args.latency_ms:.0f} ms ...", flush=True)
                        quick.throttle.latency_seconds = args.latency_ms / 1000
                        for burst in (False, True):
                            how = "burst" if burst else "one by one"
                            events_figures.append(run_events(
                                f"SQLite, {how}, {args.latency_ms:.0f} ms",
                                urls["SQLite"](f"events_latency_{burst}"), quick,
                                events_counter, events[:LATENCY_EVENTS], burst=burst))
    report(args, backfills, views, events_figures, sample["lines_pages"],
           time.perf_counter() - started)


def report(args: argparse.Namespace, backfills: list[BackfillFigure], views: list[ViewFigure],
           events: list[EventsFigure], long_invoices: int, elapsed: float) -> None:
    """The figures as one table per part."""
    pages = math.ceil(args.invoices / 100)
    customer_pages = math.ceil(args.customers / 100)
    print(f"\n=== READ MODEL vs OLD WAY: {args.invoices:,} invoices, {args.customers:,} "
          f"customers; Stripe at {args.latency_ms:.0f} ms and 25 reads/s "
          f"({date.today()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}, whole run {elapsed / 60:.1f} min) ===")
    print("\n[1] FILLING THE READ MODEL (a new SQLite app database)")
    print(f"{'run':<26} {'wall':>8} {'invoice lists':>16} {'line pages':>11} "
          f"{'customer lists':>15} {'other':>6} {'429s at Stripe':>15} {'429s to caller':>15} "
          f"{'storing':>8}")
    for b in backfills:
        ratio = b.invoice_lists / pages if pages else 0
        customers = f"{b.customer_lists} (of {customer_pages})" if b.customer_lists else "-"
        lists = f"{b.invoice_lists:>6} ({ratio:.3f}×)" if b.invoice_lists else "-"
        print(f"{b.label:<26} {b.seconds:7.1f}s {lists:>16} "
              f"{b.line_pages:>11} {customers:>15} {b.other:>6} "
              f"{b.refused:>15} {b.reached_caller:>15} "
              + ("       -" if b.store_seconds is None else f"{b.store_seconds:7.1f}s")
              + (f"  {b.error}" if b.error else ""))
    print(f"  ⌈N/100⌉ = {pages} invoice pages (target ≤ {pages * 1.05:.0f}); {long_invoices} "
          f"invoices have more than {EMBEDDED_LINES} lines (one line page each); 'other' = "
          "events, products, prices, test clocks (re-reads: GET /v1/customers/{id}). A "
          "relist is the read model's paced, 429-retried invoice listing (what the "
          "reconciliation runs), nothing stored; 'storing' is the part of a backfill's wall "
          "time spent in ReadModelSync.save (one transaction per listed page); re-reads are "
          "ReadModelSync.fetch (what "
          "each object event does) by 1 to 3 dashboards at once, each paced at 20/s (2 or "
          "3 together exceed Stripe's 25/s). Both with no latency: pacing sets the speed.")
    if views:
        print("\n[2] PAGE VIEWS: Stripe requests per view and wall time p50")
        print(f"{'view':<44} {'old: requests':>14} {'old: p50':>10} {'read model: req':>16} "
              f"{'read model: p50':>16} {'same answer':>12}")
        for v in views:
            old_requests = "-" if v.live_requests is None else f"{v.live_requests:.0f}"
            old_p50 = "-" if v.live_p50 is None else _duration(v.live_p50)
            print(f"{v.view[:44]:<44} {old_requests:>14} {old_p50:>10} "
                  f"{v.model_requests:>16.0f} {_duration(v.model_p50):>16} {v.same:>12}")
        print(f"  old way: bench/live_reports.py, {args.live_repeat} call(s) per view, Stripe "
              f"at {args.latency_ms:.0f} ms; read model: services.reports / services.lookup on "
              f"SQLite, {args.repeat} calls per view. Lookups: 'same' = same top hit.")
    if events:
        print("\n[3] EVENTS APPLIED PER SECOND through PaymentEvents, read model on, one "
              "process, one thread; Stripe with NO latency and no rate limit (the figure is "
              "about the database) except the rows marked with a latency (for comparison)")
        print(f"{'database, how':<30} {'events':>7} {'object events':>14} {'seconds':>8} "
              f"{'events/s':>9} {'Stripe requests/event':>22} {'failed':>7}")
        for e in events:
            print(f"{e.database:<30} {e.events:>7} {e.object_events:>14} {e.seconds:>8.2f} "
                  f"{e.events / e.seconds:>9.0f} {e.requests / e.events:>22.2f} {e.failed:>7}")
        print("  one by one: handle_event records and handles each event at once, so every "
              "object event re-reads its object (worst case); burst: all recorded first (webhooks"
              " arriving together), then handled by the worker's path (handle_unhandled): an "
              "object re-read after an event arrived is not read again for it.")


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
