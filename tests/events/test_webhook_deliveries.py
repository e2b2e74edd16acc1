"""Deliveries to POST /webhooks/stripe: only correctly signed, fresh events are recorded,
each once, and the handling happens after the answer."""

from __future__ import annotations

import time
import warnings

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings():  # starlette 1.10 prefers httpx2 but works with httpx
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from services.payments.events import PaymentEvents
from tests.events import factories as f
from ui.http_routes import webhook_route


@pytest.fixture
def client(events: PaymentEvents):
    with TestClient(Starlette(routes=[webhook_route(lambda: events)])) as client:
        yield client


def _post(client: TestClient, body: str, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post("/webhooks/stripe", content=body.encode(), headers=headers)


def test_signed_delivery_is_recorded_and_handled(client, events: PaymentEvents):
    evt = f.paid("in_signed", created=int(time.time()))
    body = f.body_of(evt)

    response = _post(client, body, f.sign(body))

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    assert events.wait_until_idle(10)
    activity = events.activity()
    assert activity["event_id"].tolist() == [evt["id"]]
    assert activity["outcome"].tolist() == ["handled"]
    assert activity["source"].tolist() == ["webhook"]
    assert events.fulfilments()["invoice_id"].tolist() == ["in_signed"]


@pytest.mark.parametrize(
    ("case", "make_signature", "tamper"),
    [
        ("missing", lambda body: None, False),
        ("empty", lambda body: "", False),
        ("malformed", lambda body: "this is not a signature", False),
        ("no v1 scheme", lambda body: f.sign(body).replace("v1=", "v0="), False),
        ("wrong secret", lambda body: f.sign(body, "whsec_someone_else"), False),
        ("stale", lambda body: f.sign(body, timestamp=int(time.time()) - 301), False),
        ("dated an hour ahead", lambda body: f.sign(body, timestamp=int(time.time()) + 3600),
         False),
        ("tampered body", lambda body: f.sign(body), True),
    ],
)
def test_bad_signature_answers_400_and_records_nothing(
    client, events: PaymentEvents, case, make_signature, tamper
):
    evt = f.paid("in_forged", created=int(time.time()))
    body = f.body_of(evt)
    signature = make_signature(body)
    if tamper:  # signed for one amount, delivered with another
        body = body.replace('"amount_paid": 12345', '"amount_paid": 1')

    response = _post(client, body, signature)

    assert response.status_code == 400, case
    assert "Stripe-Signature" in response.json()["error"]["message"]
    assert events.activity().empty
    assert events.fulfilments().empty


def test_signature_within_tolerance_is_accepted(client, events: PaymentEvents):
    body = f.body_of(f.paid("in_late", created=int(time.time()) - 250))

    response = _post(client, body, f.sign(body, timestamp=int(time.time()) - 250))

    assert response.status_code == 200


def test_replay_answers_200_and_does_nothing_more(client, events: PaymentEvents):
    evt = f.paid("in_replayed", created=int(time.time()))
    body = f.body_of(evt)
    assert _post(client, body, f.sign(body)).status_code == 200
    assert events.wait_until_idle(10)

    replays = [_post(client, body, f.sign(body)) for _ in range(3)]

    assert [r.status_code for r in replays] == [200, 200, 200]
    assert all(r.json()["duplicate"] for r in replays)
    assert events.wait_until_idle(10)
    assert len(events.activity()) == 1
    assert len(events.fulfilments()) == 1
    assert len(events.outbox()) == 1


def test_signed_body_that_is_not_an_event_is_refused(client, events: PaymentEvents):
    body = '{"object": "customer", "id": "cus_1"}'

    response = _post(client, body, f.sign(body))

    assert response.status_code == 400
    assert events.activity().empty


def test_signed_body_that_is_not_json_is_refused(client, events: PaymentEvents):
    body = "not json at all"

    assert _post(client, body, f.sign(body)).status_code == 400
    assert events.activity().empty


def test_without_a_configured_secret_deliveries_are_refused_for_a_retry(engine):
    service = PaymentEvents(engine, None, None)
    body = f.body_of(f.paid("in_nosecret", created=int(time.time())))
    with TestClient(Starlette(routes=[webhook_route(lambda: service)])) as client:
        response = _post(client, body, f.sign(body))
    assert response.status_code == 503  # Stripe retries 5xx, so nothing is lost
    assert service.activity().empty


def test_get_is_not_allowed(client):
    assert client.get("/webhooks/stripe").status_code == 405


def test_other_event_types_are_recorded_as_ignored(client, events: PaymentEvents):
    evt = f.event("customer.created", {"id": "cus_new", "object": "customer"},
                  created=int(time.time()))
    body = f.body_of(evt)

    assert _post(client, body, f.sign(body)).status_code == 200
    assert events.wait_until_idle(10)
    row = events.activity().iloc[0]
    assert row["outcome"] == "ignored"
    assert "Not a payment event" in row["summary"]


def test_a_database_failure_answers_500_so_stripe_delivers_again(client, events, engine):
    from services.payments.tables import payment_events

    payment_events.drop(engine)  # the app database is broken
    body = f.body_of(f.paid("in_dbdown", created=int(time.time())))

    response = _post(client, body, f.sign(body))

    assert response.status_code == 500
    assert "deliver it again" in response.json()["error"]["message"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, events: PaymentEvents):
    from services.payments.webhook import MAX_BODY_BYTES

    huge = "x" * (MAX_BODY_BYTES + 1)
    declared = _post(client, huge, f.sign(huge))
    assert declared.status_code == 413

    def chunks():  # no Content-Length: the server must stop reading at the limit
        for _ in range(MAX_BODY_BYTES // 65_536 + 2):
            yield b"y" * 65_536

    streamed = client.post("/webhooks/stripe", content=chunks(),
                           headers={"Stripe-Signature": "t=1,v1=0"})
    assert streamed.status_code == 413
    assert events.activity().empty


def test_a_body_just_under_the_limit_is_still_checked_normally(client, events: PaymentEvents):
    from services.payments.webhook import MAX_BODY_BYTES

    evt = f.paid("in_big", created=int(time.time()))
    evt["data"]["object"]["description"] = "z" * (MAX_BODY_BYTES - 20_000)
    body = f.body_of(evt)
    assert _post(client, body, f.sign(body)).status_code == 200
