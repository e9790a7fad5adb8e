"""Fixtures for the gateway, assessment and chat page tests.

The app under test is the real `directory.app.app`. Only its edges are
replaced: the database by a temporary SQLite file and Rasa by a fake server on
127.0.0.1 (see `fake_rasa.py`).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.app import app
from directory.db.base import Base
from directory.db.session import get_session, make_engine, make_sessionmaker
from directory.gateway.ratelimit import (
    ClientKeys,
    GatewayLimits,
    RateLimiter,
    get_limits,
)
from directory.rasa_client import RasaClient, get_rasa_client
from directory.settings import settings
from tests.gateway.fake_rasa import (
    FAKE_TOKEN,
    FakeRasa,
    ServerThread,
    build_app,
)

# Timeout of the default test client: long enough for a loaded host, short
# enough that a hung request fails the test quickly.
TEST_TIMEOUT_SECONDS = 1.0


@pytest.fixture(scope="session")
def fake_rasa_server() -> Iterator[FakeRasa]:
    """Run one fake Rasa server for the whole test session."""
    fake = FakeRasa()
    server = ServerThread(build_app(fake))
    server.start()
    fake.base_url = f"http://127.0.0.1:{server.port}"
    yield fake
    server.stop()


@pytest.fixture
def fake_rasa(fake_rasa_server: FakeRasa) -> FakeRasa:
    """Return the fake Rasa server with default replies and no recorded requests."""
    fake_rasa_server.reset()
    return fake_rasa_server


@pytest.fixture
def rasa_client(fake_rasa: FakeRasa) -> RasaClient:
    """Return a client for the fake Rasa server."""
    return RasaClient(fake_rasa.base_url, FAKE_TOKEN, TEST_TIMEOUT_SECONDS)


@pytest.fixture
def session_factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Return a session factory for a new SQLite database with every table."""
    engine = make_engine(f"sqlite:///{tmp_path / 'directory.db'}")
    Base.metadata.create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def limits() -> GatewayLimits:
    """Return fresh rate limiters with the limits of the settings.

    Each test gets its own, because every test client comes from the same
    address and the process-wide limiters would carry over between tests.
    """
    window = settings.rate_limit_window_seconds
    return GatewayLimits(
        per_client=RateLimiter(settings.rate_limit_client_requests, window),
        per_conversation=RateLimiter(settings.rate_limit_conversation_messages, window),
        client_keys=ClientKeys(),
    )


@pytest.fixture
def client(
    session_factory: sessionmaker[Session],
    rasa_client: RasaClient,
    limits: GatewayLimits,
) -> Iterator[TestClient]:
    """Return a test client of the real app wired to the test database and Rasa."""

    def get_test_session() -> Iterator[Session]:
        with session_factory() as session:
            yield session

    app.dependency_overrides[get_session] = get_test_session
    app.dependency_overrides[get_rasa_client] = lambda: rasa_client
    app.dependency_overrides[get_limits] = lambda: limits
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest.fixture
def conversation_id(client: TestClient) -> str:
    """Start a conversation and return its id."""
    response = client.post("/api/chat/conversations")
    return str(response.json()["conversation_id"])
