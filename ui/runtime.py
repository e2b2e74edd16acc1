"""Process-wide objects the pages share: the services, the logout registry, the users.

``app.py`` (the composition root) registers how to build the services with
:func:`install_services_factory`; pages call :func:`services`, which builds them
once per process (``st.cache_resource``). Tests register a factory pointing at
their own emulator. Nothing here imports ``stripe`` or the emulator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from services.core.database import DEFAULT_DATABASE_URL, make_engine
from services.core.errors import ConfigurationError
from services.core.sessions import LogoutRegistry
from services.core.settings import EMULATOR_API_KEY
from ui import config, users

if TYPE_CHECKING:
    from services.container import Services

_factory_lock = threading.Lock()
_factory: Callable[[], Services] | None = None


def install_services_factory(factory: Callable[[], Services], *, replace: bool = False) -> None:
    """Register how to build the services (the first registration wins unless ``replace``)."""
    global _factory
    with _factory_lock:
        if _factory is None or replace:
            _factory = factory


@st.cache_resource(show_spinner="Connecting to Stripe…")
def services() -> Services:
    """The one ``Services`` object of this process."""
    if _factory is None:
        raise ConfigurationError(
            "The dashboard was not started through app.py (no services factory registered)"
        )
    return _factory()


def stripe_key_configured() -> bool:
    """True when the dashboard talks to Stripe (a key other than the emulator's is set)."""
    key = config.settings_mapping().get("STRIPE_API_KEY")
    return bool(key) and key != EMULATOR_API_KEY


@st.cache_resource(show_spinner=False)
def _logout_registry(database_url: str) -> LogoutRegistry:
    return LogoutRegistry(make_engine(database_url))


def logout_registry() -> LogoutRegistry:
    """The server-side record of logouts, in the app database."""
    url = config.settings_mapping().get("DATABASE_URL", DEFAULT_DATABASE_URL)
    return _logout_registry(url)


@dataclass(frozen=True)
class LoginSetup:
    """What the login needs: the shared credentials dict and the cookie settings."""

    credentials: dict[str, Any]
    cookie_name: str
    cookie_key: str
    cookie_expiry_days: float
    demo_users: bool


@st.cache_resource(show_spinner=False)
def _login_setup(
    users_file: str, cookie_key: str | None, cookie_name: str, expiry_days: float,
    against_stripe: bool, data_dir: str,
) -> LoginSetup:
    # Cached so every session shares one credentials dict (throttling lives in the database:
    # services.core.login_guard).
    cfg = config.LoginConfig(cookie_key, cookie_name, expiry_days, Path(users_file))
    path = Path(users_file)
    if path.exists():
        directory = users.load_users(path)
        key = cfg.cookie_key
        if against_stripe:
            users.refuse_demo_against_stripe(directory)
            key = cfg.check_cookie_key()
            users.require_private(path, "login.users_file")
            if config.SECRETS_FILE.exists():
                users.require_private(config.SECRETS_FILE, "secrets.toml")
        elif not key or key == config.EXAMPLE_COOKIE_KEY or len(key) < config.MIN_COOKIE_KEY_CHARS:
            key = users.ensure_demo_users(Path(data_dir))[1]
    elif against_stripe:
        raise ConfigurationError(
            f"login.users_file: {path} does not exist; create it from config/users.example.yaml",
            field="login.users_file",
        )
    else:
        demo_path, key = users.ensure_demo_users(Path(data_dir))
        directory = users.load_users(demo_path)
    return LoginSetup(directory.credentials, cookie_name, key, expiry_days, directory.is_demo)


def login_setup() -> LoginSetup:
    """The login setup for the current configuration (refuses unsafe setups against Stripe)."""
    cfg = config.login_config()
    return _login_setup(
        str(cfg.users_file), cfg.cookie_key, cfg.cookie_name, cfg.cookie_expiry_days,
        stripe_key_configured(), str(config.data_dir()),
    )
