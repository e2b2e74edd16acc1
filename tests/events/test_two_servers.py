"""Two real dashboard servers on one app database: every event handled once, every email sent once.

Both servers (``streamlit run app.py``, started by ``scripts/launcher.py``) share the
app database of this run (PostgreSQL with ``--app-database=postgresql``, else one
SQLite file), one webhook secret and one SMTP server. 100 signed ``invoice.paid``
events are delivered concurrently, half to each server, and then again to the other
server at the same time: each event must make one sale and send one email, whichever
server received it first, and exactly one delivery of each is answered as new.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import bcrypt
import httpx
import pytest
import yaml

from scripts.launcher import dashboard_server
from services.core.database import make_engine
from services.payments.events import PaymentEvents
from tests.events import factories as f
from tests.events.smtp_sink import SmtpSink

EVENTS = 100


@pytest.fixture
def two_servers(
    tmp_path: Path, app_database_url: str, fresh_emulator
) -> Iterator[tuple[list[str], SmtpSink]]:  # type: ignore[no-untyped-def]
    emulator = fresh_emulator()  # the servers look invoices up there (unknown ones: None)
    users = tmp_path / "users.yaml"
    password = bcrypt.hashpw(b"admin-two-servers-1", bcrypt.gensalt(4)).decode()
    users.write_text(yaml.safe_dump({"credentials": {"usernames": {"ada": {
        "name": "Ada", "email": "ada@example.com", "roles": ["admin"], "password": password,
    }}}}))  # fmt: skip
    with SmtpSink() as sink, ExitStack() as servers:
        env = {
            "STRIPE_API_KEY": "sk_test_emulator",
            "STRIPE_API_BASE": emulator.base_url,
            "STRIPE_WEBHOOK_SECRET": f.SECRET,
            "DATABASE_URL": app_database_url,
            "SMTP_URL": sink.url,
            "LOGIN_USERS_FILE": str(users),
            "LOGIN_COOKIE_KEY": "k" * 64,
            "LOAD_DEMO_DATA": "0",
        }
        urls = [
            servers.enter_context(
                dashboard_server(
                    {**env, "DASHBOARD_DATA_DIR": str(tmp_path / f"data{n}")},
                    log_path=tmp_path / f"server{n}.log",
                    timeout=90,
                )
            )
            for n in (1, 2)
        ]
        yield urls, sink


def _deliver(url: str, body: str) -> tuple[int, bool]:
    headers = {"Stripe-Signature": f.sign(body), "Content-Type": "application/json"}
    with httpx.Client(timeout=30) as http:
        answer = http.post(f"{url}/webhooks/stripe", content=body, headers=headers)
    return answer.status_code, bool(answer.json().get("duplicate"))


def _wait_for(check, timeout: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_events_spread_over_two_servers_are_handled_once_and_mailed_once(
    two_servers: tuple[list[str], SmtpSink], app_database_url: str
) -> None:
    (first, second), sink = two_servers
    now = int(time.time())
    events = [
        f.paid(f"in_two{n:04d}", created=now, email=f"customer{n}@example.com")
        for n in range(EVENTS)
    ]
    deliveries = []  # (server, event index): half to each, then each again to the other
    for n in range(EVENTS):
        to, other = (first, second) if n % 2 == 0 else (second, first)
        deliveries += [(to, n), (other, n)]
    answers: dict[int, list[bool]] = {n: [] for n in range(EVENTS)}
    lock = threading.Lock()

    def deliver(delivery: tuple[str, int]) -> int:
        url, n = delivery
        status, duplicate = _deliver(url, f.body_of(events[n]))
        with lock:
            answers[n].append(duplicate)
        return status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(deliver, deliveries))

    assert statuses == [200] * (2 * EVENTS)
    assert all(sorted(seen) == [False, True] for seen in answers.values())  # one new each
    assert _wait_for(lambda: len(sink.messages) >= EVENTS)
    time.sleep(1.0)  # a second send of any message would arrive within this
    recipients = sorted(str(message["To"]) for message in sink.messages)
    assert recipients == sorted(f"customer{n}@example.com" for n in range(EVENTS))

    reader = PaymentEvents(make_engine(app_database_url), None, f.SECRET)
    try:
        activity = reader.activity(limit=1000)
        assert len(activity) == EVENTS
        assert set(activity["outcome"]) == {"handled"}
        assert len(reader.fulfilments(limit=1000)) == EVENTS
        assert set(reader.outbox(limit=1000)["status"]) == {"sent"}
    finally:
        reader.close()
