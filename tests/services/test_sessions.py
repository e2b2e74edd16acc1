"""The server-side logout record that makes a copied login cookie useless."""

from __future__ import annotations

import pytest

from services.core.database import make_engine
from services.core.sessions import LogoutRegistry


@pytest.fixture
def registry(app_database_url: str) -> LogoutRegistry:
    return LogoutRegistry(make_engine(app_database_url))


def test_user_who_never_logged_out_has_no_cutoff(registry):
    assert registry.not_before("anna") is None
    assert not registry.is_revoked("anna", 1_000.0)


def test_logins_before_the_last_logout_are_revoked(registry):
    registry.record_logout("anna", at=1_000.0)
    registry.record_logout("anna", at=2_000.0)
    assert registry.not_before("anna") == 2_000.0
    assert registry.is_revoked("anna", 1_999.0)
    assert not registry.is_revoked("anna", 2_000.5)
    assert not registry.is_revoked("bob", 1.0)


def test_logout_record_survives_a_restart(app_database_url: str):
    url = app_database_url
    LogoutRegistry(make_engine(url)).record_logout("anna", at=5.0)
    assert LogoutRegistry(make_engine(url)).not_before("anna") == 5.0


def test_logout_must_name_the_user(registry):
    with pytest.raises(ValueError, match="username"):
        registry.record_logout("")
