"""Where the dashboard's settings come from: environment variables over `.streamlit/secrets.toml`.

Top-level secrets (``STRIPE_API_KEY``, ``DATABASE_URL``, ...) feed
``services.core.settings.Settings.from_mapping``; the ``[login]`` section configures
the login cookie and the users file. An environment variable of the same name
wins over the secrets file (``LOGIN_COOKIE_KEY`` etc. for the login section), so
tests and deployments can configure the app without writing files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from services.core.errors import ConfigurationError

SETTING_KEYS = (
    "STRIPE_API_KEY",
    "STRIPE_API_BASE",
    "STRIPE_WEBHOOK_SECRET",
    "DATABASE_URL",
    "ALLOW_LIVE_MODE",
    "SMTP_URL",
    "STRIPE_EVENT_POLLING",
    "DASHBOARD_TIME_ZONE",
)

#: The placeholder shipped in `.streamlit/secrets.toml.example`; never accepted against Stripe.
EXAMPLE_COOKIE_KEY = "replace-me-with-64-hex-characters-from-secrets-token-hex-32"
MIN_COOKIE_KEY_CHARS = 43  # secrets.token_urlsafe(32) is 43 characters, token_hex(32) is 64
MAX_COOKIE_EXPIRY_DAYS = 1.0
DEFAULT_COOKIE_NAME = "invoicing_dashboard_auth"
DEFAULT_USERS_FILE = "config/users.yaml"
SECRETS_FILE = Path(".streamlit/secrets.toml")  # Streamlit's own place, from the project root


def _secrets() -> dict[str, Any]:
    """The secrets file as a plain dict ({} when there is none)."""
    try:
        return st.secrets.to_dict()
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


def data_dir() -> Path:
    """Folder for local state (emulator database, demo users): ``DASHBOARD_DATA_DIR`` or data/."""
    return Path(os.environ.get("DASHBOARD_DATA_DIR") or "data")


def settings_mapping() -> dict[str, str]:
    """The service settings: secrets file values overridden by environment variables."""
    secrets = _secrets()
    mapping: dict[str, str] = {}
    for key in SETTING_KEYS:
        value = os.environ.get(key, secrets.get(key))
        if value not in (None, ""):
            mapping[key] = str(value)
    return mapping


@dataclass(frozen=True)
class LoginConfig:
    """The ``[login]`` section: cookie signing key, cookie name and lifetime, users file."""

    cookie_key: str | None
    cookie_name: str
    cookie_expiry_days: float
    users_file: Path

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any]) -> LoginConfig:
        """Build from the ``[login]`` section (environment ``LOGIN_*`` variables win)."""

        def pick(name: str) -> Any:
            return os.environ.get(f"LOGIN_{name.upper()}", section.get(name))

        raw_expiry = pick("cookie_expiry_days")
        try:
            expiry = 0.5 if raw_expiry in (None, "") else float(raw_expiry)
        except ValueError as exc:
            raise ConfigurationError(
                f"login.cookie_expiry_days must be a number of days, not {raw_expiry!r}",
                field="login.cookie_expiry_days",
            ) from exc
        if not 0 <= expiry <= MAX_COOKIE_EXPIRY_DAYS:
            raise ConfigurationError(
                "login.cookie_expiry_days must be between 0 and 1: a login may not outlive a day",
                field="login.cookie_expiry_days",
            )
        key = pick("cookie_key") or None
        return cls(
            cookie_key=str(key) if key else None,
            cookie_name=str(pick("cookie_name") or DEFAULT_COOKIE_NAME),
            cookie_expiry_days=expiry,
            users_file=Path(str(pick("users_file") or DEFAULT_USERS_FILE)),
        )

    def check_cookie_key(self) -> str:
        """The signing key, refused when missing, too short or the shipped example."""
        key = self.cookie_key
        if not key or key == EXAMPLE_COOKIE_KEY:
            raise ConfigurationError(
                "login.cookie_key is missing or still the example value; set it to "
                "`python -c \"import secrets; print(secrets.token_hex(32))\"`",
                field="login.cookie_key",
            )
        if len(key) < MIN_COOKIE_KEY_CHARS:
            raise ConfigurationError(
                "login.cookie_key is too short: use at least 32 random bytes "
                "(secrets.token_hex(32))",
                field="login.cookie_key",
            )
        return key


def login_config() -> LoginConfig:
    """The login configuration from secrets and environment."""
    section = _secrets().get("login") or {}
    return LoginConfig.from_mapping(section if isinstance(section, Mapping) else {})
