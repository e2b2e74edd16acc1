"""Emulator throughput and latency at 10,000 and 100,000 objects in the store.

Run: ``python -m bench.emulator_bench [--sizes 10000 100000] [--iterations 200]``.

For each store size a fresh emulator (SQLite file, as ``make emulator`` runs it)
is filled directly (no HTTP), then every scenario is timed three ways:
HTTP round trip with a keep-alive client (p50 / p95, ms), sequential
throughput (requests/s), and server time (the backend use case alone inside
its unit of work, p50 ms — what the < 20 ms / < 10 ms targets are about).

Extending (the invoice bench does this): a module that calls
:func:`register_filler` and :func:`register_scenario` at import time, named in
``EXTENSION_MODULES``; it is imported if present.
"""

from __future__ import annotations

import argparse
import importlib
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stripe_emulator.backend import customers as customer_cases
from stripe_emulator.backend import prices as price_cases
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.embedded import RunningEmulator, start_emulator
from stripe_emulator.lib.context import RequestInfo, serving
from stripe_emulator.lib.ids import new_id
from stripe_emulator.models.customer import CUSTOMERS, new_customer
from stripe_emulator.models.price import PRICES, new_price
from stripe_emulator.models.product import PRODUCTS, new_product

EXTENSION_MODULES = ("bench.emulator_invoice_bench",)
API_KEY = "sk_test_bench"


@dataclass
class BenchContext:
    """What a scenario can use: the running emulator, an HTTP client, sample ids."""

    emulator: RunningEmulator
    http: httpx.Client
    size: int
    sample: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> EmulatorState:
        return self.emulator.state


@dataclass
class Scenario:
    """One operation to time.

    ``http(ctx)`` performs it over HTTP and returns the response; ``server(ctx)``
    (optional) performs the same use case in-process, for server time.
    """

    name: str
    http: Callable[[BenchContext], httpx.Response]
    server: Callable[[BenchContext], Any] | None = None
    iterations: int | None = None


#: ``filler(state, size, sample)`` puts ``size`` objects of a kind in the store.
Filler = Callable[[EmulatorState, int, dict[str, Any]], None]
FILLERS: list[Filler] = []
SCENARIOS: list[Scenario] = []


def register_filler(filler: Filler) -> Filler:
    FILLERS.append(filler)
    return filler


def register_scenario(scenario: Scenario) -> Scenario:
    SCENARIOS.append(scenario)
    return scenario


def in_unit_of_work(state: EmulatorState, work: Callable[[], Any]) -> Any:
    """Run ``work`` as the dispatcher would (one unit of work, a request recorded)."""
    with serving(RequestInfo("req_bench", None)), state.store.transaction():
        return work()


