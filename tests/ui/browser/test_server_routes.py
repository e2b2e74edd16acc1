"""The dashboard's server also answers /healthz and /webhooks/stripe (one process)."""

from __future__ import annotations

import httpx

from scripts.launcher import free_port, start_server, stop_server
from tests.ui.browser.conftest import Dashboard
from ui import users


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


def test_refuses_to_start_against_stripe_with_the_demo_users(tmp_path) -> None:
    demo_users, demo_key = users.ensure_demo_users(tmp_path / "data")
    env = {
        "STRIPE_API_KEY": "sk_test_not_the_emulator",
        "STRIPE_API_BASE": "http://127.0.0.1:9", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "DASHBOARD_DATA_DIR": str(tmp_path / "data"), "LOGIN_USERS_FILE": str(demo_users),
        "LOGIN_COOKIE_KEY": demo_key,
    }
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        server = start_server(env, free_port(), log=log)
        try:
            returncode = server.wait(60)
        finally:
            stop_server(server)
    assert returncode != 0
    assert "demo users only exist for the emulator" in log_path.read_text()


def _listening_addresses(port: int) -> set[str]:
    """The IPv4/IPv6 addresses a local TCP socket listens on at ``port`` (Linux /proc)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.partition(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    found.add(address)
    return found


def test_the_dashboard_listens_on_loopback_only_by_default(dashboard: Dashboard) -> None:
    port = int(dashboard.url.rsplit(":", 1)[1])
    addresses = _listening_addresses(port)
    assert addresses, "nothing listens on the dashboard's port"
    loopback = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1
    assert addresses <= loopback, addresses
