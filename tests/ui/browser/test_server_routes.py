"""The dashboard's server also answers /healthz and /webhooks/stripe (one process)."""

from __future__ import annotations

import httpx

from tests.ui.browser.conftest import Dashboard


def test_health_route_answers_next_to_the_dashboard(dashboard: Dashboard) -> None:
    response = httpx.get(f"{dashboard.url}/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert httpx.get(f"{dashboard.url}/_stcore/health", timeout=10).text == "ok"


def test_webhook_route_is_served_by_the_same_process(dashboard: Dashboard) -> None:
    response = httpx.post(
        f"{dashboard.url}/webhooks/stripe", content=b"{}",
        headers={"Stripe-Signature": "t=1,v1=forged", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code not in (404, 405)  # the route exists and takes POST
    assert response.status_code >= 400  # a forged signature is never accepted
