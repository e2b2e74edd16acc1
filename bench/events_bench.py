"""Events handled per second through the real webhook endpoint, on SQLite and on PostgreSQL.

``python -m bench.events_bench [--events 2000] [--concurrency 16] [--databases sqlite postgresql]``

For each setup, side by side in one run: one server on a SQLite file (the default
database), one server on PostgreSQL, and two servers sharing that PostgreSQL (what a
team runs; deliveries alternate between them). Each server is uvicorn in its own
process serving ``POST /webhooks/stripe`` (the same route the dashboard mounts);
PostgreSQL is a throwaway cluster (``scripts/postgres_cluster.py``) unless
``TEST_DATABASE_URL`` names a server. This process sends signed deliveries over
HTTP: a mix of ``invoice.paid`` (sale + email), ``invoice.payment_failed`` (to-do +
email), ``payment_intent.processing`` and ``invoice.payment_succeeded``, plus one
replay in ten. The figure is events handled
(recorded, handler run, marked handled) per second from the first POST to the last
event handled, read from the database. Target: 200/s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import stripe
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from scripts.launcher import free_port
from scripts.postgres_cluster import throwaway_cluster
from services.core.database import database_url, make_engine
from services.payments.tables import payment_events

SECRET = "whsec_bench_secret"


def serve(database_url: str, port: int) -> None:
    """Server mode (child process): the webhook route on uvicorn."""
    import uvicorn
    from starlette.applications import Starlette

    from services.payments.events import PaymentEvents
    from ui.http_routes import webhook_route

    events = PaymentEvents(make_engine(database_url), None, SECRET)
    app = Starlette(routes=[webhook_route(lambda: events)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _events(count: int) -> list[dict]:
    now = int(time.time())
    made = []
    for i in range(count):
        invoice_id = f"in_bench{i:07d}"
        invoice = {
            "id": invoice_id, "object": "invoice", "number": f"BENCH-{i:04d}",
            "customer": f"cus_bench{i % 50}", "customer_email": f"buyer{i % 50}@example.com",
            "customer_name": "Bench Buyer", "currency": "usd", "amount_due": 1000 + i,
            "amount_paid": 0, "amount_remaining": 1000 + i, "attempted": True, "attempt_count": 1,
            "status": "open", "hosted_invoice_url": f"https://invoice.example/{invoice_id}",
            "status_transitions": {"paid_at": None},
        }
        kind = i % 4
        if kind == 0 or kind == 3:
            invoice.update(status="paid", amount_paid=1000 + i, amount_remaining=0)
            invoice["status_transitions"] = {"paid_at": now}
            event_type = "invoice.paid" if kind == 0 else "invoice.payment_succeeded"
            obj = invoice
        elif kind == 1:
            event_type, obj = "invoice.payment_failed", invoice
        else:
            event_type = "payment_intent.processing"
            obj = {"id": f"pi_bench{i:07d}", "object": "payment_intent", "amount": 1000 + i,
                   "currency": "usd", "status": "processing", "receipt_email": None,
                   "metadata": {"invoice": invoice_id}}
        made.append({"id": f"evt_bench{i:07d}", "object": "event", "type": event_type,
                     "created": now, "livemode": False, "data": {"object": obj}})
    return made


async def _send_all(ports: list[int], bodies: list[str], concurrency: int) -> list[float]:
    """POST every body over ``concurrency`` keep-alive connections; return latencies.

    Connection ``n`` goes to ``ports[n % len(ports)]``, so several servers share the load.

    A bare asyncio HTTP/1.1 client: the sender must cost far less CPU than the server
    it measures (a full client library used more CPU than the server on 2 cores).
    """
    latencies: list[float] = []
    pending = list(reversed(bodies))

    async def sender(port: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while pending:
                body = pending.pop().encode()
                header = stripe.WebhookSignature.generate_signature_header(body.decode(), SECRET)
                request = (
                    f"POST /webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    f"Content-Type: application/json\r\nStripe-Signature: {header}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode() + body
                started = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                answer = await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    raise RuntimeError(f"delivery refused: {status} {answer!r}")
        finally:
            writer.close()

    await asyncio.gather(*(sender(ports[n % len(ports)]) for n in range(concurrency)))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"),
                        default=["sqlite", "postgresql"])
    parser.add_argument("--serve", nargs=2, metavar=("DATABASE_URL", "PORT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return

    figures: list[tuple[str, float]] = []
    if "sqlite" in args.databases:
        with tempfile.TemporaryDirectory(prefix="events-bench-") as workdir:
            url = f"sqlite:///{Path(workdir) / 'app.sqlite3'}"
            figures.append(("SQLite, 1 server", _run(url, args.events, args.concurrency, 1)))
    if "postgresql" in args.databases:
        with _postgres() as server_url:
            for servers in (1, 2):
                url = _fresh_database(server_url, f"bench{servers}")
                label = f"PostgreSQL, {servers} server{'s' if servers > 1 else ''}"
                figures.append((label, _run(url, args.events, args.concurrency, servers)))
    print("\nEVENTS HANDLED PER SECOND, side by side (target 200/s):")
    for label, per_second in figures:
        print(f"  {label:<24} {per_second:7.0f}/s")


@contextmanager
def _postgres() -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    with throwaway_cluster() as url:
        yield url


def _fresh_database(server_url: str, name: str) -> str:
    """A new database ``name`` on the server (dropped first if a previous run left it)."""
    admin = create_engine(database_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_url(server_url).set(database=name).render_as_string(hide_password=False)


def _run(url: str, count: int, concurrency: int, servers: int) -> float:
    """Serve, send, wait until handled, print the figures; return events handled per second."""
    make_engine(url).dispose()  # migrate once, before the servers race to
    ports = [free_port() for _ in range(servers)]
    processes = [
        subprocess.Popen([sys.executable, "-m", "bench.events_bench", "--serve", url, str(port)])
        for port in ports
    ]
    engine = make_engine(url)
    try:
        for port in ports:
            _wait_until_listening(port)
        events = _events(count)
        bodies = [json.dumps(event) for event in events]
        bodies += bodies[:: 10]  # replays: answered 200, handled never again

        started = time.perf_counter()
        latencies = asyncio.run(_send_all(ports, bodies, concurrency))
        accepted = time.perf_counter() - started
        done_query = select(func.count()).where(payment_events.c.outcome == "handled")
        while True:
            with engine.connect() as conn:
                handled = conn.execute(done_query).scalar_one()
            if handled >= count or time.perf_counter() - started > 300:
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        server_cpu = sum(_cpu_seconds(process.pid) for process in processes)
        client_cpu = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        engine.dispose()
    latencies.sort()
    print(f"\n--- {make_url(url).get_backend_name()}, {servers} server(s) ---")
    print(f"deliveries sent:   {len(bodies)} ({count} events + {len(bodies) - count}"
          f" replays), concurrency {concurrency}")
    print(f"answered in:       {accepted:.2f} s ({len(bodies) / accepted:.0f} deliveries/s); "
          f"latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms")
    print(f"events handled:    {handled} in {elapsed:.2f} s")
    print(f"CPU used:          servers {server_cpu:.1f} s "
          f"({server_cpu / handled * 1000:.2f} ms per event), "
          f"sending client {client_cpu.ru_utime + client_cpu.ru_stime:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return handled / elapsed


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_until_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the bench server did not start")


if __name__ == "__main__":
    main()
