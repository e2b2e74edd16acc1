"""Migration 0013's live-invoice indexes: the invoice reads by customer, currency, created
day and due day with and without them, side by side in one run, on SQLite and PostgreSQL.

Run: ``python -m bench.invoice_index_bench --source /path/app.sqlite3`` (a backfilled
app database, e.g. 100,000 invoices; it is only read), ``--databases sqlite
postgresql``, ``--repeat 20`` (runs per read and state), ``--plans`` (print the plan of
each statement that reads ``rm_invoices`` in both states).

Two copies of the source are made in a temporary folder and migrated to the newest
schema; the "before" copy then loses migration 0013's indexes (the schema of 0012).
On PostgreSQL (a throwaway cluster, or ``TEST_DATABASE_URL``'s server) two fresh
schemas at the newest revision get the copy's customers, invoices, invoice payments and
credit notes, then ``VACUUM ANALYZE`` (as autovacuum would), and the "before" one loses
the indexes. Every run times a read on both, in alternating order, so both states see
the same machine load.

What is timed, through the app's own functions (no Stripe request): one customer's
statement (its finalized invoices, its receipts, the whole statement), its aging cells,
status counts, draft ids and Invoices page (count, totals and first 100 rows); the
Invoices page filtered on a currency only (usd newest first and by amount due, eur by
customer), and on a range of created days or due days only (30 or 90 days, two orders
each); and, as controls that the new indexes must not slow down, the unfiltered and
open-only Invoices pages, the Overview figures and the overdue debtors. The customer is
the one with most invoices. Printed per read and state: wall-clock p50 and p95 and this
process's CPU p50 (ms; on SQLite the CPU figure is the whole cost and holds on a busy
machine), the machine's load average beside.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, insert, select, text

from bench.lookup_bench import _fresh_schema, _postgres
from services.core.database import MIGRATIONS, make_engine
from services.readmodel import receivable_queries, store
from services.readmodel.debtor_queries import debtor_page
from services.readmodel.invoice_queries import InvoiceOrder, InvoiceQuery
from services.readmodel.payment_queries import PaymentQuery, payments_received
from services.readmodel.statement_queries import finalized_invoices
from services.readmodel.tables import credit_notes, customers, invoice_payments, invoices
from services.reporting.invoice_list import list_page
from services.reporting.statement import StatementReport

BATCH = 2_000
STATES = ("before", "after")
Read = Callable[[Engine], object]


def migration_indexes() -> dict[str, list[str]]:
    """Index name -> columns, as migration 0013 creates them."""
    path = MIGRATIONS / "versions" / "0013_invoice_live_indexes.py"
    spec = importlib.util.spec_from_file_location("migration_0013", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.INDEXES)


def drop_new_indexes(engine: Engine) -> None:
    """Take migration 0013's indexes off ``engine``'s database (the "before" state)."""
    with engine.begin() as conn:
        for name in migration_indexes():
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE rm_invoices"))
    # SQLite plans EXPLAIN QUERY PLAN on a pooled connection's cached schema: new ones.
    engine.dispose()


def reads(engine: Engine, customer_id: str) -> dict[str, Read]:
    """The timed reads, by label (see the module doc)."""
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(invoices.c.created))).scalar_one()
    as_of = datetime.fromtimestamp(int(newest), UTC).date()
    until = int(newest) + 1

    def page(query: InvoiceQuery, column: str = "created") -> Read:
        return lambda db: list_page(db, query, as_of, order=InvoiceOrder(column), page=1,
                                    page_size=100)

    mine = InvoiceQuery(customer_id=customer_id)
    month_ago, month_on = as_of - timedelta(days=29), as_of + timedelta(days=29)
    return {
        "statement: finalized invoices": lambda db: finalized_invoices(db, customer_id,
                                                                       until=until),
        "statement: receipts": lambda db: payments_received(
            db, PaymentQuery(customer_id=customer_id, end=until)),
        "statement: whole history": lambda db: StatementReport(db).statement(
            customer_id, date(2000, 1, 1), as_of),
        "customer: aging cells": lambda db: receivable_queries.aging_cells(
            db, as_of, customer_id=customer_id),
        "customer: status counts": lambda db: receivable_queries.status_counts(db, mine),
        "customer: draft ids": lambda db: store.draft_ids_of(db, customer_id, 50),
        "list: customer, newest first": page(mine),
        "list: customer, by amount due": page(mine, "amount_due"),
        "list: usd, newest first": page(InvoiceQuery(currency="usd")),
        "list: usd, by amount due": page(InvoiceQuery(currency="usd"), "amount_due"),
        "list: eur, by customer": page(InvoiceQuery(currency="eur"), "customer"),
        "list: created last 30 days": page(InvoiceQuery(created_from=month_ago,
                                                        created_to=as_of)),
        "list: created last 90 days, by total": page(
            InvoiceQuery(created_from=as_of - timedelta(days=89), created_to=as_of), "total"),
        "list: due next 30 days": page(InvoiceQuery(due_from=as_of, due_to=month_on),
                                       "due_date"),
        "list: due next 30 days, by amount due": page(
            InvoiceQuery(due_from=as_of, due_to=month_on), "amount_due"),
        "control: list, newest first": page(InvoiceQuery()),
        "control: list, open, by due date": page(InvoiceQuery(statuses=("open",)), "due_date"),
        "control: overview figures": lambda db: receivable_queries.receivable_figures(
            db, receivable_queries.Periods(as_of, 30, 90)),
        "control: usd debtors, overdue": lambda db: debtor_page(
            db, as_of, currency="usd", bucket="overdue"),
    }


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements ``engine`` runs inside the block, with their parameters."""
    found: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            found.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", note)


