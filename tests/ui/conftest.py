"""Fixtures for the dashboard's AppTest tests: users file, login secrets, logged-in sessions.

Every test gets a fresh app database and data folder (environment variables the
app reads), a users file with one user per role (cheap bcrypt hashes), and
empty Streamlit caches. ``app_test(page, role=...)`` returns an AppTest for a
page file with the login secrets injected and, when ``role`` is given, the
session keys streamlit-authenticator reads already set (the login form is
driven for real in ``test_auth.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import bcrypt
import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from ui import runtime

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {
    "vera": ("viewer", "vera-pass-1"),
    "carl": ("clerk", "carl-pass-1"),
    "anna": ("approver", "anna-pass-1"),
    "adam": ("admin", "adam-pass-1"),
}
USER_OF_ROLE = {role: name for name, (role, _) in PASSWORDS.items()}
COOKIE_KEY = "0123456789abcdef" * 4  # 64 characters, only for tests


@pytest.fixture(scope="session")
def users_document() -> dict:
    """One user per role; bcrypt with 4 rounds keeps the tests fast."""
    usernames = {
        name: {
            "name": name.title(),
            "email": f"{name}@example.com",
            "roles": [role],
            "password": bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode(),
        }
        for name, (role, password) in PASSWORDS.items()
    }
    return {"credentials": {"usernames": usernames}}


@pytest.fixture(autouse=True)
def dashboard_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, users_document: dict, app_database_url: str
) -> Iterator[dict]:
    """A private app database, data folder and users file; clean caches around each test."""
    users_file = tmp_path / "users.yaml"
    users_file.write_text(yaml.safe_dump(users_document), encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", app_database_url)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "data"))
    for key in ("STRIPE_API_KEY", "STRIPE_API_BASE", "LOGIN_COOKIE_KEY", "LOGIN_USERS_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setattr(runtime, "_factory", None)
    yield {"users_file": str(users_file), "cookie_key": COOKIE_KEY, "cookie_expiry_days": 0.5}
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_test(dashboard_env: dict) -> Callable[..., AppTest]:
    """Build an AppTest for a page file (relative to the project root)."""

    def make(page: str, role: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / page), default_timeout=30)
        at.secrets["login"] = dict(dashboard_env)
        for key, value in query.items():
            at.query_params[key] = value
        if role is not None:
            username = USER_OF_ROLE[role]
            for key, value in {
                "authentication_status": True,
                "name": username.title(),
                "username": username,
                "roles": [role],
                "email": f"{username}@example.com",
                "logout": None,
            }.items():
                at.session_state[key] = value
        return at

    return make


def texts(at: AppTest) -> str:
    """Everything the main area says, as one string (for "shows only the login" checks)."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption")
             for e in getattr(at, kind)]
    for kind in ("error", "info", "warning", "success"):
        parts += [e.value for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def services(emulator, dashboard_env: dict):
    """Real services on the shared test emulator, installed for the pages under test."""
    import os

    from services.container import build_services
    from services.core.settings import Settings

    built = build_services(Settings.from_mapping({
        "STRIPE_API_KEY": "sk_test_emulator",
        "STRIPE_API_BASE": emulator.base_url,
        "DATABASE_URL": os.environ["DATABASE_URL"],
    }))
    runtime.install_services_factory(lambda: built, replace=True)
    return built
