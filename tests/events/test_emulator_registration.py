"""Emulator mode: the app registers its own webhook endpoint and keeps the secret."""

from __future__ import annotations

import pytest

from services.core.database import make_engine
from services.payments.registration import register_emulator_endpoint
from tests.conftest import client_for


@pytest.fixture
def isolated_client(fresh_emulator):
    """A client on an emulator of its own: endpoints registered here reach no other test."""
    return client_for(fresh_emulator())


PAYMENT_EVENTS = {"invoice.paid", "invoice.payment_succeeded", "payment_intent.processing",
                  "invoice.payment_failed"}


def _endpoints_at(client, url: str) -> list:
    return [e for e in client.v1.webhook_endpoints.list(params={"limit": 100}).data
            if e.url == url]


def test_registration_creates_one_endpoint_and_reuses_it(isolated_client, app_database_url: str):
    engine = make_engine(app_database_url)
    url = "http://127.0.0.1:1/webhooks/stripe-reuse"

    first = register_emulator_endpoint(isolated_client, url, engine)
    second = register_emulator_endpoint(isolated_client, url, engine)

    assert first.startswith("whsec_")
    assert second == first
    endpoints = _endpoints_at(isolated_client, url)
    assert len(endpoints) == 1
    assert set(endpoints[0].enabled_events) == PAYMENT_EVENTS


def test_an_endpoint_whose_secret_was_lost_is_replaced(isolated_client, app_database_factory):
    url = "http://127.0.0.1:1/webhooks/stripe-lost"
    old = register_emulator_endpoint(isolated_client, url,
                                     make_engine(app_database_factory("old")))
    old_id = _endpoints_at(isolated_client, url)[0].id

    new = register_emulator_endpoint(isolated_client, url,
                                     make_engine(app_database_factory("new")))

    assert new != old
    endpoints = _endpoints_at(isolated_client, url)
    assert [e.id for e in endpoints] != [old_id]
    assert len(endpoints) == 1


def test_a_disabled_endpoint_is_enabled_again(isolated_client, app_database_url: str):
    engine = make_engine(app_database_url)
    url = "http://127.0.0.1:1/webhooks/stripe-disabled"
    secret = register_emulator_endpoint(isolated_client, url, engine)
    endpoint = _endpoints_at(isolated_client, url)[0]
    isolated_client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})

    assert register_emulator_endpoint(isolated_client, url, engine) == secret
    assert _endpoints_at(isolated_client, url)[0].status == "enabled"