# -- core fillers ------------------------------------------------------------------------------
@register_filler
def fill_customers(state: EmulatorState, size: int, sample: dict[str, Any]) -> None:
    now = int(time.time()) - size
    batch = []
    for n in range(size):
        customer = new_customer(customer_id=new_id("cus"), created=now + n,
                                invoice_prefix=secrets.token_hex(5).upper(), test_clock=None)
        customer.update(email=f"client{n}@bench.test", name=f"Client {n}",
                        metadata={"segment": f"s{n % 50}"})
        batch.append(customer)
    state.store.insert_many(CUSTOMERS, batch)
    middle = batch[size // 2]
    sample.update(customer=middle["id"], email=middle["email"])


@register_filler
def fill_catalog(state: EmulatorState, size: int, sample: dict[str, Any]) -> None:
    """``size`` prices over ``size / 10`` products, one in seven archived."""
    now = int(time.time()) - size
    products = [new_product(product_id=new_id("prod"), created=now + n, name=f"Service {n}",
                            product_type="service") for n in range(max(size // 10, 1))]
    state.store.insert_many(PRODUCTS, products)
    prices = []
    for n in range(size):
        price = new_price(price_id=new_id("price"), created=now + n, currency="usd",
                          product=products[n % len(products)]["id"],
                          unit_amount_decimal=str(100 + n), recurring=None)
        price["active"] = n % 7 != 0
        prices.append(price)
    state.store.insert_many(PRICES, prices)
    sample["product"] = products[len(products) // 2]["id"]


# -- core scenarios ----------------------------------------------------------------------------
register_scenario(Scenario(
    "create customer",
    http=lambda c: c.http.post("/v1/customers", data={"email": "new@bench.test",
                                                       "name": "New client"}),
    server=lambda c: customer_cases.create_customer(c.state, {"email": "n@bench.test"}),
))
register_scenario(Scenario(
    "list customers by email",
    http=lambda c: c.http.get("/v1/customers", params={"email": c.sample["email"]}),
    server=lambda c: customer_cases.list_customers(c.state, {"email": c.sample["email"]},
                                                   "/v1/customers"),
))
register_scenario(Scenario(
    "list customers (newest 10)",
    http=lambda c: c.http.get("/v1/customers"),
    server=lambda c: customer_cases.list_customers(c.state, {}, "/v1/customers"),
))
register_scenario(Scenario(
    "list prices by product, active",
    http=lambda c: c.http.get("/v1/prices", params={"product": c.sample["product"],
                                                    "active": "true"}),
    server=lambda c: price_cases.list_prices(c.state, {"product": c.sample["product"],
                                                       "active": True}, "/v1/prices"),
))
register_scenario(Scenario(
    "list prices by status (active=false)",
    http=lambda c: c.http.get("/v1/prices", params={"active": "false", "limit": "100"}),
    server=lambda c: price_cases.list_prices(c.state, {"active": False, "limit": 100},
                                             "/v1/prices"),
))
register_scenario(Scenario(
    "search customer by email",
    http=lambda c: c.http.get("/v1/customers/search",
                              params={"query": f"email:'{c.sample['email']}'"}),
    server=lambda c: customer_cases.search_customers(
        c.state, {"query": f"email:'{c.sample['email']}'"}, "/v1/customers/search"),
))


# -- running -----------------------------------------------------------------------------------
def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def _time_http(ctx: BenchContext, scenario: Scenario, iterations: int) -> tuple[float, ...]:
    latencies = []
    started = time.perf_counter()
    for _ in range(iterations):
        begin = time.perf_counter()
        answer = scenario.http(ctx)
        latencies.append((time.perf_counter() - begin) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{scenario.name}: HTTP {answer.status_code} {answer.text}")
    if answer.json().get("data") == []:  # a list that finds nothing measures nothing
        raise RuntimeError(f"{scenario.name}: the query matched no object")
    elapsed = time.perf_counter() - started
    return _percentile(latencies, 0.5), _percentile(latencies, 0.95), iterations / elapsed


def _time_server(ctx: BenchContext, scenario: Scenario, iterations: int) -> float | None:
    if scenario.server is None:
        return None
    timings = []
    for _ in range(iterations):
        begin = time.perf_counter()
        in_unit_of_work(ctx.state, lambda: scenario.server(ctx))  # type: ignore[misc]
        timings.append((time.perf_counter() - begin) * 1000)
    return statistics.median(timings)


def _concurrent_creates(ctx: BenchContext, threads: int, per_thread: int) -> float:
    def worker(_: int) -> None:
        with httpx.Client(base_url=ctx.emulator.base_url,
                          headers={"Authorization": f"Bearer {API_KEY}"}) as client:
            for _ in range(per_thread):
                client.post("/v1/customers", data={"name": "Concurrent"}).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(worker, range(threads)))
    return threads * per_thread / (time.perf_counter() - started)


def run_size(size: int, iterations: int, workdir: Path) -> None:
    db = workdir / f"bench-{size}.sqlite3"
    emulator = start_emulator(db)
    try:
        sample: dict[str, Any] = {}
        fill_started = time.perf_counter()
        for filler in FILLERS:
            filler(emulator.state, size, sample)
        fill_seconds = time.perf_counter() - fill_started
        print(f"\n== {size:,} objects per resource in the store (filled in {fill_seconds:.1f} s)")
        print(f"{'scenario':42} {'http p50':>9} {'http p95':>9} {'req/s':>8} {'server p50':>11}")
        with httpx.Client(base_url=emulator.base_url,
                          headers={"Authorization": f"Bearer {API_KEY}"}) as http:
            ctx = BenchContext(emulator, http, size, sample)
            for scenario in SCENARIOS:
                count = scenario.iterations or iterations
                scenario.http(ctx)  # warm-up
                p50, p95, rate = _time_http(ctx, scenario, count)
                server = _time_server(ctx, scenario, count)
                shown = f"{server:9.2f}ms" if server is not None else f"{'-':>11}"
                print(f"{scenario.name:42} {p50:7.2f}ms {p95:7.2f}ms {rate:8.0f} {shown}")
            rate = _concurrent_creates(ctx, threads=4, per_thread=max(iterations // 4, 10))
            print(f"{'create customer, 4 concurrent clients':42} {'':>9} {'':>9} {rate:8.0f}")
    finally:
        emulator.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.emulator_bench")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args(argv)
    for module in EXTENSION_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as missing:
            if missing.name != module:
                raise
    with tempfile.TemporaryDirectory() as workdir:
        for size in args.sizes:
            run_size(size, args.iterations, Path(workdir))


if __name__ == "__main__":
    main()
