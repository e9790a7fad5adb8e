"""Tests of deleting a conversation with a body-less POST, as `sendBeacon` sends it."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.gateway.models import ChatConversation
from tests.gateway.fake_rasa import FakeRasa


def beacon_url(conversation_id: str) -> str:
    return f"/api/chat/conversations/{conversation_id}/delete"


def test_beacon_deletes_row_and_tracker(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    session_factory: sessionmaker[Session],
) -> None:
    response = client.post(beacon_url(conversation_id))

    assert response.status_code == 204
    with session_factory() as session:
        assert session.get(ChatConversation, conversation_id) is None
    cleared = fake_rasa.requests_to(f"/conversations/{conversation_id}/tracker")
    assert [request.body for request in cleared] == [[]]


def test_beacon_text_plain_body_is_accepted(
    client: TestClient, conversation_id: str
) -> None:
    response = client.post(
        beacon_url(conversation_id),
        content=b"",
        headers={"content-type": "text/plain;charset=UTF-8"},
    )

    assert response.status_code == 204


def test_beacon_then_message_is_404(client: TestClient, conversation_id: str) -> None:
    client.post(beacon_url(conversation_id))

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hi"}
    )

    assert response.status_code == 404


def test_beacon_unknown_conversation_is_404(client: TestClient) -> None:
    response = client.post(beacon_url("6f1c1f7e-3f5e-4d7a-9a43-2f0b8f0e8a11"))

    assert response.status_code == 404


def test_beacon_rasa_down_keeps_row(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    session_factory: sessionmaker[Session],
) -> None:
    fake_rasa.status_code = 500

    response = client.post(beacon_url(conversation_id))

    assert response.status_code == 503
    with session_factory() as session:
        assert session.get(ChatConversation, conversation_id) is not None
