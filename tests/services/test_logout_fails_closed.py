"""The logout registry fails closed when the app database does not answer."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import OperationalError

from services.core.database import make_engine
from services.core.sessions import LoginCheck, LogoutRegistry


def locked(*_args, **_kwargs):  # type: ignore[no-untyped-def]
    raise OperationalError("SELECT 1", {}, Exception("database is locked"))


@pytest.fixture
def registry(app_database_url: str) -> LogoutRegistry:
    return LogoutRegistry(make_engine(app_database_url))


def test_a_login_is_valid_or_revoked_when_the_registry_answers(registry: LogoutRegistry) -> None:
    logout = registry.record_logout("anna")
    assert registry.check("anna", logout - 60) is LoginCheck.REVOKED
    assert registry.check("anna", logout + 60) is LoginCheck.VALID
    assert registry.check("nobody", time.time()) is LoginCheck.VALID


def test_an_unreadable_registry_never_vouches_for_a_login(registry, monkeypatch) -> None:
    monkeypatch.setattr(registry._engine, "connect", locked)
    with pytest.raises(OperationalError):
        registry.is_revoked("anna", time.time())
    assert registry.check("anna", time.time()) is LoginCheck.UNCHECKED


def test_a_logout_that_cannot_be_recorded_says_so(registry, monkeypatch) -> None:
    monkeypatch.setattr(registry._engine, "begin", locked)
    monkeypatch.setattr(registry._engine, "connect", locked)
    assert registry.try_record_logout("anna") is False
    monkeypatch.undo()
    assert registry.not_before("anna") is None
    assert registry.try_record_logout("anna") is True
    assert registry.not_before("anna") is not None
