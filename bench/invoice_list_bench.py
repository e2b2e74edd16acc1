"""The Invoices page's list at 100,000 invoices and 20,000 customers: one page of any
filter and sort, with the count and totals of the whole set, against the old way.

Run: ``python -m bench.invoice_list_bench`` (``--invoices 100000 --customers 20000``,
``--databases sqlite postgresql``, ``--repeat 20``, ``--views "no filter, newest first"``
for some views only).

The read model's tables are filled directly (the rows ``store_object`` would write, in
batches) from synthetic objects shaped as Stripe sends them (``bench.lookup_bench``'s
customers and invoices, in USD, EUR, GBP and JPY, every status), with the paid date
(``status_transitions.paid_at``) on paid invoices and one open invoice in four partly
paid: the list reads only the read model, and a fill through the emulator would take
hours at this size. PostgreSQL is a throwaway cluster unless ``TEST_DATABASE_URL``
names a server, vacuumed and analysed after the fill (as autovacuum would).

For each view, wall-clock p50 and p95 and this process's CPU p50, in milliseconds over
``--repeat`` runs (the CPU figure is the whole cost on SQLite and holds on a busy
machine; the load average is printed beside), of:

- **new**: ``Reports.invoice_list_page`` — the first page (100 rows) of the filter in
  the chosen order, plus the count and the per-currency totals of every match, all in
  SQL (what the page shows); the same with the totals grouped over ``rm_invoices`` as
  before migration 0012 (the stored per-(status, currency) totals answer a set
  filtered on status and currency only; other filters group either way); also the
  last page, and the export of the whole set (``Reports.invoice_list_export``);
- **old, newest 500**: ``Reports.invoices_page(max_rows=500)`` then the sort in pandas
  over those 500 (what the page showed before: a sort and totals of 500 rows only);
- **old, "Load all"**: ``Reports.invoices_table`` (every match into pandas), sorted and
  summed in pandas (the only way the old page gave a whole, sorted set).

Target (issue 10): the new first page under 150 ms p50 on both databases.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pandas as pd
from sqlalchemy import Connection, Engine, insert, text

from bench.lookup_bench import _fresh_schema, _postgres, synthetic_customer, synthetic_invoice
from services.core.database import make_engine
from services.readmodel import tables
from services.readmodel.columns import ROWS
from services.readmodel.invoice_queries import (
    CurrencyTotals,
    InvoiceOrder,
    InvoiceQuery,
    invoice_totals,
)
from services.readmodel.store import now_version
from services.reporting import invoice_list
from services.reporting.invoice_list import InvoiceListPage
from services.reporting.receivables import InvoiceFilters, Reports

BATCH = 1_000
DAY = 86_400
PAGE_SIZE = 100
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_OLD_SORT_COLUMN = {"customer": "customer", "amount_due": "amount_due",
                    "days_overdue": "days_overdue", "number": "number", "paid_at": "paid_at",
                    "created": "created", "amount_remaining": "amount_remaining"}


def _invoice(customers: list[dict[str, Any]], sequences: dict[str, int], index: int,
             start: int, span: int) -> dict[str, Any]:
    """A synthetic invoice created within ``span`` seconds from ``start``, with its paid
    date when paid and one open invoice in four partly paid."""
    customer = random.choice(customers)
    sequences[customer["id"]] += 1
    invoice = synthetic_invoice(customer, sequences[customer["id"]], index)
    created = start + random.randrange(span)
    invoice["created"] = created
    invoice["due_date"] = created + 30 * DAY
    transitions = invoice["status_transitions"]
    transitions["finalized_at"] = None if invoice["status"] == "draft" else created
    if invoice["status"] == "paid":
        transitions["paid_at"] = created + random.randrange(45 * DAY)
    elif invoice["status"] == "open" and index % 4 == 0:
        invoice["amount_paid"] = invoice["total"] // 3
        invoice["amount_remaining"] = invoice["total"] - invoice["amount_paid"]
    return invoice


def fill(engine: Engine, invoice_count: int, customer_count: int, today: date) -> list[str]:
    """Store the customers and invoices (created over the 400 days up to ``today``);
    returns the customer ids.

    Rows are inserted in batches with the columns ``store_object`` writes (``ROWS`` of
    ``services.readmodel.columns``, the JSON and a version): the same table content,
    without one upsert per object (which would take a quarter of an hour here). The
    lines table is left empty: the list never reads it.
    """
    random.seed(20_261_129)
    customers = [synthetic_customer(index) for index in range(customer_count)]
    sequences = dict.fromkeys((customer["id"] for customer in customers), 0)
    end = int(datetime.combine(today, datetime.min.time(), tzinfo=UTC).timestamp())
    start, span = end - 400 * DAY, 400 * DAY
    with engine.begin() as conn:
        conn.execute(insert(tables.customers), [_row("customer", c) for c in customers])
    for first in range(0, invoice_count, BATCH):
        batch = [_invoice(customers, sequences, index, start, span)
                 for index in range(first, min(first + BATCH, invoice_count))]
        with engine.begin() as conn:
            conn.execute(insert(tables.invoices), [_row("invoice", i) for i in batch])
    if engine.dialect.name == "postgresql":  # what autovacuum does after a bulk insert
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return [customer["id"] for customer in customers]


def _row(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    version = now_version()
    row = {**ROWS[kind](obj), "data": json.dumps(obj, separators=(",", ":")),
           "version": version}
    if kind == "invoice":
        row["first_seen"] = version
    return row


@dataclass(frozen=True)
class View:
    """One way of looking at the list: its filters and order."""

    name: str
    filters: InvoiceFilters
    order: InvoiceOrder


def views(today: date, customer_ids: list[str]) -> list[View]:
    busiest = random.choice(customer_ids)
    return [
        View("no filter, newest first", InvoiceFilters(as_of=today), InvoiceOrder()),
        View("open EUR, largest amount due", InvoiceFilters(
            statuses=("open",), currency="eur", as_of=today), InvoiceOrder("amount_due")),
        View("overdue only, most overdue", InvoiceFilters(overdue_only=True, as_of=today),
             InvoiceOrder("days_overdue")),
        View("paid in the last 30 days, by paid date", InvoiceFilters(
            paid_from=today - timedelta(days=29), paid_to=today, as_of=today),
            InvoiceOrder("paid_at")),
        View("created in one month, customer A-Z", InvoiceFilters(
            created_from=today - timedelta(days=60), created_to=today - timedelta(days=31),
            as_of=today), InvoiceOrder("customer", descending=False)),
        View("no filter, customer A-Z", InvoiceFilters(as_of=today),
             InvoiceOrder("customer", descending=False)),
        View("no filter, smallest remaining", InvoiceFilters(as_of=today),
             InvoiceOrder("amount_remaining", descending=False)),
        View("one customer, by number", InvoiceFilters(customer_id=busiest, as_of=today),
             InvoiceOrder("number", descending=False)),
    ]


def _old_sorted(frame: pd.DataFrame, order: InvoiceOrder) -> pd.DataFrame:
    column = _OLD_SORT_COLUMN[order.column]
    return frame.sort_values(column, ascending=not order.descending, kind="stable",
                             na_position="last")


def _old_totals(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.groupby("currency")[["amount_due", "amount_paid", "amount_remaining"]].sum()


def _grouped_totals(conn: Connection, query: InvoiceQuery) -> list[CurrencyTotals]:
    """The totals as read before migration 0012: grouped over ``rm_invoices``."""
    return invoice_totals(conn, query, stored=False)


def _timed(call: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and this process's CPU milliseconds per call (CPU is the whole cost on SQLite,
    and is not inflated by other programs on a busy machine; on PostgreSQL the server's
    share is not in it)."""
    call()  # warm: the first run pays for connecting and the page cache
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(reports: Reports, view: View,
            repeat: int) -> tuple[int, dict[str, tuple[list[float], list[float]]]]:
    """How many invoices match ``view``, and milliseconds per call (wall, CPU) per way of
    answering it."""
    first = reports.invoice_list_page(view.filters, order=view.order, page_size=PAGE_SIZE)
    last_page = first.pages

    def old_newest() -> None:
        rows = reports.invoices_page(view.filters, max_rows=500).rows
        _old_totals(_old_sorted(rows, view.order))

    def old_all() -> None:
        rows = reports.invoices_table(view.filters)
        _old_totals(_old_sorted(rows, view.order))

    def grouped_first_page() -> InvoiceListPage:
        with patch.object(invoice_list, "invoice_totals", _grouped_totals):
            return reports.invoice_list_page(view.filters, order=view.order,
                                             page_size=PAGE_SIZE)

    if grouped_first_page().totals != first.totals:
        raise RuntimeError(f"{view.name}: stored and grouped totals differ")

    ways: dict[str, Callable[[], Any]] = {
        "new: first page + count + totals": lambda: reports.invoice_list_page(
            view.filters, order=view.order, page_size=PAGE_SIZE),
        "  the same, totals grouped (no 0012)": grouped_first_page,
        "new: last page + count + totals": lambda: reports.invoice_list_page(
            view.filters, order=view.order, page=last_page, page_size=PAGE_SIZE),
        "new: export of the whole set": lambda: reports.invoice_list_export(
            view.filters, order=view.order),
        "old: newest 500, sorted in pandas": old_newest,
        'old: "Load all", sorted in pandas': old_all,
    }
    exports = max(1, repeat // 5)  # whole-set reads are slow: fewer runs
    return first.count, {
        way: _timed(call, exports if "whole" in way or "Load all" in way else repeat)
        for way, call in ways.items()}


def run(url: str, label: str, invoices: int, customers: int, repeat: int,
        only: list[str] | None = None) -> None:
    engine = make_engine(url)
    today = datetime.now(UTC).date()
    try:
        started = time.perf_counter()
        customer_ids = fill(engine, invoices, customers, today)
        print(f"\n{label}: filled {invoices:,} invoices and {customers:,} customers in "
              f"{time.perf_counter() - started:.0f} s; milliseconds per call (load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)", flush=True)
        reports = Reports(engine)
        for view in views(today, customer_ids):
            if only and view.name not in only:
                continue
            count, timings = measure(reports, view, repeat)
            print(f"  {view.name} ({count:,} match)")
            for way, (wall, cpu) in timings.items():
                print(f"    {way:<36} wall p50 {statistics.median(wall):7.1f}  "
                      f"p95 {_p(wall, 0.95):7.1f} | CPU p50 {statistics.median(cpu):7.1f}"
                      f"  (n={len(wall)})", flush=True)
        print(f"  (load average at the end: {os.getloadavg()[0]:.1f})")
    finally:
        engine.dispose()


@contextmanager
def _database(kind: str) -> Iterator[str]:
    """A URL of an empty app database of ``kind``, removed afterwards."""
    if kind == "postgresql":
        with _postgres() as server_url:
            yield _fresh_schema(server_url)
        return
    with tempfile.TemporaryDirectory(prefix="invoice-list-bench-") as workdir:
        yield f"sqlite:///{Path(workdir) / 'app.sqlite3'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for option, default in (("--invoices", 100_000), ("--customers", 20_000),
                            ("--repeat", 20)):
        parser.add_argument(option, type=int, default=default)
    parser.add_argument("--databases", nargs="+", choices=tuple(LABELS),
                        default=list(LABELS))
    parser.add_argument("--views", nargs="+", metavar="NAME",
                        help='only these views, by name (e.g. "no filter, newest first")')
    args = parser.parse_args()
    for kind in args.databases:
        with _database(kind) as url:
            run(url, LABELS[kind], args.invoices, args.customers, args.repeat, args.views)


if __name__ == "__main__":
    main()