def plans(engine: Engine, read: Read) -> list[str]:
    """The plan lines of every statement ``read`` runs that touch ``rm_invoices``."""
    with captured(engine) as statements:
        read(engine)
    lines: list[str] = []
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for statement, parameters in statements:
            if "rm_invoices" not in statement:
                continue
            if engine.dialect.name == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                lines += [str(row[3]) for row in cursor.fetchall()]
            else:
                cursor.execute("EXPLAIN " + statement, parameters)
                lines += [str(row[0]).strip() for row in cursor.fetchall()
                          if "Scan" in str(row[0])]
            lines.append("--")
    return lines


def measure(engines: dict[str, Engine], label: str, repeat: int, show_plans: bool) -> None:
    """Time every read on the "before" and "after" databases, alternating; print the table."""
    customer_id = largest_customer(engines["after"])
    timed = {state: reads(engine, customer_id) for state, engine in engines.items()}
    wall: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    load = os.getloadavg()
    for name in timed["after"]:
        for state in STATES:
            timed[state][name](engines[state])  # warm the caches
        for run in range(repeat):
            for state in STATES if run % 2 else STATES[::-1]:
                started, spent = time.perf_counter(), time.process_time()
                timed[state][name](engines[state])
                wall.setdefault((name, state), []).append(time.perf_counter() - started)
                cpu.setdefault((name, state), []).append(time.process_time() - spent)
    print(f"\n{label}: customer {customer_id}, {repeat} runs per read and state, "
          f"load average {load[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end (CPUs: "
          f"{os.cpu_count()})")
    print(f"{'read':38} {'before p50/p95 (cpu)':>24} {'after p50/p95 (cpu)':>24} {'p50 ×':>6}")
    for name in timed["after"]:
        cells = [_cell(wall[(name, state)], cpu[(name, state)]) for state in STATES]
        ratio = statistics.median(wall[(name, "before")]) / statistics.median(
            wall[(name, "after")])
        print(f"{name:38} {cells[0]:>24} {cells[1]:>24} {ratio:6.1f}")
    if show_plans:
        for state in STATES:
            print(f"\n{label} plans, {state}:")
            for name, read in timed[state].items():
                print(f"  {name}:")
                for line in plans(engines[state], read):
                    print(f"    {line}")


def _cell(wall: list[float], cpu: list[float]) -> str:
    ordered = sorted(wall)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"{statistics.median(wall) * 1000:.1f}/{p95 * 1000:.1f} "
            f"({statistics.median(cpu) * 1000:.1f})")


def largest_customer(engine: Engine) -> str:
    """The customer with most live invoices."""
    statement = (select(invoices.c.customer_id).where(invoices.c.deleted.is_(False))
                 .group_by(invoices.c.customer_id).order_by(func.count().desc()).limit(1))
    with engine.connect() as conn:
        return str(conn.execute(statement).scalar_one())


def sqlite_copy(source: Path, target: Path) -> Engine:
    """A copy of ``source`` (read only, through SQLite's backup), at the newest schema."""
    original = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        original.backup(copy)
    finally:
        copy.close()
        original.close()
    return make_engine(f"sqlite:///{target}")


def postgresql_copy(source: Engine, server_url: str) -> Engine:
    """A fresh schema at the newest revision holding ``source``'s read-model rows."""
    engine = make_engine(_fresh_schema(server_url))
    with source.connect() as reading, engine.begin() as writing:
        for table in (customers, invoices, invoice_payments, credit_notes):
            result = reading.execution_options(stream_results=True).execute(select(table))
            while batch := result.fetchmany(BATCH):
                writing.execute(insert(table), [dict(row._mapping) for row in batch])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True,
                        help="a backfilled SQLite app database (only read)")
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"),
                        default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="invoice-index-bench-") as workdir:
        copies = {state: sqlite_copy(args.source, Path(workdir) / f"{state}.sqlite3")
                  for state in STATES}
        if "sqlite" in args.databases:
            drop_new_indexes(copies["before"])
            measure(copies, "SQLite", args.repeat, args.plans)
        if "postgresql" in args.databases:
            with _postgres() as server_url:
                served = {state: postgresql_copy(copies["after"], server_url)
                          for state in STATES}
                drop_new_indexes(served["before"])
                measure(served, "PostgreSQL", args.repeat, args.plans)
                for engine in served.values():
                    engine.dispose()
        for engine in copies.values():
            engine.dispose()


if __name__ == "__main__":
    main()
