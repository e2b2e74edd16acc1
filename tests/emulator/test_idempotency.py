"""Idempotent POSTs: replay (errors included), mismatch, in-flight conflict."""

from __future__ import annotations

import httpx
import pytest
import stripe

from stripe_emulator.lib.errors import ConflictError
from stripe_emulator.lib.idempotency import Answer, IdempotencyLedger
from stripe_emulator.lib.storage import Store
from tests.emulator.helpers import tag

AUTH = {"Authorization": "Bearer sk_test_idem"}


def _post(emulator, path, key, data):
    return httpx.post(f"{emulator.base_url}{path}", headers={**AUTH, "Idempotency-Key": key},
                      data=data)


def test_same_key_same_params_replays_the_first_answer(emulator, stripe_client):
    key = tag()
    first = _post(emulator, "/v1/customers", key, {"name": "Once"})
    second = _post(emulator, "/v1/customers", key, {"name": "Once"})
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.headers["Original-Request"] == first.headers["Request-Id"]
    assert second.headers["Request-Id"] != first.headers["Request-Id"]
    assert "Idempotent-Replayed" not in first.headers


def test_sdk_retry_with_the_same_key_makes_one_object(stripe_client):
    key = tag()
    one = stripe_client.v1.products.create({"name": "Idem"}, {"idempotency_key": key})
    two = stripe_client.v1.products.create({"name": "Idem"}, {"idempotency_key": key})
    assert one.id == two.id
    assert two.last_response.headers["Idempotent-Replayed"] == "true"


def test_sdk_generated_keys_make_distinct_objects(stripe_client):
    assert stripe_client.v1.products.create({"name": "A"}).id != \
        stripe_client.v1.products.create({"name": "A"}).id


def test_same_key_other_params_is_an_idempotency_error(stripe_client):
    key = tag()
    stripe_client.v1.customers.create({"name": "First"}, {"idempotency_key": key})
    with pytest.raises(stripe.IdempotencyError) as caught:
        stripe_client.v1.customers.create({"name": "Second"}, {"idempotency_key": key})
    assert caught.value.http_status == 400
    assert caught.value.error.type == "idempotency_error"
    assert f"Try using a key other than '{key}'" in str(caught.value)


def test_errors_are_replayed_too(emulator, stripe_client):
    key, product_id = tag(), f"prod_{tag()}"
    body = {"currency": "usd", "unit_amount": "5", "product": product_id}
    first = _post(emulator, "/v1/prices", key, body)
    assert first.status_code == 400  # a missing referenced product: resource_missing
    stripe_client.v1.products.create({"name": "Late", "id": product_id})
    replay = _post(emulator, "/v1/prices", key, body)
    assert (replay.status_code, replay.json()) == (400, first.json())
    assert replay.headers["Idempotent-Replayed"] == "true"
    fresh = _post(emulator, "/v1/prices", tag(), body)
    assert fresh.status_code == 200


def test_parameter_validation_failures_are_not_saved(emulator):
    key = tag()
    refused = _post(emulator, "/v1/customers", key, {"colour": "red"})
    assert refused.status_code == 400
    accepted = _post(emulator, "/v1/customers", key, {"name": "Fixed"})
    assert accepted.status_code == 200


def test_keys_on_get_have_no_effect(emulator):
    headers = {**AUTH, "Idempotency-Key": tag()}
    first = httpx.get(f"{emulator.base_url}/v1/customers?limit=1", headers=headers)
    second = httpx.get(f"{emulator.base_url}/v1/customers?limit=2", headers=headers)
    assert (first.status_code, second.status_code) == (200, 200)


def test_a_key_still_in_flight_is_a_409(tmp_path):
    store = Store(tmp_path / "ledger.sqlite3")
    ledger = IdempotencyLedger(store)
    outcome = {}

    def work():
        with pytest.raises(ConflictError) as caught:
            ledger.run("k", "same", "req_2", lambda: Answer(200, {}, {}))
        outcome["code"] = (caught.value.http_status, caught.value.code)
        return Answer(200, {"ok": True}, {})

    assert ledger.run("k", "same", "req_1", work).body == {"ok": True}
    assert outcome["code"] == (409, "idempotency_key_in_use")
    store.close()


def test_409_reaches_the_sdk_as_an_api_error(emulator):
    ledger = emulator.state.idempotency
    key = tag()
    with ledger._guard:
        ledger._in_flight.add(key)
    try:
        answer = _post(emulator, "/v1/customers", key, {"name": "Busy"})
    finally:
        with ledger._guard:
            ledger._in_flight.discard(key)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "idempotency_key_in_use"
