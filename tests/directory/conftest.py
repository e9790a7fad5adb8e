"""Fixtures for the directory tests: a migrated, seeded database and a client.

Every test that asks for `database_url` (or a fixture built on it: `engine`,
`session_factory`, `session`, `client`) runs twice, once on SQLite and once on
PostgreSQL.

- SQLite: each test gets its own copy of a file that was migrated with Alembic
  and seeded from the real data file once per test session.
- PostgreSQL: one database with a random name is created from the `postgres`
  maintenance database, migrated and seeded once per test session, and dropped
  at the end. Before each test its tables are emptied, and the seeded rows,
  kept in memory, are inserted again with the sequences reset. A test that
  changed the schema (a downgrade, say) gets the schema rebuilt first.

The server is `SOS_TEST_POSTGRES_URL` (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres, which must name the
maintenance database). When it cannot be reached the PostgreSQL cases fail,
unless SOS_TEST_SKIP_POSTGRES=1 is set, which skips them.
"""

import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, Table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from directory.db.session import get_session, make_engine, make_sessionmaker
from directory.seed import (
    DATA_FILE_NAME,
    alembic_config,
    read_directory_file,
    seed_directory,
    upgrade_database,
)
from directory.settings import REPO_ROOT, settings

DATA_FILE = REPO_ROOT / "data" / DATA_FILE_NAME
CONTENT_DIR = REPO_ROOT / "content"
FIXTURES_DIR = Path(__file__).parent / "fixtures"
POSTGRES_URL_VARIABLE = "SOS_TEST_POSTGRES_URL"
SKIP_POSTGRES_VARIABLE = "SOS_TEST_SKIP_POSTGRES"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE_BACKENDS = ("sqlite", "postgresql")
VERSION_TABLE = "alembic_version"


def migrate_and_seed(database_url: str) -> None:
    """Upgrade a database to the latest revision and load the data file into it."""
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            seed_directory(session, read_directory_file(DATA_FILE))
            session.commit()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """Return the latest Alembic revision of the project."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture(scope="session")
def seeded_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite file migrated and seeded once, for tests to copy."""
    path = tmp_path_factory.mktemp("template") / "directory.db"
    migrate_and_seed(f"sqlite:///{path}")
    return path


@dataclass
class PostgresTestDatabase:
    """A PostgreSQL database of this test session and a snapshot of its seed."""

    url: str
    engine: Engine
    # Seeded rows of every table, in the order of `tables` (parents first).
    tables: list[Table] = field(default_factory=list)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Sequence name to its (last_value, is_called) after the seed.
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)

    def take_snapshot(self) -> None:
        """Read every row of every table that the migrations created."""
        metadata = MetaData()
        metadata.reflect(self.engine)
        self.tables = [
            table for table in metadata.sorted_tables if table.name != VERSION_TABLE
        ]
        with self.engine.connect() as connection:
            names = connection.execute(
                text(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                )
            ).scalars()
            for name in list(names):
                state = connection.execute(
                    text(f'SELECT last_value, is_called FROM "{name}"')
                ).one()
                self.sequences[name] = (state.last_value, state.is_called)
            self.rows = {
                table.name: [
                    dict(row._mapping) for row in connection.execute(table.select())
                ]
                for table in self.tables
            }

    def restore(self) -> None:
        """Bring the database back to the seeded state of the snapshot."""
        if not self._schema_is_current():
            self._rebuild_schema()

        with self.engine.begin() as connection:
            # Turning off the foreign key triggers lets self-referencing rows
            # (organisation parents, term parents) go in in any order. It needs
            # a superuser, which the test server's `postgres` role is. DELETE
            # is used because TRUNCATE of every table takes about ten times
            # longer on tables this small.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(self.tables):
                connection.execute(table.delete())
            for table in self.tables:
                rows = self.rows[table.name]
                if rows:
                    connection.execute(table.insert(), rows)
            for name, (last_value, is_called) in self.sequences.items():
                connection.execute(
                    text("SELECT setval(:name, :value, :called)"),
                    {"name": f'"{name}"', "value": last_value, "called": is_called},
                )

    def _schema_is_current(self) -> bool:
        """Return whether the schema is at head and still has every table."""
        try:
            with self.engine.connect() as connection:
                version = connection.execute(
                    text(f"SELECT version_num FROM {VERSION_TABLE}")
                ).scalar()
                tables = set(
                    connection.execute(
                        text(
                            "SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'public'"
                        )
                    ).scalars()
                )
        except DBAPIError:
            return False
        expected = {table.name for table in self.tables}
        return version == head_revision() and expected <= tables

    def _rebuild_schema(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade_database(self.url)


def _maintenance_url() -> URL:
    return make_url(os.environ.get(POSTGRES_URL_VARIABLE, DEFAULT_POSTGRES_URL))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresTestDatabase]:
    """Create, migrate and seed a PostgreSQL database for this test session."""
    maintenance_url = _maintenance_url()
    if os.environ.get(SKIP_POSTGRES_VARIABLE) == "1":
        pytest.skip(f"{SKIP_POSTGRES_VARIABLE}=1 skips the PostgreSQL cases")

    maintenance = make_engine(maintenance_url.render_as_string(hide_password=False))
    maintenance = maintenance.execution_options(isolation_level="AUTOCOMMIT")
    name = f"sos_test_{secrets.token_hex(6)}"
    try:
        with maintenance.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        maintenance.dispose()
        pytest.fail(
            f"PostgreSQL at {maintenance_url.render_as_string()} cannot be reached "
            f"({exc.orig}). Start it, point {POSTGRES_URL_VARIABLE} at a server "
            f"whose maintenance database is reachable, or set "
            f"{SKIP_POSTGRES_VARIABLE}=1 to skip the PostgreSQL cases.",
            pytrace=False,
        )

    url = maintenance_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        migrate_and_seed(url)
        database = PostgresTestDatabase(url=url, engine=engine)
        database.take_snapshot()
        yield database
    finally:
        engine.dispose()
        with maintenance.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        maintenance.dispose()


@pytest.fixture(params=DATABASE_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of a migrated and seeded database in its seeded state."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("seeded_sqlite_template")
        path = tmp_path / "directory.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"

    database: PostgresTestDatabase = request.getfixturevalue("postgres_database")
    database.restore()
    return database.url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """Return an engine for the test's database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory for the test's database."""
    return make_sessionmaker(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """Return a session on the seeded database."""
    with session_factory() as session:
        yield session


@pytest.fixture
def client(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """Return a test client of the app whose sessions use the seeded database."""
    from directory.app import create_app

    def get_test_session() -> Iterator[Session]:
        with session_factory() as session:
            yield session

    app = create_app()
    app.dependency_overrides[get_session] = get_test_session
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def content_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy the content folder to a temporary folder and point the settings at it."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    monkeypatch.setattr(settings, "content_dir", copy)
    return copy
