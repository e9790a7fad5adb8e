"""Tests that no log record at any level contains what a visitor typed."""

import logging

import pytest
from fastapi.testclient import TestClient

from directory.app import app
from directory.rasa_client import RasaClient, get_rasa_client
from tests.gateway.fake_rasa import FAKE_TOKEN, FakeRasa, unused_port

PLANTED = "Marguerite Okonkwo-Lindqvist was attacked at 17 Larkspur Row"


def record_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = []
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(repr(record.args))
        if record.exc_text:
            texts.append(record.exc_text)
    return texts


def assert_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    for text in record_texts(caplog):
        assert "Okonkwo" not in text
        assert "Larkspur" not in text


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def test_forwarded_message_not_logged(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": PLANTED}
    )

    assert fake_rasa.messages_sent() == [PLANTED]
    assert_not_logged(debug_logs)


@pytest.mark.parametrize(
    "text",
    [f"/{PLANTED}", PLANTED * 100, f"\x00{PLANTED}"],
)
def test_rejected_message_not_logged(
    client: TestClient,
    conversation_id: str,
    debug_logs: pytest.LogCaptureFixture,
    text: str,
) -> None:
    client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}
    )

    assert_not_logged(debug_logs)


@pytest.mark.parametrize("reply", [[], None])
def test_rasa_failure_not_logged(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    debug_logs: pytest.LogCaptureFixture,
    reply: list[object] | None,
) -> None:
    if reply is None:
        down = RasaClient(f"http://127.0.0.1:{unused_port()}", FAKE_TOKEN, 1.0)
        app.dependency_overrides[get_rasa_client] = lambda: down
    else:
        fake_rasa.webhook_reply = reply

    client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": PLANTED}
    )

    assert debug_logs.records, "the failure should be logged"
    assert_not_logged(debug_logs)


def test_failure_log_names_conversation(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    fake_rasa.webhook_reply = []

    client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": PLANTED}
    )

    errors = [r for r in debug_logs.records if r.levelno >= logging.ERROR]
    assert any(conversation_id in record.getMessage() for record in errors)


def test_stale_payload_not_logged(
    client: TestClient, conversation_id: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"payload": f'/inform{{"name": "{PLANTED}"}}'},
    )

    assert_not_logged(debug_logs)


@pytest.mark.parametrize("status_code", [200, 500])
def test_assessed_text_not_logged(
    client: TestClient,
    fake_rasa: FakeRasa,
    debug_logs: pytest.LogCaptureFixture,
    status_code: int,
) -> None:
    fake_rasa.status_code = status_code
    fake_rasa.parse_reply = {
        "text": PLANTED,
        "intent": {"name": "describe_incident", "confidence": 0.9},
        "entities": [
            {"entity": "characteristic", "value": "race"},
            {"entity": "area", "value": PLANTED},
        ],
    }

    client.post("/api/assess", json={"text": PLANTED})

    assert_not_logged(debug_logs)
