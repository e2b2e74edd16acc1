"""The dashboard's settings: which Stripe to talk to, where the app database lives.

``app.py`` builds a :class:`Settings` from the environment and
``.streamlit/secrets.toml`` (one mapping) and passes it in; nothing in
``services/`` reads the environment itself. The mode (emulator, Stripe test,
Stripe live) is derived from the key so it can always be shown to the user, and
a live key is refused unless live mode was switched on deliberately.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.core.database import DEFAULT_DATABASE_URL
from services.core.errors import ConfigurationError

#: The key the embedded emulator is driven with (it accepts any ``sk_test_`` key).
EMULATOR_API_KEY = "sk_test_emulator"

_LIVE_PREFIXES = ("sk_live_", "rk_live_")
_TEST_PREFIXES = ("sk_test_", "rk_test_")
_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})


class Mode(StrEnum):
    """Which Stripe the dashboard is talking to."""

    EMULATOR = "emulator"
    TEST = "test"
    LIVE = "live"

    @property
    def label(self) -> str:
        """Words for the banner every page shows."""
        return {
            Mode.EMULATOR: "Local emulator (no real Stripe account)",
            Mode.TEST: "Stripe test mode",
            Mode.LIVE: "Stripe LIVE mode: real money",
        }[self]


@dataclass(frozen=True)
class Settings:
    """Everything ``services`` needs to know about its surroundings."""

    stripe_api_key: str | None = None
    stripe_api_base: str | None = None
    webhook_secret: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    allow_live_mode: bool = False
    smtp_url: str | None = None
    #: Also read ``GET /v1/events`` (for a dashboard Stripe's webhooks cannot reach).
    poll_events: bool = False
    #: Requests per second the read model's backfill and catch-up may make; None: 20
    #: against Stripe (25/s allowed in test mode, 100/s live), 1000 on the emulator.
    stripe_read_rate: float | None = None
    #: The business's IANA time zone (``Europe/Berlin``): when a day begins for "today"
    #: and days overdue on every page, and the zone times are shown in. None: the
    #: server's local zone.
    business_time_zone: str | None = None

    def __post_init__(self) -> None:
        key = self.stripe_api_key
        if key is not None and not key.startswith(_LIVE_PREFIXES + _TEST_PREFIXES):
            raise ConfigurationError(
                "STRIPE_API_KEY must be a secret or restricted key "
                "(sk_test_…, rk_test_…, sk_live_… or rk_live_…).",
                field="STRIPE_API_KEY",
            )
        if key is not None and key.startswith(_LIVE_PREFIXES) and not self.allow_live_mode:
            raise ConfigurationError(
                "STRIPE_API_KEY is a LIVE key. The dashboard refuses live mode unless "
                "ALLOW_LIVE_MODE=true is set on purpose.",
                field="STRIPE_API_KEY",
            )
        if self.stripe_api_base is not None and not self.stripe_api_base.startswith(
            ("http://", "https://")
        ):
            raise ConfigurationError(
                "STRIPE_API_BASE must be an http:// or https:// address.",
                field="STRIPE_API_BASE",
            )
        if self.stripe_read_rate is not None and not 0 < self.stripe_read_rate <= 1000:
            raise ConfigurationError(
                "STRIPE_READ_RATE must be a number of requests per second between 1 and 1000.",
                field="STRIPE_READ_RATE",
            )
        if self.business_time_zone is not None:
            _zone(self.business_time_zone)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Settings:
        """Build settings from environment-style names (``STRIPE_API_KEY``, …).

        Empty strings count as absent, so an unset variable in a template does
        not switch anything on.
        """
        database_url = _text(values, "DATABASE_URL") or DEFAULT_DATABASE_URL
        return cls(
            stripe_api_key=_text(values, "STRIPE_API_KEY"),
            stripe_api_base=_text(values, "STRIPE_API_BASE"),
            webhook_secret=_text(values, "STRIPE_WEBHOOK_SECRET"),
            database_url=database_url,
            allow_live_mode=_flag(values, "ALLOW_LIVE_MODE"),
            smtp_url=_text(values, "SMTP_URL"),
            poll_events=_flag(values, "STRIPE_EVENT_POLLING"),
            stripe_read_rate=_number(values, "STRIPE_READ_RATE"),
            business_time_zone=_text(values, "DASHBOARD_TIME_ZONE"),
        )

    @property
    def mode(self) -> Mode:
        """Emulator without a key (or with the emulator's key), else test or live by key."""
        key = self.stripe_api_key
        if key is None or key == EMULATOR_API_KEY:
            return Mode.EMULATOR
        if key.startswith(_LIVE_PREFIXES):
            return Mode.LIVE
        return Mode.TEST

    @property
    def needs_embedded_emulator(self) -> bool:
        """True when no key was given: ``app.py`` must start the embedded emulator."""
        return self.stripe_api_key is None

    @property
    def read_rate(self) -> float:
        """Requests per second for the read model's reads (see ``stripe_read_rate``)."""
        if self.stripe_read_rate is not None:
            return self.stripe_read_rate
        return 1000.0 if self.mode is Mode.EMULATOR else 20.0

    @property
    def time_zone(self) -> tzinfo | None:
        """The configured business time zone, or ``None`` for the server's local zone."""
        return _zone(self.business_time_zone) if self.business_time_zone else None

    def with_emulator(self, api_base: str) -> Settings:
        """These settings pointed at a running emulator at ``api_base``."""
        return replace(self, stripe_api_key=EMULATOR_API_KEY, stripe_api_base=api_base)


def _zone(name: str) -> tzinfo:
    """The IANA zone ``name``; :class:`ConfigurationError` naming DASHBOARD_TIME_ZONE."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigurationError(
            f"DASHBOARD_TIME_ZONE must be a time zone name such as Europe/Berlin or "
            f"America/New_York, not {name!r}.",
            field="DASHBOARD_TIME_ZONE",
        ) from err


def _text(values: Mapping[str, object], name: str) -> str | None:
    raw = values.get(name)
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None


def _number(values: Mapping[str, object], name: str) -> float | None:
    text = _text(values, name)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError as err:
        raise ConfigurationError(f"{name} must be a number, not {text!r}.", field=name) from err


def _flag(values: Mapping[str, object], name: str) -> bool:
    raw = values.get(name)
    if isinstance(raw, bool):
        return raw
    word = "" if raw is None else str(raw).strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}.", field=name)
