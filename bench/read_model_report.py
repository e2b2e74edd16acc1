"""The printed end of ``bench.read_model_bench``: every figure as one table per part.

``report`` prints the heading (book size, Stripe latency, date, cores, load, run time),
then figure 1 (filling the read model), figure 2 (page views) and figure 3 (events per
second), each with a note saying how to read it.
"""

from __future__ import annotations

import argparse
import math
import os
from datetime import date

from bench.read_model_backfill import EMBEDDED_LINES, BackfillFigure
from bench.read_model_events import EventsFigure
from bench.read_model_views import ViewFigure


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
