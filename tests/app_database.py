"""Which app database the tests run on: SQLite files, or PostgreSQL.

``pytest --app-database=postgresql`` (what ``make test`` runs second) gives every
test that asks for ``app_database_url`` its own schema on one PostgreSQL server:
the server named by ``TEST_DATABASE_URL``, or else a throwaway cluster started for
the session (``scripts/postgres_cluster.py``). The default is a SQLite file per test.

Either way the database is already at the newest schema, which the code then only
checks: migrating an empty one costs 0.15 s on SQLite and 0.3 s on PostgreSQL, a
quarter to a half of a typical test. SQLite files are copies of one migrated once
per run; PostgreSQL schemas are lent from a pool, emptied when their test ends and
lent again (``SchemaPool``). A test about migrations themselves asks
``empty_database_url`` (no table at all). A test that needs SQLite or PostgreSQL
specifically asks ``app_database_kind``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scripts.postgres_cluster import throwaway_cluster
from services.core.database import database_url, make_engine, schema_head

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


def add_option(parser: pytest.Parser) -> None:
    parser.addoption(
        "--app-database",
        choices=(SQLITE, POSTGRESQL),
        default=os.environ.get("TEST_APP_DATABASE", SQLITE),
        help="run the app-database tests on SQLite files (default) or on PostgreSQL",
    )


def kind(config: pytest.Config) -> str:
    return str(config.getoption("--app-database"))


def report_header(config: pytest.Config) -> str:
    if kind(config) == SQLITE:
        return "app database: SQLite (a file per test)"
    given = os.environ.get("TEST_DATABASE_URL")
    where = make_url(given).render_as_string(hide_password=True) if given else (
        "a throwaway cluster started for this run"
    )
    return f"app database: PostgreSQL, a schema per test, on {where}"


@pytest.fixture(scope="session")
def app_database_kind(pytestconfig: pytest.Config) -> str:
    """``"sqlite"`` or ``"postgresql"``: what ``app_database_url`` gives."""
    return kind(pytestconfig)


@pytest.fixture(scope="session")
def postgres_server_url(app_database_kind: str) -> Iterator[str]:
    """The PostgreSQL server of this run (only started when the run is on PostgreSQL)."""
    if app_database_kind != POSTGRESQL:
        pytest.skip("this run is on SQLite (pytest --app-database=postgresql for PostgreSQL)")
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    with throwaway_cluster() as url:
        yield url


class SchemaPool:
    """Migrated PostgreSQL schemas, each lent to one test at a time.

    Migrating a new schema costs about 0.3 s, the most of a typical test on
    PostgreSQL. A schema given back is emptied (its connections ended, every table
    but ``alembic_version`` truncated, identities restarted) and lent again; one a
    test left at another schema (another revision, a table dropped or added) is
    never lent again.
    """

    def __init__(self, server_url: str) -> None:
        self._server = server_url
        self._admin = create_engine(database_url(server_url), isolation_level="AUTOCOMMIT")
        self._free: list[str] = []
        self._tables: set[str] | None = None  # a migrated schema's tables
        self._head = schema_head()

    def lend(self) -> str:
        """The URL of a migrated, empty schema (its name is the connections' name too)."""
        schema = self._free.pop() if self._free else self._new()
        url = database_url(self._server).update_query_dict(
            {"options": f"-csearch_path={schema}", "application_name": schema})
        return url.render_as_string(hide_password=False)

    def give_back(self, url: str) -> None:
        """Empty the schema behind ``url`` and lend it again, if it is still as migrated."""
        schema = make_url(url).query["application_name"]
        assert isinstance(schema, str)
        with self._admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = :schema"), {"schema": schema})
            tables = set(conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": schema}).scalars())
            if tables != self._tables or conn.execute(text(
                    f'SELECT version_num FROM "{schema}".alembic_version')).scalar() != self._head:
                return  # changed by its test: not lent again
            emptied = ", ".join(f'"{schema}"."{name}"' for name in sorted(tables)
                                if name != "alembic_version")
            conn.execute(text(f"TRUNCATE {emptied} RESTART IDENTITY CASCADE"))
        self._free.append(schema)

    def _new(self) -> str:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = database_url(self._server).update_query_dict({"options": f"-csearch_path={schema}"})
        engine = make_engine(url.render_as_string(hide_password=False))
        engine.dispose()
        if self._tables is None:
            with self._admin.connect() as conn:
                self._tables = set(conn.execute(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                    {"schema": schema}).scalars())
        return schema

    def close(self) -> None:
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres_schemas(postgres_server_url: str) -> Iterator[SchemaPool]:
    """The run's pool of migrated schemas (PostgreSQL runs only)."""
    pool = SchemaPool(postgres_server_url)
    yield pool
    pool.close()


def _new_schema(server_url: str) -> str:
    """A fresh, empty schema on the server; the URL of the database with that search path."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(database_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    url = database_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite app database at the newest schema, made once per run to be copied."""
    path = tmp_path_factory.mktemp("migrated") / "app.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the file
    engine.dispose()
    return path


def new_database_url(request: pytest.FixtureRequest, directory: Path, name: str, *,
                     empty: bool = False) -> str:
    """The URL of a new app database, from a fixture of any scope, the caller's for good
    (``app_database_factory`` lends one to a test): SQLite a copy of the migrated file
    (unless ``empty``: no file yet); PostgreSQL an empty schema, which the code migrates
    on first use."""
    if kind(request.config) == SQLITE:
        path = directory / f"{name}.sqlite3"
        if not empty:
            shutil.copyfile(request.getfixturevalue("migrated_sqlite_file"), path)
        return f"sqlite:///{path}"
    return _new_schema(request.getfixturevalue("postgres_server_url"))


@pytest.fixture
def app_database_factory(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], str]]:
    """``make(name)`` → the URL of a new app database at the newest schema (a new one
    per name and test): SQLite a copy of the migrated file; PostgreSQL a schema lent
    from the pool, emptied and given back when the test ends."""
    made: dict[str, str] = {}
    pool: SchemaPool | None = None
    if kind(request.config) == POSTGRESQL:
        pool = request.getfixturevalue("postgres_schemas")

    def make(name: str = "app") -> str:
        if name not in made:
            made[name] = (pool.lend() if pool is not None
                          else new_database_url(request, tmp_path, name))
        return made[name]

    yield make
    if pool is not None:
        for url in made.values():
            pool.give_back(url)


@pytest.fixture
def app_database_url(app_database_factory: Callable[[str], str]) -> str:
    """The URL of a new app database for this test (SQLite or PostgreSQL, see above)."""
    return app_database_factory("app")


@pytest.fixture
def empty_database_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of an empty app database (no table at all), for tests of migrations."""
    return new_database_url(request, tmp_path, "empty", empty=True)
