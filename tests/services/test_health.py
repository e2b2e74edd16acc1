"""`/healthz`: ok when the app database and Stripe work, else degraded (503) with why."""

from __future__ import annotations

import stripe
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.testclient import TestClient

from services.core.database import make_engine
from services.core.health import HealthCheck
from tests.conftest import client_for
from ui.http_routes import health_route


def _answer(check: HealthCheck) -> tuple[int, dict]:
    with TestClient(Starlette(routes=[health_route(lambda: check)])) as http:
        response = http.get("/healthz")
    return response.status_code, response.json()


def test_healthy_when_the_database_and_stripe_answer(emulator, app_database_url: str) -> None:
    check = HealthCheck(make_engine(app_database_url), client_for(emulator))
    assert _answer(check) == (200, {"status": "ok"})


def test_a_broken_app_database_is_reported(emulator, app_database_url: str) -> None:
    engine = make_engine(app_database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))  # what a corrupted database looks like
    status, body = _answer(HealthCheck(engine, client_for(emulator)))
    assert status == 503
    assert body["status"] == "degraded"
    assert len(body["problems"]) == 1
    assert body["problems"][0].startswith("app database unusable")


def test_stripe_unreachable_is_reported(app_database_url: str) -> None:
    nowhere = stripe.StripeClient("sk_test_emulator", base_addresses={"api": "http://127.0.0.1:9"},
                                  max_network_retries=0)
    status, body = _answer(HealthCheck(make_engine(app_database_url), nowhere))
    assert status == 503
    assert body["problems"] == ["Stripe unreachable: APIConnectionError"]


def test_services_that_cannot_be_built_are_reported() -> None:
    def broken() -> HealthCheck:
        raise RuntimeError("no settings")

    with TestClient(Starlette(routes=[health_route(broken)])) as http:
        response = http.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["services unavailable: RuntimeError"]
