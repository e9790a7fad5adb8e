"""Fixtures for the conversation log tests: a migrated and seeded database on
SQLite and on PostgreSQL, and the real app with Rasa replaced by the fake server.

The signposting engine reads the seeded directory, so the routes that a logged
turn records are real ones. The PostgreSQL server is `SOS_TEST_POSTGRES_URL`
(default postgresql+psycopg://postgres@127.0.0.1:5432/postgres, the maintenance
database); set SOS_TEST_SKIP_POSTGRES=1 to skip the PostgreSQL cases.
"""

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from directory.app import app
from directory.db.session import get_session, make_engine, make_sessionmaker
from directory.gateway.ratelimit import (
    ClientKeys,
    GatewayLimits,
    RateLimiter,
    get_limits,
)
from directory.logs.redactors import RedactorCache
from directory.rasa_client import RasaClient, get_rasa_client
from directory.seed import (
    DATA_FILE_NAME,
    read_directory_file,
    seed_directory,
    upgrade_database,
)
from directory.settings import REPO_ROOT, settings
from tests.gateway.fake_rasa import FAKE_TOKEN, FakeRasa, ServerThread, build_app

TEST_TIMEOUT_SECONDS = 2.0
POSTGRES_URL_VARIABLE = "SOS_TEST_POSTGRES_URL"
SKIP_POSTGRES_VARIABLE = "SOS_TEST_SKIP_POSTGRES"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE_BACKENDS = ("sqlite", "postgresql")
# Tables that the tests write to, children first.
CONVERSATION_TABLES = (
    "log_turn",
    "conversation_log",
    "purged_conversation_count",
    "transcript_access",
    "chat_conversation",
)


def migrate_and_seed(database_url: str) -> None:
    """Upgrade a database to the latest revision and load the directory into it."""
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            data = read_directory_file(REPO_ROOT / "data" / DATA_FILE_NAME)
            seed_directory(session, data)
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite file migrated and seeded once, for tests to copy."""
    path = tmp_path_factory.mktemp("logs-template") / "directory.db"
    migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Create a PostgreSQL database for this test session, migrated and seeded."""
    if os.environ.get(SKIP_POSTGRES_VARIABLE) == "1":
        pytest.skip(f"{SKIP_POSTGRES_VARIABLE}=1 skips the PostgreSQL cases")

    maintenance_url = make_url(
        os.environ.get(POSTGRES_URL_VARIABLE, DEFAULT_POSTGRES_URL)
    )
    maintenance = make_engine(
        maintenance_url.render_as_string(hide_password=False)
    ).execution_options(isolation_level="AUTOCOMMIT")
    name = f"sos_logs_test_{secrets.token_hex(6)}"
    try:
        with maintenance.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        maintenance.dispose()
        pytest.fail(
            f"PostgreSQL at {maintenance_url.render_as_string()} cannot be reached "
            f"({exc.orig}). Start it, or set {SKIP_POSTGRES_VARIABLE}=1 to skip "
            "the PostgreSQL cases.",
            pytrace=False,
        )

    url = maintenance_url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate_and_seed(url)
        yield url
    finally:
        with maintenance.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        maintenance.dispose()


def clear_conversation_tables(database_url: str) -> None:
    """Delete the rows the tests write: logs, access records, gateway rows."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for table in CONVERSATION_TABLES:
                connection.execute(text(f'DELETE FROM "{table}"'))
    finally:
        engine.dispose()


@pytest.fixture(params=DATABASE_BACKENDS)
def database_url(
    request: pytest.FixtureRequest, seeded_template: Path, tmp_path: Path
) -> str:
    """Return the URL of a seeded database with no conversations, on each backend.

    On SQLite each test gets its own copy of the seeded file. On PostgreSQL the
    tests share one seeded database, and the conversation tables are emptied
    before each test.
    """
    if request.param == "sqlite":
        path = tmp_path / "directory.db"
        shutil.copyfile(seeded_template, path)
        return f"sqlite:///{path}"

    url: str = request.getfixturevalue("postgres_url")
    clear_conversation_tables(url)
    return url


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def redactors() -> RedactorCache:
    """Return a redactor cache of this test's own."""
    return RedactorCache(max_conversations=100, idle_seconds=3600)


@pytest.fixture(scope="session")
def fake_rasa_server() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    server = ServerThread(build_app(fake))
    server.start()
    fake.base_url = f"http://127.0.0.1:{server.port}"
    yield fake
    server.stop()


@pytest.fixture
def fake_rasa(fake_rasa_server: FakeRasa) -> FakeRasa:
    fake_rasa_server.reset()
    return fake_rasa_server


@pytest.fixture
def client(
    session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> Iterator[TestClient]:
    """Return a test client of the real app on the test database and fake Rasa."""

    def get_test_session() -> Iterator[Session]:
        with session_factory() as session:
            yield session

    window = settings.rate_limit_window_seconds
    limits = GatewayLimits(
        per_client=RateLimiter(settings.rate_limit_client_requests, window),
        per_conversation=RateLimiter(settings.rate_limit_conversation_messages, window),
        client_keys=ClientKeys(),
    )
    rasa = RasaClient(fake_rasa.base_url, FAKE_TOKEN, TEST_TIMEOUT_SECONDS)
    app.dependency_overrides[get_session] = get_test_session
    app.dependency_overrides[get_rasa_client] = lambda: rasa
    app.dependency_overrides[get_limits] = lambda: limits
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()
