"""HTTP edge: authentication, request ids, unknown routes, form decoding, parameters."""

from __future__ import annotations

import base64

import httpx
import pytest
import stripe

from tests.conftest import client_for


def test_every_answer_carries_a_request_id_and_the_version(emulator):
    answer = httpx.get(f"{emulator.base_url}/v1/customers",
                       headers={"Authorization": "Bearer sk_test_abc",
                                "Stripe-Version": "2026-10-28.endive"})
    assert answer.status_code == 200
    assert answer.headers["Request-Id"].startswith("req_")
    assert answer.headers["Stripe-Version"] == "2026-10-28.endive"
    refused = httpx.get(f"{emulator.base_url}/v1/customers")
    assert refused.headers["Request-Id"].startswith("req_")


def test_missing_key_is_refused_with_401(emulator):
    answer = httpx.get(f"{emulator.base_url}/v1/customers")
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_live_or_malformed_key_is_refused_naming_the_redacted_key(emulator):
    with pytest.raises(stripe.AuthenticationError) as caught:
        client_for(emulator, "sk_live_0123456789abcd").v1.customers.list()
    assert caught.value.http_status == 401
    assert "Invalid API Key provided: sk_live_****abcd" in str(caught.value)


def test_basic_auth_with_the_key_as_user_is_accepted(emulator):
    token = base64.b64encode(b"sk_test_basic:").decode()
    answer = httpx.get(f"{emulator.base_url}/v1/customers",
                       headers={"Authorization": f"Basic {token}"})
    assert answer.status_code == 200


def test_unknown_url_is_a_404_invalid_request(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.raw_request("get", "/v1/not_a_resource")
    assert caught.value.http_status == 404
    assert "Unrecognized request URL" in str(caught.value)


def test_curl_style_brackets_decode_like_the_sdk_encoding(emulator):
    answer = httpx.post(
        f"{emulator.base_url}/v1/customers",
        headers={"Authorization": "Bearer sk_test_curl"},
        content="name=Curl+Co&metadata[team]=finance&preferred_locales[]=fr&preferred_locales[]=en"
                "&invoice_settings[custom_fields][0][name]=PO&invoice_settings[custom_fields][0]"
                "[value]=42&expand[]=test_clock",
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["metadata"] == {"team": "finance"}
    assert body["preferred_locales"] == ["fr", "en"]
    assert body["invoice_settings"]["custom_fields"] == [{"name": "PO", "value": "42"}]


def test_unknown_nested_parameter_is_named_with_brackets(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.create({"address": {"foo": "x"}})
    assert caught.value.http_status == 400
    assert caught.value.code == "parameter_unknown"
    assert caught.value.param == "address[foo]"


def test_unknown_top_level_parameter_is_refused(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.list({"colour": "blue"})
    assert (caught.value.code, caught.value.param) == ("parameter_unknown", "colour")


def test_bad_integer_names_the_parameter(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.list({"limit": 101})
    assert (caught.value.code, caught.value.param) == ("parameter_invalid_integer", "limit")


def test_metadata_is_free_form(stripe_client):
    customer = stripe_client.v1.customers.create({"metadata": {"any key": "v", "k2": "w"}})
    assert customer.metadata.to_dict() == {"any key": "v", "k2": "w"}
