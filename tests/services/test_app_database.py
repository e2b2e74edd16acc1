"""The app database: URLs as given, migrations at start, and what a newer schema does.

Runs on SQLite and, with ``--app-database=postgresql``, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, inspect, select, text

from services.core import audit as audit_module
from services.core.access import Actor, Role
from services.core.audit import SUCCESS, AuditLog
from services.core.database import (
    database_url,
    ensure_schema,
    make_engine,
    make_plain_engine,
    metadata,
    schema_head,
)
from services.core.errors import ConfigurationError
from services.core.sessions import LogoutRegistry
from services.payments import tables as payment_tables

CLERK = Actor("carla", Role.CLERK)


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://finance@db.example:5432/ledger", "postgresql+psycopg"),
        ("postgres://finance@db.example/ledger", "postgresql+psycopg"),
        ("postgresql+psycopg://finance@db.example/ledger", "postgresql+psycopg"),
        ("sqlite:///data/dashboard.sqlite3", "sqlite"),
    ],
)
def test_postgresql_urls_work_as_given(given: str, driver: str) -> None:
    url = database_url(given)
    assert url.drivername == driver
    assert url.database in ("ledger", "data/dashboard.sqlite3")


def test_a_url_that_is_not_one_is_refused_by_its_setting_name() -> None:
    with pytest.raises(ConfigurationError) as refused:
        database_url("not a database url")
    assert refused.value.field == "DATABASE_URL"


def test_an_empty_database_gets_every_table_at_the_newest_schema(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    names = set(inspect(engine).get_table_names())
    assert {table.name for table in metadata.sorted_tables} <= names
    assert _revision(engine) == schema_head()


def test_a_database_from_before_migrations_is_kept_and_upgraded(empty_database_url: str) -> None:
    old = make_plain_engine(empty_database_url)
    # What the dashboard did before migrations: create_all, no alembic_version.
    metadata.create_all(old, tables=[audit_module.audit_log, payment_tables.payment_events])
    with old.begin() as conn:
        conn.execute(
            audit_module.audit_log.insert(),
            {"at": datetime.now(UTC), "username": "older", "role": "clerk",
             "action": "create_customer", "outcome": SUCCESS},
        )  # fmt: skip
    old.dispose()

    upgraded = make_engine(empty_database_url)

    assert _revision(upgraded) == schema_head()
    assert "outbox" in inspect(upgraded).get_table_names()  # a table it lacked was added
    assert list(AuditLog(upgraded).table()["username"]) == ["older"]  # nothing lost


def test_a_database_newer_than_the_dashboard_is_refused(app_database_url: str) -> None:
    engine = make_engine(app_database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()

    with pytest.raises(ConfigurationError, match="newer than this dashboard") as refused:
        make_engine(app_database_url)
    assert refused.value.field == "DATABASE_URL"


def test_migrating_twice_changes_nothing(app_database_url: str) -> None:
    engine = make_engine(app_database_url)
    AuditLog(engine).record(actor=CLERK, action="send_invoice", outcome=SUCCESS, object_id="in_1")
    again = make_plain_engine(app_database_url)
    ensure_schema(again)
    assert _revision(again) == schema_head()
    assert len(AuditLog(again).table()) == 1


def test_the_audit_log_refuses_edits_on_every_database(app_database_url: str) -> None:
    engine = make_engine(app_database_url)
    AuditLog(engine).record(actor=CLERK, action="void_invoice", outcome=SUCCESS, object_id="in_2")
    log = audit_module.audit_log
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(log.update().values(reason="rewritten"))
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(log.delete())
    with engine.connect() as conn:
        assert conn.execute(select(log.c.reason)).scalars().all() == [None]


def test_a_logout_recorded_by_one_server_is_honoured_by_another(app_database_url: str) -> None:
    first = LogoutRegistry(make_engine(app_database_url))
    second = LogoutRegistry(make_engine(app_database_url))
    first.record_logout("anna", at=100.0)
    second.record_logout("anna", at=200.0)
    assert first.is_revoked("anna", 150.0)
    assert first.not_before("anna") == second.not_before("anna") == 200.0


def test_a_sqlite_app_database_is_readable_by_its_owner_only(tmp_path, app_database_kind) -> None:
    import os
    import stat

    if app_database_kind != "sqlite":
        pytest.skip("file modes are SQLite's concern; PostgreSQL keeps its own files")
    previous = os.umask(0o000)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'app.sqlite3'}")
        AuditLog(engine).record(actor=CLERK, action="send_invoice", outcome=SUCCESS)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    for name in ("app.sqlite3", "app.sqlite3-wal"):
        assert stat.S_IMODE((tmp_path / "new" / name).stat().st_mode) == 0o600, name
