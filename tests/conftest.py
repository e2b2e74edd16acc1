"""Shared fixtures: a running Stripe emulator and an SDK client pointed at it.

* ``emulator`` — one in-memory emulator for the whole session (settlement delay
  0.2 s, webhook retries from 0.2 s). Tests share it: never assume an empty
  store; filter by the customer/product you created.
* ``stripe_client`` — ``stripe.StripeClient`` on that emulator, no retries.
* ``fresh_emulator`` — factory for an isolated emulator
  (``fresh_emulator(db_path=None, **options)``), stopped after the test.
* ``app_database_url`` / ``app_database_factory`` — a new app database per test,
  SQLite or PostgreSQL (``--app-database``; see ``tests/app_database.py``);
  ``empty_database_url`` — one with no table yet, for tests of migrations.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import stripe  # noqa: E402

from stripe_emulator.embedded import RunningEmulator, start_emulator  # noqa: E402
from tests import app_database  # noqa: E402
from tests.app_database import (  # noqa: E402, F401  (fixtures for every test folder)
    app_database_factory,
    app_database_kind,
    app_database_url,
    empty_database_url,
    migrated_sqlite_file,
    postgres_schemas,
    postgres_server_url,
)

TEST_API_KEY = "sk_test_emulator"


def pytest_addoption(parser: pytest.Parser) -> None:
    app_database.add_option(parser)


def pytest_report_header(config: pytest.Config) -> str:
    return app_database.report_header(config)

FAST_SETTLEMENT_SECONDS = 0.2
FAST_WEBHOOK_RETRY_SECONDS = 0.2


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    with start_emulator(settlement_delay_seconds=FAST_SETTLEMENT_SECONDS,
                        webhook_retry_base_seconds=FAST_WEBHOOK_RETRY_SECONDS) as running:
        yield running


def client_for(running: RunningEmulator, api_key: str = TEST_API_KEY) -> stripe.StripeClient:
    """A Stripe SDK client talking to ``running`` (no automatic retries)."""
    return stripe.StripeClient(api_key, base_addresses={"api": running.base_url},
                               max_network_retries=0)


@pytest.fixture
def stripe_client(emulator: RunningEmulator) -> stripe.StripeClient:
    return client_for(emulator)


@pytest.fixture
def fresh_emulator() -> Iterator[Callable[..., RunningEmulator]]:
    started: list[RunningEmulator] = []

    def start(db_path: str | Path | None = None, **options: Any) -> RunningEmulator:
        options.setdefault("settlement_delay_seconds", FAST_SETTLEMENT_SECONDS)
        options.setdefault("webhook_retry_base_seconds", FAST_WEBHOOK_RETRY_SECONDS)
        running = start_emulator(db_path, **options)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
