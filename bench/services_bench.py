"""How long the receivables reports take on 1,000 and 10,000 invoices.

Run: ``python -m bench.services_bench`` (``--sizes 1000 10000``, ``--repeat 3``).

Honest set-up: every invoice is made through the public API with the real
``stripe`` SDK, exactly as the dashboard makes them (draft → item → finalize,
some paid out of band, some left as drafts), on customers attached to test
clocks frozen in the past so that the overdue list and the aging buckets have
real, spread-out due dates. Nothing is written into the emulator's store
behind its back. The fill is timed and printed separately; the report timings
are what the dashboard pays on each page load: ``invoices_table`` (every
invoice, paged 100 at a time), ``overdue`` and ``aging`` (Stripe's
``status``/``due_date`` filters, then pandas).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import stripe

from services.container import Services, build_services
from services.core.settings import Settings
from services.reporting.receivables import InvoiceFilters
from stripe_emulator.embedded import start_emulator

CUSTOMERS_PER_CLOCK = 3
AGES_IN_DAYS = (0, 20, 45, 75, 120, 200)
FILL_THREADS = 4


def fill(client: stripe.StripeClient, count: int) -> float:
    """Make ``count`` invoices through the API; returns seconds taken."""
    started = time.perf_counter()
    product = client.v1.products.create(params={"name": "Bench Gold Special"})
    price = client.v1.prices.create(
        params={"product": product.id, "currency": "usd", "unit_amount": 1000}
    )
    owners = _customers(client, max(len(AGES_IN_DAYS) * CUSTOMERS_PER_CLOCK, count // 100))

    def make(index: int) -> None:
        customer = owners[index % len(owners)]
        invoice = client.v1.invoices.create(
            params={
                "customer": customer,
                "collection_method": "send_invoice",
                "days_until_due": 30,
                "currency": "usd",
            }
        )
        client.v1.invoice_items.create(
            params={
                "customer": customer,
                "invoice": invoice.id,
                "pricing": {"price": price.id},
                "quantity": 1 + index % 5,
            }
        )
        if index % 10 == 9:
            return  # 10 % stay drafts
        client.v1.invoices.finalize_invoice(invoice.id)
        if index % 10 in (7, 8):  # 20 % paid out of band
            client.v1.invoices.pay(invoice.id, params={"paid_out_of_band": True})

    with ThreadPoolExecutor(FILL_THREADS) as pool:
        list(pool.map(make, range(count)))
    return time.perf_counter() - started


def _customers(client: stripe.StripeClient, count: int) -> list[str]:
    """``count`` customers, three per test clock, clocks frozen 0 to 200 days ago."""
    ids: list[str] = []
    for group in range(0, count, CUSTOMERS_PER_CLOCK):
        age = AGES_IN_DAYS[(group // CUSTOMERS_PER_CLOCK) % len(AGES_IN_DAYS)]
        params: dict[str, object] = {}
        if age:
            clock = client.v1.test_helpers.test_clocks.create(
                params={"frozen_time": int(time.time()) - age * 86400}
            )
            params["test_clock"] = clock.id
        for index in range(group, min(group + CUSTOMERS_PER_CLOCK, count)):
            params["name"] = f"Bench customer {index}"
            ids.append(client.v1.customers.create(params=params).id)  # type: ignore[arg-type]
    return ids


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    seconds = []
    result: object = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - started)
    return min(seconds), statistics.median(seconds), result


def run(count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as scratch, start_emulator() as running:
        settings = Settings.from_mapping(
            {"DATABASE_URL": f"sqlite:///{Path(scratch) / 'app.sqlite3'}"}
        ).with_emulator(running.base_url)
        services: Services = build_services(settings)
        fill_seconds = fill(services.client, count)
        print(f"\n{count:,} invoices made through the API in {fill_seconds:.1f} s "
              f"({count / fill_seconds:.0f} invoices/s)")  # fmt: skip
        today = datetime.now(UTC).date()
        for label, work in (
            ("invoices_table (all)", lambda: services.reports.invoices_table(InvoiceFilters())),
            ("overdue list", lambda: services.reports.overdue(today)),
            ("aging buckets", lambda: services.reports.aging(today)),
        ):
            best, median, result = timed(work, repeat)
            rows = len(result)  # type: ignore[arg-type]
            print(f"  {label:<22} best {best:6.2f} s   median {median:6.2f} s   ({rows} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    for count in arguments.sizes:
        run(count, arguments.repeat)


if __name__ == "__main__":
    main()
