"""A listed page is stored with one upsert statement, and the newest read still wins row by row.

The backfill stores each page of 100 objects in one ``INSERT … ON CONFLICT … WHERE
stored.version < new.version`` (``services.readmodel.store.store_objects``): a copy
read later (an event applied meanwhile) must survive an older page, the others must be
replaced, and the lines of exactly the invoices written must follow. On SQLite and,
with ``--app-database=postgresql``, on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from services.core.database import make_engine, write_transaction
from services.readmodel.store import ObjectCopy, store_object, store_objects
from services.readmodel.tables import invoice_lines, invoices


@pytest.fixture
def engine(app_database_url: str) -> Iterator[Engine]:
    made = make_engine(app_database_url)
    try:
        yield made
    finally:
        made.dispose()


def _invoice(n: int, *, status: str = "open", lines: int = 1) -> dict[str, Any]:
    data = [{"id": f"il_b{n}x{k}", "object": "line_item", "amount": 100 * (k + 1),
             "currency": "eur", "description": f"{status} line {k}"} for k in range(lines)]
    return {"id": f"in_batch{n:03d}", "object": "invoice", "status": status,
            "customer": "cus_batch", "currency": "eur", "total": 100, "amount_due": 100,
            "amount_paid": 0, "amount_remaining": 100, "created": 1_700_000_000 + n,
            "lines": {"object": "list", "data": data, "has_more": False}}


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split("(")[0].strip())

    event.listen(engine, "before_cursor_execute", note)
    return seen


def test_a_page_is_one_upsert_and_a_newer_stored_copy_survives_it(engine: Engine) -> None:
    with write_transaction(engine) as conn:  # events applied after the page was read
        store_object(conn, "invoice", _invoice(5, status="paid", lines=2), 2_000)
        store_object(conn, "invoice", _invoice(6, status="void"), 2_000)
        store_object(conn, "invoice", _invoice(7, status="draft"), 500)  # read before
    page = [ObjectCopy(_invoice(n, lines=3), 1_000, first_seen=1_000 - n) for n in range(100)]
    seen = _statements(engine)
    with write_transaction(engine) as conn:
        written = store_objects(conn, "invoice", page)
    upserts = [s for s in seen if s == "INSERT INTO rm_invoices"]
    assert len(upserts) == 1
    assert written == {f"in_batch{n:03d}" for n in range(100)} - {"in_batch005", "in_batch006"}
    with engine.connect() as conn:
        stored = dict(conn.execute(select(invoices.c.id, invoices.c.status)).all())
        lines = conn.execute(select(invoice_lines.c.invoice_id, invoice_lines.c.description)
                             .order_by(invoice_lines.c.id)).all()
    assert stored["in_batch005"] == "paid" and stored["in_batch006"] == "void"
    assert stored["in_batch007"] == "open" and stored["in_batch042"] == "open"
    by_invoice: dict[str, list[str]] = {}
    for invoice_id, description in lines:
        by_invoice.setdefault(invoice_id, []).append(description)
    assert by_invoice["in_batch005"] == ["paid line 0", "paid line 1"]  # the newer copy's
    assert by_invoice["in_batch006"] == ["void line 0"]
    assert by_invoice["in_batch007"] == ["open line 0", "open line 1", "open line 2"]
    assert len(by_invoice) == 100 and sum(map(len, by_invoice.values())) == 98 * 3 + 3


def test_the_same_object_twice_in_one_batch_keeps_the_newer_copy(engine: Engine) -> None:
    older = ObjectCopy(_invoice(1, status="open"), 1_000)
    newer = ObjectCopy(_invoice(1, status="paid"), 1_001)
    with write_transaction(engine) as conn:
        assert store_objects(conn, "invoice", [newer, older]) == {"in_batch001"}
    with engine.connect() as conn:
        row = conn.execute(select(invoices.c.status, invoices.c.version, invoices.c.data)).one()
    assert (row.status, row.version) == ("paid", 1_001)
    assert json.loads(row.data)["status"] == "paid"
    with write_transaction(engine) as conn:  # the same read again changes nothing
        assert store_objects(conn, "invoice", [newer]) == set()


def test_a_partial_line_list_never_replaces_the_full_one(engine: Engine) -> None:
    full = _invoice(3, lines=12)
    partial = {**_invoice(3, lines=10), "lines": {**_invoice(3, lines=10)["lines"],
                                                  "has_more": True}}
    with write_transaction(engine) as conn:
        store_objects(conn, "invoice", [ObjectCopy(partial, 1_000, lines=full["lines"]["data"])])
        store_objects(conn, "invoice", [ObjectCopy(partial, 2_000)])
    with engine.connect() as conn:
        count = len(conn.execute(select(invoice_lines.c.id)).all())
        complete = conn.execute(select(invoices.c.lines_complete)).scalar_one()
    assert count == 12
    assert complete is False  # the stored copy says its embedded list is partial
