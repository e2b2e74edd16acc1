"""Two dashboards writing the read model at once on PostgreSQL: a conflict is retried.

The stored invoice totals (``rm_invoice_totals``) make every transaction that changes
invoices of a status and currency wait for another changing the same group. Two
transactions that take two groups in opposite orders deadlock; PostgreSQL cancels
one of them (SQLSTATE 40P01). ``retry_on_conflict`` runs the cancelled one again, so
both servers' writes land and the totals stay exact. SQLite has one writer at a time
and never deadlocks: this is a PostgreSQL test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from services.core.database import make_engine, retry_on_conflict, write_transaction
from services.readmodel import store
from services.readmodel.stored_totals import stored_total_rows, totals_drift


def _invoice(invoice_id: str, status: str, currency: str) -> store.ObjectCopy:
    data = {"id": invoice_id, "object": "invoice", "livemode": False, "status": status,
            "currency": currency, "amount_due": 1_000, "amount_paid": 0,
            "amount_remaining": 1_000, "total": 1_000, "created": 1_700_000_000}
    return store.ObjectCopy(data, store.now_version())


Runner = Callable[[Callable[[], None]], None]


def _crossing_writers(engine: Engine, run: Runner) -> list[BaseException]:
    """Two transactions, each storing an open USD and a draft EUR invoice, in opposite
    orders, both holding their first group when they ask for the second."""
    both_hold_one = threading.Barrier(2, timeout=10)
    failures: list[BaseException] = []

    def writer(first: store.ObjectCopy, second: store.ObjectCopy) -> None:
        attempts = []

        def one_transaction() -> None:
            attempts.append(1)
            with write_transaction(engine) as conn:
                store.store_objects(conn, "invoice", [first])
                if len(attempts) == 1:
                    both_hold_one.wait()
                store.store_objects(conn, "invoice", [second])

        try:
            run(one_transaction)
        except BaseException as failed:
            failures.append(failed)

    suffix = store.now_version()
    threads = [
        threading.Thread(target=writer, args=(_invoice(f"in_a{suffix}", "open", "usd"),
                                              _invoice(f"in_b{suffix}", "draft", "eur"))),
        threading.Thread(target=writer, args=(_invoice(f"in_c{suffix}", "draft", "eur"),
                                              _invoice(f"in_d{suffix}", "open", "usd"))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return failures


def test_crossing_writers_deadlock_and_the_retry_lands_both(
    app_database_url: str, app_database_kind: str
) -> None:
    if app_database_kind != "postgresql":
        pytest.skip("SQLite has one writer at a time: no deadlock to retry")
    engine = make_engine(app_database_url)
    try:
        failures = _crossing_writers(engine, lambda work: work())  # no retry
        assert len(failures) == 1  # PostgreSQL cancelled one of the two
        assert isinstance(failures[0], DBAPIError)
        assert getattr(failures[0].orig, "sqlstate", None) == "40P01"

        assert _crossing_writers(engine, retry_on_conflict) == []
        with engine.connect() as conn:
            assert totals_drift(conn) == {}
            counts = {(row[0], row[1]): row[2] for row in stored_total_rows(conn)}
        assert counts == {("draft", "eur"): 3, ("open", "usd"): 3}  # 1 + 1 lost, 2 + 2 landed
    finally:
        engine.dispose()
