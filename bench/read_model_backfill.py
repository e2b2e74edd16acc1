"""Figure 1 of ``bench.read_model_bench``: filling the read model, and paced reads.

- ``run_backfill``: a whole ``services.upkeep.backfill`` into a new app database, with
  its wall time, list requests by route, 429s answered by the emulator and 429s reaching
  the caller, and the part of the wall time spent storing pages.
- ``fill_read_model_directly``: the read model filled with ``store_object`` from the
  emulator's own objects, no request (for books whose backfill takes too long here).
- ``run_paced_reads``: one read (the invoice relist, or object re-reads) by one or more
  dashboards at once, each paced by its own ``ReadModelSync``, 429s retried.

``app_services`` builds the dashboard's services against an emulator, for every figure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.read_model_book import fill_invoices
from bench.request_counter import RequestCounter
from services.container import Services, build_services
from services.core.database import write_transaction
from services.core.settings import Settings
from services.readmodel.store import now_version, store_object
from services.readmodel.sync import ReadModelSync
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.embedded import RunningEmulator
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.base import public
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.invoice_totals import public_line

REREADS = 200  # object re-reads per dashboard in the rate-limit run
EMBEDDED_LINES = 10  # Stripe embeds the first 10 lines of an invoice


@dataclass
class BackfillFigure:
    """One row of figure 1: a fill or a paced read, its wall seconds and requests by route."""

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


def app_services(database_url: str, base_url: str, read_rate: float | None) -> Services:
    """The dashboard's services on ``database_url`` against the emulator at ``base_url``;
    ``read_rate`` (requests/s) is ``STRIPE_READ_RATE``, or the default when None."""
    values = {"DATABASE_URL": database_url}
    if read_rate is not None:
        values["STRIPE_READ_RATE"] = str(read_rate)
    return build_services(Settings.from_mapping(values).with_emulator(base_url))


def run_backfill(label: str, emulator: RunningEmulator, counter: RequestCounter,
                 database_url: str, rate: float, invoices: int) -> tuple[BackfillFigure, Services]:
    """A whole backfill into a new app database; its figures and the filled services."""
    services = app_services(database_url, emulator.base_url, rate)
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
