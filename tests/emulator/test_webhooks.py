"""Webhook endpoints and signed deliveries, verified with ``stripe.Webhook.construct_event``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from tests.conftest import client_for
from tests.emulator.helpers import events_about, wait_for


class Receiver:
    """A local HTTP receiver answering the statuses queued in ``answers`` (then 200)."""

    def __init__(self, answers: list[int], gate: threading.Event | None = None) -> None:
        self.answers = list(answers)
        self.gate = gate
        self.received: list[tuple[int, bytes, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.gate is not None:
                    receiver.gate.wait(timeout=10)
                status = receiver.answers.pop(0) if receiver.answers else 200
                receiver.received.append((status, body, self.headers["Stripe-Signature"]))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made: list[Receiver] = []

    def start(answers: list[int], gate: threading.Event | None = None) -> Receiver:
        made.append(Receiver(answers, gate))
        return made[-1]

    yield start
    for item in made:
        item.close()


def test_endpoint_lifecycle_and_secret_shown_once(stripe_client):
    made = stripe_client.v1.webhook_endpoints.create(
        {"url": "https://example.test/hook", "enabled_events": ["invoice.paid"],
         "description": "finance", "metadata": {"team": "ar"}})
    assert made.secret.startswith("whsec_") and made.id.startswith("we_")
    assert made.status == "enabled" and made.enabled_events == ["invoice.paid"]
    fetched = stripe_client.v1.webhook_endpoints.retrieve(made.id).to_dict()
    assert "secret" not in fetched
    assert set(fetched) == {"id", "object", "api_version", "application", "created",
                            "description", "enabled_events", "livemode", "metadata", "status",
                            "url"}
    updated = stripe_client.v1.webhook_endpoints.update(
        made.id, {"enabled_events": ["*"], "disabled": True})
    assert (updated.enabled_events, updated.status) == (["*"], "disabled")
    listed = stripe_client.v1.webhook_endpoints.list({"limit": 100}).data
    assert made.id in {e.id for e in listed}
    assert stripe_client.v1.webhook_endpoints.delete(made.id).deleted is True
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.webhook_endpoints.retrieve(made.id)
    assert caught.value.http_status == 404


def test_endpoint_refusals(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.webhook_endpoints.create({"url": "https://x.test"})
    assert (caught.value.code, caught.value.param) == ("parameter_missing", "enabled_events")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.webhook_endpoints.create({"url": "ftp://x", "enabled_events": ["*"]})
    assert caught.value.param == "url"


def test_events_are_delivered_signed_and_retried_after_a_failure(fresh_emulator, receiver):
    emulator = fresh_emulator(webhook_retry_base_seconds=0.1)
    client = client_for(emulator)
    hook = receiver([500])
    endpoint = client.v1.webhook_endpoints.create(
        {"url": hook.url, "enabled_events": ["customer.created"]})
    customer = client.v1.customers.create({"name": "Hooked"})
    client.v1.products.create({"name": "Not subscribed"})
    wait_for(lambda: len(hook.received) >= 2)
    (first_status, first_body, _), (second_status, body, header) = hook.received[:2]
    assert (first_status, second_status) == (500, 200)
    assert first_body == body
    event = stripe.Webhook.construct_event(body, header, endpoint.secret)
    assert event.type == "customer.created"
    assert event.data.object.id == customer.id
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, "whsec_wrong")
    stored = events_about(client, customer.id, "customer.created")[0]
    assert stored.id == event.id
    wait_for(lambda: client.v1.events.retrieve(event.id).pending_webhooks == 0)
    deliveries = emulator.state.webhooks.deliveries_of(event.id)
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("succeeded", 2)]
    assert len(hook.received) == 2  # the product event did not match
    delivered = client.v1.events.list({"delivery_success": True, "limit": 100}).data
    assert event.id in {e.id for e in delivered}
    assert event.id not in {e.id for e in client.v1.events.list(
        {"delivery_success": False, "limit": 100}).data}


def test_delivery_never_delays_the_api_call(fresh_emulator, receiver):
    emulator = fresh_emulator()
    client = client_for(emulator)
    gate = threading.Event()
    hook = receiver([], gate)
    client.v1.webhook_endpoints.create({"url": hook.url, "enabled_events": ["*"]})
    first = client.v1.customers.create({"name": "Fast"})
    second = client.v1.customers.create({"name": "Still fast"})  # receiver still blocked
    assert not gate.is_set()
    assert client.v1.customers.retrieve(second.id).name == "Still fast"
    assert events_about(client, first.id, "customer.created")[0].pending_webhooks == 1
    pending = client.v1.events.list({"delivery_success": False, "type": "customer.created"})
    assert {first.id, second.id} <= {e.data.object.id for e in pending.data}
    gate.set()
    wait_for(lambda: len(hook.received) == 2)
