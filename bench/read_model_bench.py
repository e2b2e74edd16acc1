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

The parts live in their own modules: the book (``bench.read_model_book``), the request
counter (``bench.request_counter``), figure 1 (``bench.read_model_backfill``), figure 2
(``bench.read_model_views``), figure 3 (``bench.read_model_events``) and the printed
tables (``bench.read_model_report``); this module runs them in order. Their names stay
importable from here.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import stripe

from bench.events_bench import _fresh_database, _postgres
from bench.read_model_backfill import (
    EMBEDDED_LINES,
    REREADS,
    BackfillFigure,
    app_services,
    fill_read_model_directly,
    run_backfill,
    run_paced_reads,
)
from bench.read_model_book import (
    DAY,
    LONG_EVERY,
    LONG_LINES,
    STATUS_CYCLE,
    fill_customers,
    fill_invoices,
)
from bench.read_model_events import LATENCY_EVENTS, EventsFigure, make_events, run_events
from bench.read_model_report import report
from bench.read_model_views import ViewFigure, run_views
from bench.request_counter import RequestCounter
from stripe_emulator.embedded import RunningEmulator, start_emulator
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.customer import CUSTOMERS

__all__ = [
    "DAY",
    "EMBEDDED_LINES",
    "LATENCY_EVENTS",
    "LONG_EVERY",
    "LONG_LINES",
    "REREADS",
    "STATUS_CYCLE",
    "BackfillFigure",
    "EventsFigure",
    "RequestCounter",
    "ViewFigure",
    "app_services",
    "fill_customers",
    "fill_invoices",
    "fill_read_model_directly",
    "main",
    "make_events",
    "report",
    "run_backfill",
    "run_events",
    "run_paced_reads",
    "run_views",
]

API_KEY = "sk_test_emulator"


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
            services = app_services(f"sqlite:///{work / 'app.sqlite3'}", emulator.base_url, 20)
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


if __name__ == "__main__":
    main()
