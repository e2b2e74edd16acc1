"""Services leave no thread behind: reading Stripe starts none for pacing, and ``close``
stops the payment-event worker (tests and each dashboard process build services often)."""

from __future__ import annotations

import threading

from services.core.idempotency import new_form_nonce
from tests.services.conftest import ADMIN, services_for, unique


def _threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.is_alive()}


def test_services_start_no_pacing_thread_and_close_stops_the_rest(
    emulator, app_database_url: str
) -> None:  # type: ignore[no-untyped-def]
    before = _threads()
    services = services_for(emulator.base_url, app_database_url)  # reads Stripe's events
    customer = services.customers.create(
        ADMIN, name=unique("Closing Ltd"), email="close@example.com", description=None,
        address=None,
        form_nonce=new_form_nonce(),
    )  # fmt: skip
    assert services.read_model.refresh("customer", customer.id).obj is not None  # paced read
    assert services.read_model.requests >= 2
    event = {"id": f"evt_{customer.id}", "object": "event", "type": "customer.updated",
             "created": 1, "livemode": False,
             "data": {"object": {"id": customer.id, "object": "customer"}}}
    assert services.events.record(event, source="test")
    services.events.submit(event["id"], event)  # handled on the worker thread
    assert services.events.wait_until_idle(timeout=30)
    # The in-process emulator's server may start its own request threads (AnyIO's).
    started = {t for t in _threads() - before if not t.name.startswith("AnyIO worker")}
    assert [thread.name for thread in started] == ["payment-events-worker"]
    services.close()
    left = {thread for thread in started if thread.is_alive()}
    assert left == set(), left
    services.close()  # twice is harmless
