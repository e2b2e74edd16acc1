"""Settings, modes, the live-key guard, the client and the key hint."""

from __future__ import annotations

import pytest

from services.core.client import API_VERSION, MAX_NETWORK_RETRIES, make_stripe_client
from services.core.connection import key_hint
from services.core.errors import ConfigurationError
from services.core.settings import EMULATOR_API_KEY, Mode, Settings


def test_no_key_means_the_embedded_emulator() -> None:
    settings = Settings.from_mapping({"STRIPE_API_KEY": "", "DATABASE_URL": ""})
    assert settings.mode is Mode.EMULATOR
    assert settings.needs_embedded_emulator
    assert settings.database_url.startswith("sqlite:///")
    started = settings.with_emulator("http://127.0.0.1:12111")
    assert (started.stripe_api_key, started.mode) == (EMULATOR_API_KEY, Mode.EMULATOR)


def test_test_and_live_keys_set_the_mode() -> None:
    assert Settings.from_mapping({"STRIPE_API_KEY": "sk_test_abc"}).mode is Mode.TEST
    live = Settings.from_mapping({"STRIPE_API_KEY": "rk_live_abc", "ALLOW_LIVE_MODE": "true"})
    assert live.mode is Mode.LIVE


@pytest.mark.parametrize("key", ["sk_live_abc", "rk_live_abc"])
@pytest.mark.parametrize("allow", [None, "", "false", "0"])
def test_live_key_is_refused_unless_allowed(key: str, allow: str | None) -> None:
    values = {"STRIPE_API_KEY": key}
    if allow is not None:
        values["ALLOW_LIVE_MODE"] = allow
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_mapping(values)
    assert caught.value.field == "STRIPE_API_KEY"
    assert "ALLOW_LIVE_MODE=true" in str(caught.value)


def test_bad_values_are_refused_with_the_setting_named() -> None:
    with pytest.raises(ConfigurationError, match="STRIPE_API_KEY") as caught:
        Settings.from_mapping({"STRIPE_API_KEY": "pk_test_publishable"})
    assert caught.value.field == "STRIPE_API_KEY"
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_mapping({"ALLOW_LIVE_MODE": "perhaps"})
    assert caught.value.field == "ALLOW_LIVE_MODE"
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_mapping({"STRIPE_API_BASE": "localhost:12111"})
    assert caught.value.field == "STRIPE_API_BASE"


def test_secrets_toml_booleans_and_other_fields_are_read() -> None:
    settings = Settings.from_mapping(
        {
            "STRIPE_API_KEY": "sk_live_x",
            "ALLOW_LIVE_MODE": True,
            "STRIPE_WEBHOOK_SECRET": "whsec_1",
            "DATABASE_URL": "postgresql://db/finance",
            "SMTP_URL": "smtp://mail:25",
        }
    )
    assert settings.webhook_secret == "whsec_1"
    assert settings.database_url == "postgresql://db/finance"
    assert settings.smtp_url == "smtp://mail:25"


def test_client_points_at_the_configured_base_with_retries() -> None:
    settings = Settings(stripe_api_key="sk_test_x", stripe_api_base="http://127.0.0.1:9/")
    client = make_stripe_client(settings)
    options = client._requestor._options
    assert options.base_addresses["api"] == "http://127.0.0.1:9"
    assert options.max_network_retries == MAX_NETWORK_RETRIES >= 2
    assert options.stripe_version == API_VERSION == "2026-10-28.endive"


def test_client_needs_a_key() -> None:
    with pytest.raises(ConfigurationError):
        make_stripe_client(Settings())


def test_key_hint_never_shows_the_key() -> None:
    key = "sk_test_51HsecretsecretsecretABCD"
    hint = key_hint(key)
    assert hint == "sk_test_…ABCD"
    assert "secret" not in hint
    assert key_hint(None) == "no key"


def test_event_polling_is_off_unless_asked_for() -> None:
    assert Settings.from_mapping({}).poll_events is False
    assert Settings.from_mapping({"STRIPE_EVENT_POLLING": "true"}).poll_events is True
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_mapping({"STRIPE_EVENT_POLLING": "sometimes"})
    assert caught.value.field == "STRIPE_EVENT_POLLING"
