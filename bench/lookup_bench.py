"""How long one lookup takes at 100,000 invoices and 20,000 customers, per kind of query.

Run: ``python -m bench.lookup_bench`` (``--invoices 100000 --customers 20000``,
``--databases sqlite postgresql``, ``--repeat 30``).

The read model is filled directly (``services.readmodel.store.store_object`` with
synthetic objects shaped as Stripe sends them: customers with accented names and
invoice prefixes, invoices with one to four lines, PO numbers and other metadata, in
USD, EUR, GBP and JPY), not through the API: the lookup reads only the read model,
and a fill through the emulator would take hours at this size. Each kind of query is
then timed ``--repeat`` times over different targets; p50 and p95 are printed per
kind and database. PostgreSQL is a throwaway cluster (``scripts/postgres_cluster.py``)
unless ``TEST_DATABASE_URL`` names a server, analysed after the fill as autovacuum
would be (SQLite gets no statistics, as in the dashboard). Target: p50 under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from scripts.postgres_cluster import throwaway_cluster
from services.core.database import database_url, make_engine
from services.core.money import format_amount
from services.readmodel.store import now_version, store_object
from services.reporting.lookup import Lookup

BATCH = 500
START = 1_700_000_000  # invoices are created over the year after this (Unix seconds)
_FIRST = ("Initech", "Globex", "Umbrella", "Müller", "Café", "Björk", "Söhne", "Acme",
          "Hooli", "Vandelay", "Wonka", "Stark", "Łódź", "Nordström", "Żabka", "Crème",
          "Gringotts", "Tyrell", "Soylent", "Cyberdyne", "Dunder", "Oscorp", "Wayne")
_SECOND = ("Industries", "Holdings", "& Söhne", "Brûlerie", "GmbH", "Ltd", "SARL", "AG",
           "Trading", "Logistics", "Bakery", "Consulting", "Partners", "Group", "Labs")
_PRODUCTS = ("Gold support", "Consulting day", "Licence seat", "Onboarding", "Hosting",
             "Café équipement", "Training", "Audit", "Maintenance", "Data export")
_CURRENCIES = ("usd", "usd", "eur", "eur", "gbp", "jpy")


@dataclass(frozen=True)
class Book:
    """What was stored, to pick query targets from."""

    customers: list[dict[str, Any]]
    invoices: list[dict[str, Any]]


def _token(length: int = 14) -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=length))


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def synthetic_customer(index: int) -> dict[str, Any]:
    name = f"{random.choice(_FIRST)} {_token(5).capitalize()} {random.choice(_SECOND)}"
    return {
        "id": f"cus_{_token()}", "object": "customer", "name": name,
        "email": f"billing{index}@{_token(6).lower()}.example.com", "created": START,
        "currency": None, "invoice_prefix": _token(8).upper(), "metadata": {},
        "livemode": False, "test_clock": None,
    }  # fmt: skip


def synthetic_invoice(customer: dict[str, Any], sequence: int, index: int) -> dict[str, Any]:
    currency = random.choice(_CURRENCIES)
    lines: list[dict[str, Any]] = []  # Stripe line_item objects
    for position in range(random.randint(1, 4)):
        amount = random.randint(1, 5000) * (1 if currency == "jpy" else 100) + (
            0 if currency == "jpy" else random.randint(0, 99))
        lines.append({
            "id": f"il_{_token()}", "object": "line_item", "amount": amount,
            "currency": currency, "quantity": 1, "invoice": None,
            "description": f"{random.choice(_PRODUCTS)} {_token(4).lower()} #{position + 1}",
            "parent": {"type": "invoice_item_details",
                       "invoice_item_details": {"invoice_item": f"ii_{_token()}"}},
            "pricing": {"price_details": {"price": None, "product": None}},
        })  # fmt: skip
    total = sum(line["amount"] for line in lines)
    status = random.choice(("draft", "open", "open", "paid", "paid", "void", "uncollectible"))
    created = START + index * 300
    metadata = {"po_number": f"PO-{random.randint(10_000, 999_999)}"} if index % 3 else {}
    if index % 5 == 0:
        metadata["project"] = f"Project {_token(6)}"
    paid = total if status == "paid" else 0
    invoice_id = f"in_{_token()}"
    for line in lines:
        line["invoice"] = invoice_id
    return {
        "id": invoice_id, "object": "invoice",
        "number": None if status == "draft" else f"{customer['invoice_prefix']}-{sequence:04d}",
        "status": status, "customer": customer["id"], "customer_name": customer["name"],
        "customer_email": customer["email"], "currency": currency, "subtotal": total,
        "total": total, "amount_due": total, "amount_paid": paid,
        "amount_remaining": total - paid, "created": created, "due_date": created + 30 * 86400,
        "status_transitions": {"finalized_at": None if status == "draft" else created},
        "collection_method": "send_invoice", "metadata": metadata, "livemode": False,
        "description": None, "hosted_invoice_url": None,
        "lines": {"object": "list", "data": lines, "has_more": False},
    }  # fmt: skip


def fill(engine: Engine, invoice_count: int, customer_count: int) -> Book:
    """Store ``customer_count`` customers and ``invoice_count`` invoices in the read model."""
    random.seed(20_251_031)
    customers = [synthetic_customer(index) for index in range(customer_count)]
    sequences = dict.fromkeys((customer["id"] for customer in customers), 0)
    invoices: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for customer in customers:
            store_object(conn, "customer", customer, now_version())
        for index, name in enumerate(_PRODUCTS):
            product = {"id": f"prod_{_token()}", "object": "product", "name": name,
                       "active": True, "created": START + index, "livemode": False}
            store_object(conn, "product", product, now_version())
    for start in range(0, invoice_count, BATCH):
        with engine.begin() as conn:
            for index in range(start, min(start + BATCH, invoice_count)):
                customer = random.choice(customers)
                sequences[customer["id"]] += 1
                invoice = synthetic_invoice(customer, sequences[customer["id"]], index)
                store_object(conn, "invoice", invoice, now_version())
                invoices.append(invoice)
    return Book(customers, invoices)


def query_kinds(book: Book) -> dict[str, Callable[[], str]]:
    """Per kind of query, something that picks one query text from the book."""
    numbered = [invoice for invoice in book.invoices if invoice["number"]]
    with_po = [invoice for invoice in book.invoices if invoice["metadata"].get("po_number")]

    def customer() -> dict[str, Any]:
        return random.choice(book.customers)

    accented = [c for c in book.customers if c["name"] != _without_accents(c["name"])]

    def typo(name: str) -> str:
        """The name with one letter of its own word (the second) wrong."""
        first, word, *rest = name.split()
        at = len(word) // 2
        wrong = word[:at] + ("x" if word[at].lower() != "x" else "y") + word[at + 1 :]
        return " ".join([first, wrong, *rest])

    def amount() -> str:
        invoice = random.choice(book.invoices)
        return format_amount(invoice["total"], invoice["currency"])

    return {
        "invoice id": lambda: random.choice(book.invoices)["id"],
        "line id": lambda: random.choice(book.invoices)["lines"]["data"][0]["id"],
        "invoice number": lambda: random.choice(numbered)["number"].lower(),
        "number tail": lambda: random.choice(numbered)["number"].split("-")[1],
        "email, exact": lambda: customer()["email"].upper(),
        "email, partial": lambda: customer()["email"].split("@")[1].split(".")[0],
        "customer name": lambda: customer()["name"],
        "name, no accents": lambda: _without_accents(random.choice(accented)["name"]).lower(),
        "name, one typo": lambda: typo(customer()["name"]),
        "amount": amount,
        "PO number": lambda: random.choice(with_po)["metadata"]["po_number"].lower(),
        "line description": lambda: random.choice(book.invoices)["lines"]["data"][0][
            "description"].split(" #")[0],
    }  # fmt: skip


def measure(engine: Engine, book: Book, repeat: int) -> dict[str, list[float]]:
    """Milliseconds per search, per kind of query (``repeat`` different texts each)."""
    lookup = Lookup(engine)
    lookup.search("warm up")
    timings: dict[str, list[float]] = {}
    for kind, pick in query_kinds(book).items():
        texts = [pick() for _ in range(repeat)]
        spent = []
        for query in texts:
            started = time.perf_counter()
            lookup.search(query)
            spent.append((time.perf_counter() - started) * 1000)
        timings[kind] = spent
    return timings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(label: str, timings: dict[str, list[float]]) -> None:
    print(f"\n{label}: milliseconds per search")
    print(f"  {'query kind':<20} {'p50':>7} {'p95':>7}")
    for kind, spent in timings.items():
        print(f"  {kind:<20} {statistics.median(spent):7.1f} {_percentile(spent, 0.95):7.1f}")


def run(url: str, label: str, invoices: int, customers: int, repeat: int) -> None:
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        book = fill(engine, invoices, customers)
        print(f"{label}: filled {invoices:,} invoices and {customers:,} customers "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        if engine.dialect.name == "postgresql":  # what autovacuum does a minute after a fill
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        report(label, measure(engine, book, repeat))
    finally:
        engine.dispose()


@contextmanager
def _postgres() -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    with throwaway_cluster() as url:
        yield url


def _fresh_schema(server_url: str) -> str:
    schema = f"lookup_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = database_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"),
                        default=["sqlite", "postgresql"])
    args = parser.parse_args()
    sizes = (args.invoices, args.customers, args.repeat)
    if "sqlite" in args.databases:
        with tempfile.TemporaryDirectory(prefix="lookup-bench-") as workdir:
            run(f"sqlite:///{Path(workdir) / 'app.sqlite3'}", "SQLite", *sizes)
    if "postgresql" in args.databases:
        with _postgres() as server_url:
            run(_fresh_schema(server_url), "PostgreSQL", *sizes)


if __name__ == "__main__":
    main()
