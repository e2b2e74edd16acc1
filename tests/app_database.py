"""Which app database the tests run on: SQLite files, or PostgreSQL.

``pytest --app-database=postgresql`` (what ``make test`` runs second) gives every
test that asks for ``app_database_url`` its own schema on one PostgreSQL server:
the server named by ``TEST_DATABASE_URL``, or else a throwaway cluster started for
the session (``scripts/postgres_cluster.py``). The default is a SQLite file per
test. A test that needs SQLite or PostgreSQL specifically asks ``app_database_kind``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scripts.postgres_cluster import throwaway_cluster
from services.core.database import database_url

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


def _new_schema(server_url: str) -> str:
    """A fresh schema on the server; the URL of the database with that search path."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(database_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    url = database_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def new_database_url(request: pytest.FixtureRequest, directory: Path, name: str) -> str:
    """The URL of a new, empty app database, from a fixture of any scope."""
    if kind(request.config) == SQLITE:
        return f"sqlite:///{directory / f'{name}.sqlite3'}"
    return _new_schema(request.getfixturevalue("postgres_server_url"))


@pytest.fixture
def app_database_factory(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """``make(name)`` → the URL of an empty app database (a new one per name and test)."""
    made: dict[str, str] = {}

    def make(name: str = "app") -> str:
        if name not in made:
            made[name] = new_database_url(request, tmp_path, name)
        return made[name]

    return make


@pytest.fixture
def app_database_url(app_database_factory: Callable[[str], str]) -> str:
    """The URL of an empty app database for this test (SQLite or PostgreSQL, see above)."""
    return app_database_factory("app")
