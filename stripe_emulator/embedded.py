"""Run the emulator inside this process (the dashboard and the test fixtures use this).

    from stripe_emulator.embedded import start_emulator
    with start_emulator() as emu:          # in-memory; or start_emulator("data/emu.sqlite3")
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": emu.base_url})

uvicorn serves in a background thread; ``start_emulator`` returns once the
server answers, ``stop()`` shuts it and its workers down cleanly.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import uvicorn

from stripe_emulator.app import create_app
from stripe_emulator.backend.registry import open_state
from stripe_emulator.backend.state import EmulatorState, Settings
from stripe_emulator.lib.scheduler import WorkHandler
from stripe_emulator.lib.throttle import RateLimitSpec, Throttle

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_SECONDS = 15.0


class RunningEmulator:
    """A started emulator: ``base_url``, ``state`` (for tests and benches), ``stop()``;
    ``throttle`` holds its latency and rate limit (``throttle.refused``: 429s so far)."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread,
                 state: EmulatorState, host: str, port: int,
                 throttle: Throttle | None = None) -> None:
        self._server = server
        self._thread = thread
        self.state = state
        self.throttle = throttle if throttle is not None else Throttle()
        self.host = host
        self.port = port
        self.base_url = f"http://{host}:{port}"
        self._stopped = False

    def stop(self) -> None:
        """Stop serving, stop the workers, close the database (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.state.stop()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _free_socket(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    # and without it every answer waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def _port_file(db_path: str | os.PathLike[str] | None) -> Path | None:
    """Where a file-backed emulator remembers its port: its objects' URLs (hosted
    invoice pages, PDFs) name it, so a restart must answer on the same one."""
    return None if db_path is None else Path(f"{os.fspath(db_path)}.port")


def _bind_remembered(host: str, db_path: str | os.PathLike[str] | None) -> socket.socket:
    """A socket on the port this state file used before, or a free one (remembered)."""
    remembered = _port_file(db_path)
    sock: socket.socket | None = None
    if remembered is not None and remembered.exists():
        text = remembered.read_text(encoding="utf-8").strip()
        if text.isdigit():
            try:
                sock = _free_socket(host, int(text))
            except OSError:  # taken by something else: older links will not open
                log.warning("emulator port %s is taken; using another one", text)
    if sock is None:
        sock = _free_socket(host, 0)
    if remembered is not None:
        remembered.write_text(str(sock.getsockname()[1]), encoding="utf-8")
    return sock


def start_emulator(
    db_path: str | os.PathLike[str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    settlement_delay_seconds: float = 5.0,
    webhook_retry_base_seconds: float = 1.0,
    extra_jobs: Mapping[str, WorkHandler] | None = None,
    latency_ms: float = 0,
    rate_limit: RateLimitSpec = None,
) -> RunningEmulator:
    """Start an emulator in a background thread and return once it answers.

    ``db_path`` keeps state in that SQLite file (kept across restarts); ``None``
    keeps it in memory. ``port=0`` picks a free port, except that a file-backed
    emulator answers on the port it used last time (kept in ``<db_path>.port``) when it
    is free, so the hosted invoice and PDF URLs stored in its objects keep working.
    ``extra_jobs`` adds kinds of timed work (``kind -> handler(state, payload)``), for
    tests that schedule their own.
    ``latency_ms`` adds that many milliseconds to every answer; ``rate_limit`` applies
    Stripe's rate limiter: ``"test"`` (25 reads/s, 25 writes/s), ``"live"`` (100/100), or
    ``"READ,WRITE[,SEARCH]"`` / a number / a tuple / ``lib.throttle.RateLimits``
    (search: 20/s unless given). Both off by default.
    """
    throttle = Throttle(latency_ms=latency_ms, rate_limit=rate_limit)  # ValueError first
    state = open_state(
        db_path,
        Settings(settlement_delay_seconds=settlement_delay_seconds,
                 webhook_retry_base_seconds=webhook_retry_base_seconds),
        extra_jobs=extra_jobs,
    )
    state.start()
    sock = _free_socket(host, port) if port or db_path is None else _bind_remembered(host, db_path)
    actual_port = sock.getsockname()[1]
    state.public_url = f"http://{host}:{actual_port}"
    config = uvicorn.Config(create_app(state, throttle), log_level="warning", access_log=False,
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"stripe-emulator-{actual_port}", daemon=True)
    thread.start()
    emulator = RunningEmulator(server, thread, state, host, actual_port, throttle)
    _wait_until_answering(emulator)
    return emulator


def _wait_until_answering(emulator: RunningEmulator) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{emulator.base_url}/v1/events", timeout=1):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return  # 401 without a key: the server is up
        except OSError:
            time.sleep(0.02)
    emulator.stop()
    raise RuntimeError(f"the Stripe emulator did not start on {emulator.base_url}")
