"""Fixtures for the payment-events tests: a SQLite file database, the service,
and a real uvicorn server on a free port serving the webhook route."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import Engine
from starlette.applications import Starlette

from services.core.database import make_engine
from services.payments.events import PaymentEvents
from services.payments.tables import payment_events  # noqa: F401  (declares the tables)
from tests.events.factories import SECRET
from ui.http_routes import webhook_route


@pytest.fixture
def engine(app_database_url: str) -> Iterator[Engine]:
    engine = make_engine(app_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def events(engine: Engine) -> Iterator[PaymentEvents]:
    service = PaymentEvents(engine, None, SECRET)
    yield service
    service.close()


class LiveServer:
    """A uvicorn server in a thread; ``url`` is its base URL."""

    def __init__(self, app: Starlette) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()


@pytest.fixture
def live_webhook(events: PaymentEvents) -> Iterator[LiveServer]:
    server = LiveServer(Starlette(routes=[webhook_route(lambda: events)])).start()
    yield server
    server.stop()
