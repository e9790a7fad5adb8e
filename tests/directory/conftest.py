"""Fixtures for the directory tests: a migrated, seeded database and a client.

Each test gets its own copy of a SQLite file that was migrated with Alembic and
seeded from the real data file once per session. Set SOS_TEST_DATABASE_URL (for example
postgresql+psycopg://postgres@127.0.0.1:5432/sos_test) to run the same tests
against another database instead; its directory tables are dropped before and
after each test.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine
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
TEST_DATABASE_URL_VARIABLE = "SOS_TEST_DATABASE_URL"


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


@pytest.fixture(scope="session")
def seeded_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite file migrated and seeded once, for tests to copy."""
    path = tmp_path_factory.mktemp("template") / "directory.db"
    migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return the URL of a migrated and seeded database of this test's own."""
    external_url = os.environ.get(TEST_DATABASE_URL_VARIABLE)
    if not external_url:
        template: Path = request.getfixturevalue("seeded_sqlite_template")
        path = tmp_path / "directory.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return

    command.downgrade(alembic_config(external_url), "base")
    migrate_and_seed(external_url)
    yield external_url
    command.downgrade(alembic_config(external_url), "base")


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
