"""Responses of the service when its database cannot be reached.

The service's sessions are pointed at a PostgreSQL address where nothing
listens, so every query fails to connect, as it does when the server stops.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.app import app
from directory.db.session import get_session, make_engine, make_sessionmaker
from directory.gateway.content import get_wording
from tests.directory.staff.conftest import csrf_token
from tests.gateway.fake_rasa import unused_port

CONVERSATION_ID = "0f8e2d4c-6b1a-4c3e-9d7f-5a2b8c1e0d36"


@pytest.fixture
def client() -> Iterator[TestClient]:
    engine = make_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{unused_port()}/nothing"
    )
    unreachable = make_sessionmaker(engine)

    def session() -> Iterator[Session]:
        with unreachable() as opened:
            yield opened

    app.dependency_overrides[get_session] = session
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.dependency_overrides.clear()
    engine.dispose()


def test_chat_message_gets_the_key_routes(client: TestClient) -> None:
    response = client.post(
        f"/api/chat/conversations/{CONVERSATION_ID}/messages",
        json={"text": "someone smashed my window"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["assistant_unavailable"] is True
    assert body["messages"][0]["text"] == get_wording().assistant_unavailable


def test_new_conversation_is_refused_with_503(client: TestClient) -> None:
    response = client.post("/api/chat/conversations")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "database is not available" in response.json()["detail"]


def test_staff_sign_in_says_what_happened(client: TestClient) -> None:
    form = client.get("/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        data={
            "email": "rita.reviewer@example.org.uk",
            "password": "an invented password",
            "csrf_token": csrf_token(form.text),
        },
        follow_redirects=False,
    )

    assert response.status_code == 503
    assert "The directory is not available" in response.text
    assert "Traceback" not in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src")


def test_directory_api_answers_503(client: TestClient) -> None:
    response = client.get("/openreferral/services")

    assert response.status_code == 503


def test_log_line_names_no_statement(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.post(
        f"/api/chat/conversations/{CONVERSATION_ID}/messages",
        json={"text": "my neighbour Ottilie Vance hit me"},
    )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Database unreachable during POST" in logged
    assert "Ottilie" not in logged
    assert "SELECT" not in logged
