"""Start the real dashboard (`streamlit run app.py`) against a given emulator, for scripts.

Used by ``scripts/screenshots.py`` and ``bench/ui_bench.py``: a users file with
one user per role (cheap bcrypt hashes, passwords below), a random cookie key,
its own app database, started by :mod:`scripts.launcher` (free port, ``/healthz``).
Browser steps reuse the browser test harness (``tests/ui/browser/conftest.py``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bcrypt
import yaml

from scripts.launcher import dashboard_server, free_port
from tests.ui.browser.conftest import COOKIE_NAME, wait_for_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORDS = {"viewer": "viewer-script-1", "clerk": "clerk-script-1",
             "approver": "approver-script-1", "admin": "admin-script-1"}


def app_database_url(workdir: Path) -> str:
    """The app database the dashboard started by :func:`running_dashboard` uses."""
    return f"sqlite:///{workdir / 'dashboard.sqlite3'}"


def register_webhook(emulator_url: str, port: int) -> str:
    """Have the emulator send every event to the dashboard on ``port``; the signing secret."""
    import stripe

    client = stripe.StripeClient("sk_test_emulator", base_addresses={"api": emulator_url})
    endpoint = client.v1.webhook_endpoints.create(params={
        "url": f"http://127.0.0.1:{port}/webhooks/stripe", "enabled_events": ["*"],
    })
    return str(endpoint.secret)


@contextmanager
def running_dashboard(workdir: Path, emulator_url: str, *, receive_events: bool = False,
                      port: int | None = None, cookie_key: str | None = None) -> Iterator[str]:
    """Yield the URL of a dashboard talking to the emulator at ``emulator_url``
    (``receive_events``: the emulator posts its events to the dashboard's webhook).

    A new server on the same ``port`` with the same ``cookie_key`` (hex; random when
    None) and ``workdir`` is the same dashboard restarted: a browser that logged in
    before stays logged in and keeps what it cached."""
    users = {
        role: {"name": f"Demo {role}", "email": f"{role}@example.com", "roles": [role],
               "password": bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()}
        for role, password in PASSWORDS.items()
    }
    users_file = workdir / "users.yaml"
    users_file.write_text(yaml.safe_dump({"credentials": {"usernames": users}}))
    port = port if port is not None else free_port()
    secret = register_webhook(emulator_url, port) if receive_events else ""
    env = {
        "STRIPE_API_KEY": "sk_test_emulator", "STRIPE_API_BASE": emulator_url,
        "DATABASE_URL": app_database_url(workdir), "DASHBOARD_DATA_DIR": str(workdir / "data"),
        "LOGIN_USERS_FILE": str(users_file), "LOGIN_COOKIE_KEY": cookie_key or os.urandom(32).hex(),
        "LOGIN_COOKIE_NAME": COOKIE_NAME, "LOGIN_COOKIE_EXPIRY_DAYS": "0.5",
        "LOAD_DEMO_DATA": "0", "STRIPE_WEBHOOK_SECRET": secret,
    }
    with dashboard_server(env, port=port, log_path=workdir / "server.log") as url:
        yield url


def log_in(page, url: str, role: str, path: str = "/") -> None:
    """Log in as the user of ``role`` through the real form (opening ``path``) and wait
    for the login cookie."""
    page.goto(f"{url}{path}")
    wait_for_app(page)
    page.get_by_role("textbox", name="Username").fill(role)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[role])
    page.get_by_role("button", name="Login").click()
    wait_for_app(page)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise RuntimeError("the login cookie was not written")
