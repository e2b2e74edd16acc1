"""Events handled per second through the real webhook endpoint.

``python -m bench.events_bench [--events 2000] [--concurrency 16]``

Starts uvicorn in a separate process serving ``POST /webhooks/stripe`` (the same
Route the dashboard mounts) over a SQLite file database, then sends signed
deliveries over HTTP from this process: a mix of ``invoice.paid`` (sale + email),
``invoice.payment_failed`` (to-do + email), ``payment_intent.processing`` and
``invoice.payment_succeeded``, plus one replay in ten. The figure is events handled
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
from pathlib import Path

import stripe
from sqlalchemy import create_engine, func, select

from scripts.launcher import free_port
from services.payments.tables import payment_events

SECRET = "whsec_bench_secret"


def serve(database_path: str, port: int) -> None:
    """Server mode (child process): the webhook route on uvicorn."""
    import uvicorn
    from starlette.applications import Starlette

    from services.core.database import make_engine
    from services.payments.events import PaymentEvents
    from ui.http_routes import webhook_route

    events = PaymentEvents(make_engine(f"sqlite:///{database_path}"), None, SECRET)
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


async def _send_all(port: int, bodies: list[str], concurrency: int) -> list[float]:
    """POST every body over ``concurrency`` keep-alive connections; return latencies.

    A bare asyncio HTTP/1.1 client: the sender must cost far less CPU than the server
    it measures (a full client library used more CPU than the server on 2 cores).
    """
    latencies: list[float] = []
    pending = list(reversed(bodies))

    async def sender() -> None:
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

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serve", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return

    with tempfile.TemporaryDirectory(prefix="events-bench-") as workdir:
        _run(Path(workdir) / "app.sqlite3", args.events, args.concurrency)


def _run(database: Path, count: int, concurrency: int) -> None:
    """Serve, send, wait until handled, print the figures."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.events_bench", "--serve", str(database), str(port)]
    )
    engine = create_engine(f"sqlite:///{database}")
    try:
        _wait_until_listening(port)
        events = _events(count)
        bodies = [json.dumps(event) for event in events]
        bodies += bodies[:: 10]  # replays: answered 200, handled never again

        started = time.perf_counter()
        latencies = asyncio.run(_send_all(port, bodies, concurrency))
        accepted = time.perf_counter() - started
        done_query = select(func.count()).where(payment_events.c.outcome == "handled")
        while True:
            with engine.connect() as conn:
                handled = conn.execute(done_query).scalar_one()
            if handled >= count or time.perf_counter() - started > 300:
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        server_cpu = _cpu_seconds(server.pid)
        client_cpu = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        server.terminate()
        server.wait(10)
        engine.dispose()
    latencies.sort()
    print(f"deliveries sent:   {len(bodies)} ({count} events + {len(bodies) - count}"
          f" replays), concurrency {concurrency}")
    print(f"answered in:       {accepted:.2f} s ({len(bodies) / accepted:.0f} deliveries/s); "
          f"latency p50 {statistics.median(latencies) * 1000:.1f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms")
    print(f"events handled:    {handled} in {elapsed:.2f} s")
    print(f"CPU used:          server {server_cpu:.1f} s "
          f"({server_cpu / handled * 1000:.2f} ms per event), "
          f"sending client {client_cpu.ru_utime + client_cpu.ru_stime:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"EVENTS HANDLED PER SECOND: {handled / elapsed:.0f}  (target 200/s)")


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
