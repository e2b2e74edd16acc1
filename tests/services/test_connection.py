"""What the banner shows about the connection, against the emulator."""

from __future__ import annotations

from services.container import Services
from services.core.settings import Mode
from services.payments.events import PaymentEvents


def test_describe_names_mode_base_and_version_but_never_the_key(services: Services, emulator):
    info = services.connection.describe()
    assert info.mode is Mode.EMULATOR
    assert info.api_base == emulator.base_url
    assert info.api_version == "2026-10-28.endive"
    assert info.key_hint == "sk_test_…"
    assert "emulator" not in info.key_hint
    assert services.mode is Mode.EMULATOR


def test_container_wires_the_payment_events_on_the_same_database(services: Services):
    assert isinstance(services.events, PaymentEvents)
    assert services.events.activity().empty  # its tables exist in this test's own database
