"""Real-browser harness: `streamlit run app.py` on a free port, driven by Debian's Chromium.

The dashboard runs in a subprocess against a fresh emulator started in this
process (so test setup can create data through the services too), with a
temporary app database, data folder and users file. Playwright launches
``/usr/bin/chromium`` (never ``playwright install``); without it every test
here is skipped. Tests are marked ``@pytest.mark.browser``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import pytest
import yaml
from playwright.sync_api import Cookie, Page, expect

from scripts.launcher import dashboard_server
from stripe_emulator.embedded import RunningEmulator, start_emulator

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
COOKIE_NAME = "invoicing_dashboard_auth"
expect.set_options(timeout=15_000)  # a busy machine (other suites running) is slow, not wrong

USERS = {  # username: (role, password)
    "vera": ("viewer", "vera-browser-1"),
    "carl": ("clerk", "carl-browser-1"),
    "anna": ("approver", "anna-browser-1"),
}


@dataclass(frozen=True)
class Dashboard:
    """A running dashboard: its URL, its emulator and the environment it was given."""

    url: str
    emulator: RunningEmulator
    env: dict[str, str]


@pytest.fixture(autouse=True)
def _needs_chromium(request: pytest.FixtureRequest) -> None:
    uses_browser = {"page", "browser", "context"} & set(request.fixturenames)
    if uses_browser and not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """One dashboard server for the tests of this session."""
    home = tmp_path_factory.mktemp("dashboard")
    users_file = home / "users.yaml"
    usernames = {
        name: {"name": name.title(), "email": f"{name}@example.com", "roles": [role],
               "password": bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()}
        for name, (role, password) in USERS.items()
    }
    users_file.write_text(yaml.safe_dump({"credentials": {"usernames": usernames}}))
    emulator = start_emulator(home / "emulator.sqlite3", settlement_delay_seconds=0.2,
                              webhook_retry_base_seconds=0.2)
    env = {
        "STRIPE_API_KEY": "sk_test_emulator",
        "STRIPE_API_BASE": emulator.base_url,
        "DATABASE_URL": f"sqlite:///{home / 'dashboard.sqlite3'}",
        "DASHBOARD_DATA_DIR": str(home / "data"),
        "LOGIN_USERS_FILE": str(users_file),
        "LOGIN_COOKIE_KEY": os.urandom(32).hex(),
        "LOGIN_COOKIE_NAME": COOKIE_NAME,
        "LOGIN_COOKIE_EXPIRY_DAYS": "0.5",
        "LOAD_DEMO_DATA": "0",
    }
    try:
        with dashboard_server(env, log_path=home / "server.log") as url:
            yield Dashboard(url, emulator, env)
    finally:
        emulator.stop()


def wait_for_app(page: Page) -> None:
    """Wait until the script run is over and no skeleton is left."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    page.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length === 0")


def log_in(page: Page, base_url: str, username: str, path: str = "/") -> None:
    """Open ``path`` and log in through the real form."""
    page.goto(f"{base_url}{path}")
    wait_for_app(page)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(USERS[username][1])
    # A good login sends the browser through /session/login (the HttpOnly cookie) and
    # back to the same page: wait for that page load, not the first run's "Log out".
    with page.expect_navigation(url=lambda url: "/session/" not in url):
        page.get_by_role("button", name="Login").click()
    wait_for_app(page)
    page.get_by_role("button", name="Log out").wait_for()


def login_cookie(page: Page, timeout: float = 20) -> Cookie | None:
    """The login cookie once the server has set it (None if it never does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for cookie in page.context.cookies():
            if cookie["name"] == COOKIE_NAME:
                return cookie
        page.wait_for_timeout(200)
    return None
