"""The same event delivered many times at once, over real HTTP, is handled once."""

from __future__ import annotations

import threading
import time

import httpx

from services.payments.events import PaymentEvents
from tests.events import factories as f


def _deliver_concurrently(url: str, body: str, times: int) -> list[int]:
    barrier = threading.Barrier(times)
    statuses: list[int] = []
    lock = threading.Lock()

    def deliver() -> None:
        headers = {"Stripe-Signature": f.sign(body), "Content-Type": "application/json"}
        with httpx.Client(timeout=10) as http:
            barrier.wait()
            status = http.post(f"{url}/webhooks/stripe", content=body, headers=headers).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=deliver) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return statuses


def test_ten_concurrent_deliveries_of_one_paid_event_make_one_sale(live_webhook,
                                                                  events: PaymentEvents):
    evt = f.paid("in_concurrent", created=int(time.time()))

    statuses = _deliver_concurrently(live_webhook.url, f.body_of(evt), 10)

    assert statuses == [200] * 10
    assert events.wait_until_idle(10)
    assert events.activity()["outcome"].tolist() == ["handled"]
    assert events.fulfilments()["invoice_id"].tolist() == ["in_concurrent"]
    assert events.outbox()["subject"].tolist() == ["Payment received for invoice ADA-rent"]
    assert len(events.invoice_history("in_concurrent")) == 1


def test_ten_concurrent_deliveries_of_one_failure_queue_one_email(live_webhook,
                                                                 events: PaymentEvents):
    evt = f.payment_failed("in_concfail", created=int(time.time()))

    statuses = _deliver_concurrently(live_webhook.url, f.body_of(evt), 10)

    assert statuses == [200] * 10
    assert events.wait_until_idle(10)
    assert len(events.outbox()) == 1
    assert events.todo()["invoice_id"].tolist() == ["in_concfail"]


def test_the_endpoint_answers_before_the_handling(live_webhook, events: PaymentEvents,
                                                  monkeypatch):
    # Handling is held back until the test releases it: the answer must not wait for it.
    release = threading.Event()
    apply = events._handlers.apply

    def held_apply(*args, **kwargs):
        assert release.wait(20)
        return apply(*args, **kwargs)

    monkeypatch.setattr(events._handlers, "apply", held_apply)
    body = f.body_of(f.paid("in_answered_first", created=int(time.time())))

    with httpx.Client(timeout=10) as http:
        response = http.post(f"{live_webhook.url}/webhooks/stripe", content=body,
                             headers={"Stripe-Signature": f.sign(body)})

    assert response.status_code == 200
    assert events.activity()["outcome"].tolist() == ["received"]  # recorded, not yet handled
    assert events.fulfilments().empty
    release.set()
    assert events.wait_until_idle(10)
    assert events.activity()["outcome"].tolist() == ["handled"]
    assert len(events.fulfilments()) == 1
