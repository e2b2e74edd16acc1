"""The book the Chromium page bench opens, and the app database it reuses between runs.

* :func:`fill_book` writes a new book straight into an emulator file (no HTTP) with
  ``bench.read_model_bench``'s fillers; every customer gets about invoices/customers
  invoices (``n * 7919`` modulo the customers spreads them evenly).
* :func:`add_large_customer` adds one customer with :data:`LARGE_INVOICES` invoices over
  400 days, so that a statement and a customer page of a customer with a long history are
  measured too. Ids, dates and amounts follow from the book alone (fixed ids, dates
  counted back from the book's newest invoice, a seeded generator), so the same book
  always gets the same large customer, and an app database backfilled from it earlier
  still matches.
* :func:`book_sample` picks what the pages are opened with: an open numbered invoice,
  its customer (one with several invoices) and the large customer.
* :class:`AppDatabaseCopy` keeps the backfilled app database (a SQLite file) next to a
  fingerprint of the emulator file it was made from (size and SHA-256 of its first MB),
  and refuses to reuse it for any other book.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.emulator_bench import fill_customers
from bench.read_model_bench import DAY, STATUS_CYCLE, fill_invoices
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.embedded import start_emulator
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.customer import CUSTOMERS, new_customer
from stripe_emulator.models.invoice import INVOICES, new_invoice, recompute_totals
from stripe_emulator.models.invoice_line import line_for_item

LARGE_CUSTOMER = "cus_BenchLargeCustomer"
LARGE_INVOICES = 2_000  # about 450 of them in a 90-day statement
FINGERPRINT_BYTES = 1 << 20


def fill_book(db: Path, customers: int, invoices: int) -> None:
    """Write ``customers`` customers and ``invoices`` invoices into a new emulator file."""
    with start_emulator(db) as emulator:
        fill_customers(emulator.state, customers, {})
        fill_invoices(emulator.state, invoices, {})


def _large_invoice(n: int, customer: dict[str, Any], created: int, amount: int,
                   now: int) -> dict[str, Any]:
    """The large customer's ``n``-th invoice, in the status the filled book's cycle gives."""
    invoice_id = f"in_BenchLarge{n:05d}"
    invoice = new_invoice(invoice_id=invoice_id, created=created, customer=customer,
                          currency="usd", collection_method="send_invoice", test_clock=None)
    invoice["due_date"] = created + 30 * DAY
    item = {"id": f"ii_BenchLarge{n:05d}", "amount": amount, "currency": "usd",
            "description": "Support retainer", "discountable": True, "metadata": {},
            "period": {"start": created, "end": created},
            "pricing": {"price_details": {"price": "price_BenchLarge",
                                          "product": "prod_BenchLarge"},
                        "type": "price_details", "unit_amount_decimal": str(amount)},
            "quantity": 1, "quantity_decimal": "1"}
    invoice["_lines"].append(line_for_item(f"il_BenchLarge{n:05d}", item, invoice_id))
    recompute_totals(invoice)
    status = STATUS_CYCLE[n % len(STATUS_CYCLE)]
    invoice["status"] = status
    moments = invoice["status_transitions"]
    if status != "draft":
        invoice["number"] = f"{customer['invoice_prefix']}-{n + 1:04d}"
        moments["finalized_at"] = created
    if status == "paid":
        moments["paid_at"] = min(created + (7 + n % 30) * DAY, now)
        invoice["amount_paid"], invoice["amount_remaining"] = invoice["amount_due"], 0
    elif status == "void":
        moments["voided_at"] = created + DAY
    elif status == "uncollectible":
        moments["marked_uncollectible_at"] = created + 60 * DAY
    return invoice


def add_large_customer(state: EmulatorState) -> None:
    """Add :data:`LARGE_CUSTOMER` and its :data:`LARGE_INVOICES` invoices, unless present.

    Everything is derived from the book (its newest invoice's ``created`` is "now"), so
    two runs over copies of one book add identical objects."""
    store = state.store
    if store.get(CUSTOMERS, LARGE_CUSTOMER) is not None:
        return
    now = int(store.select(INVOICES, limit=1)[0]["created"])
    first = now - 400 * DAY
    customer = new_customer(customer_id=LARGE_CUSTOMER, created=first,
                            invoice_prefix="BENCHLARGE", test_clock=None)
    customer.update(email="ap@large-client.test", name="Large Client Holdings",
                    next_invoice_sequence=LARGE_INVOICES + 1)
    store.insert(CUSTOMERS, customer)
    step = 400 * DAY // LARGE_INVOICES
    amounts = random.Random(11)
    store.insert_many(INVOICES, [
        _large_invoice(n, customer, first + n * step, amounts.randrange(1_000, 900_000), now)
        for n in range(LARGE_INVOICES)
    ])


def book_sample(db: Path) -> dict[str, Any]:
    """An open numbered invoice (``invoice``, ``number``), its customer (``customer``,
    ``name``, ``customer_invoices``: how many it has) and ``large_customer``."""
    with start_emulator(db) as emulator:
        store = emulator.state.store
        invoice = next(i for i in store.select(INVOICES, Where().eq("status", "open"), limit=50)
                       if i["number"] and i["customer"] != LARGE_CUSTOMER)
        customer = store.get(CUSTOMERS, invoice["customer"]) or {}
        return {"invoice": invoice["id"], "number": invoice["number"],
                "customer": invoice["customer"], "name": customer.get("name") or invoice["id"],
                "customer_invoices": store.count(INVOICES,
                                                 Where().eq("customer", invoice["customer"])),
                "large_customer": LARGE_CUSTOMER}


def book_fingerprint(book: Path) -> dict[str, Any]:
    """What identifies an emulator file: its size and the SHA-256 of its first MB (SQLite's
    header holds a change counter, so any write to the file changes it); mtime for people."""
    with book.open("rb") as file:
        head = hashlib.sha256(file.read(FINGERPRINT_BYTES)).hexdigest()
    stat = book.stat()
    return {"book": str(book.resolve()), "size": stat.st_size, "first_mb_sha256": head,
            "mtime": stat.st_mtime, "large_customer": LARGE_CUSTOMER,
            "large_invoices": LARGE_INVOICES}


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file (its WAL included) through the backup API."""
    target.unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@dataclass(frozen=True)
class AppDatabaseCopy:
    """A backfilled app database kept at ``path`` for the book in ``book`` (the kept
    ``--emulator-db`` file), with its fingerprint in ``path`` + ``.book.json``."""

    path: Path
    book: Path

    @property
    def fingerprint_file(self) -> Path:
        return self.path.with_name(self.path.name + ".book.json")

    def exists(self) -> bool:
        return self.path.exists()

    def restore(self, target: Path) -> None:
        """Copy the kept app database to ``target``. Raises SystemExit when it was made from
        another book than ``book`` (or its fingerprint is missing)."""
        if not self.fingerprint_file.exists():
            raise SystemExit(f"{self.path} has no {self.fingerprint_file.name}: which book it "
                             "was backfilled from is unknown; delete it to backfill again")
        kept = json.loads(self.fingerprint_file.read_text())
        now = book_fingerprint(self.book)
        differs = [k for k in ("size", "first_mb_sha256", "large_customer", "large_invoices")
                   if kept.get(k) != now[k]]
        if differs:
            raise SystemExit(
                f"{self.path} was backfilled from another book than {self.book} "
                f"({', '.join(differs)} differ: kept {[kept.get(k) for k in differs]}, now "
                f"{[now[k] for k in differs]}); delete it or pass another --app-db")
        _copy_sqlite(self.path, target)

    def keep(self, source: Path) -> None:
        """Copy the app database just backfilled at ``source`` to ``path``, with the book's
        fingerprint beside it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _copy_sqlite(source, self.path)
        self.fingerprint_file.write_text(json.dumps(book_fingerprint(self.book), indent=2))


def sqlite_file(url: str) -> Path:
    """The file of a ``sqlite:///…`` URL. Raises SystemExit for any other database."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise SystemExit(f"--app-db copies a SQLite file; the app database is {url}")
    return Path(url[len(prefix):])
