"""Tests of the chat gateway API against the real app and a fake Rasa server."""

import threading
import time
import uuid
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker

from directory.app import app
from directory.gateway.content import get_wording
from directory.gateway.models import ChatConversation
from directory.rasa_client import RasaClient, get_rasa_client
from directory.settings import settings
from tests.gateway.fake_rasa import FAKE_TOKEN, FakeRasa, unused_port

WORDING = get_wording()
FALLBACK_ROUTES = ("999", "101", "https://www.report-it.org.uk", "0800 138 1625")
CHOICES_REPLY: list[dict[str, Any]] = [
    {
        "recipient_id": "someone",
        "text": "Did this happen in Leicester, Leicestershire or Rutland?",
        "buttons": [
            {"title": "Yes", "payload": "/affirm"},
            {"title": "No", "payload": "/deny"},
        ],
    }
]


def post_text(client: TestClient, conversation_id: str, text: str | None) -> Any:
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}
    )
    assert response.status_code == 200
    return response.json()


def post_payload(client: TestClient, conversation_id: str, payload: str) -> Any:
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"payload": payload},
    )
    assert response.status_code == 200
    return response.json()


def only_text(body: Any) -> str:
    assert len(body["messages"]) == 1
    return str(body["messages"][0]["text"])


def test_start_conversation_issues_uuid4(client: TestClient) -> None:
    response = client.post("/api/chat/conversations")

    assert response.status_code == 201
    assert uuid.UUID(response.json()["conversation_id"]).version == 4


def test_start_conversation_ignores_client_id(client: TestClient) -> None:
    chosen = "11111111-1111-4111-8111-111111111111"

    response = client.post("/api/chat/conversations", json={"conversation_id": chosen})

    assert response.json()["conversation_id"] != chosen


def test_start_conversation_stores_row(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    conversation_id = client.post("/api/chat/conversations").json()["conversation_id"]

    with session_factory() as session:
        row = session.get(ChatConversation, conversation_id)
    assert row is not None
    assert row.offered_buttons == []


def test_message_forwards_text_and_returns_reply(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    body = post_text(client, conversation_id, "  A man shouted at Tomasz on the bus  ")

    assert fake_rasa.messages_sent() == ["A man shouted at Tomasz on the bus"]
    assert body == {
        "messages": [{"text": "I'm sorry that happened to you.", "buttons": []}],
        "conversation_deleted": False,
        "assistant_unavailable": False,
    }


@pytest.mark.parametrize(
    "conversation_id",
    [
        str(uuid.uuid4()),
        "not-a-uuid",
        "0B9C3F5E-8A43-4D5E-9A3F-2F1E6C7D8B90",
        "00000000-0000-0000-0000-000000000000",
    ],
)
def test_message_unknown_conversation_is_404(
    client: TestClient, fake_rasa: FakeRasa, conversation_id: str
) -> None:
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello"}
    )

    assert response.status_code == 404
    assert "Start a new conversation" in response.json()["detail"]
    assert fake_rasa.requests == []


def test_message_uppercase_issued_id_is_404(
    client: TestClient, conversation_id: str
) -> None:
    response = client.post(
        f"/api/chat/conversations/{conversation_id.upper()}/messages",
        json={"text": "hello"},
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("text", "expected_reply"),
    [
        ("", WORDING.empty_text),
        ("   \n\t ", WORDING.empty_text),
        (None, WORDING.empty_text),
        ("\x00\x00", WORDING.empty_text),
        ("a" * 10_000, WORDING.too_long),
        ("😢😢😢", WORDING.no_words),
        ("?!?! ...", WORDING.no_words),
        ("/restart", WORDING.command_rejected),
        ('/inform{"area":"melton"}', WORDING.command_rejected),
        ("/nlu_fallback", WORDING.command_rejected),
        ("  /restart", WORDING.command_rejected),
        ("\x00/restart", WORDING.command_rejected),
    ],
)
def test_message_rejected_is_not_forwarded(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    text: str | None,
    expected_reply: str,
) -> None:
    body = post_text(client, conversation_id, text)

    assert only_text(body) == expected_reply
    assert fake_rasa.requests == []


def test_message_text_at_limit_is_forwarded(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    post_text(client, conversation_id, "a" * 2000)

    assert len(fake_rasa.messages_sent()) == 1


def test_message_nul_bytes_removed_before_forwarding(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    post_text(client, conversation_id, "they\x00 broke\x07 my window\x1b")

    assert fake_rasa.messages_sent() == ["they broke my window"]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script> they wrote this on my door",
        '<img src=x onerror="alert(1)"> and <b>bold</b> names',
        "&lt;not an entity&gt; &amp; the rest",
    ],
)
def test_message_html_forwarded_as_plain_text(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa, text: str
) -> None:
    post_text(client, conversation_id, text)

    assert fake_rasa.messages_sent() == [text]


def test_message_sql_text_leaves_database_intact(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    session_factory: sessionmaker[Session],
) -> None:
    text = "Robert'); DROP TABLE chat_conversation;-- said it was a joke"

    post_text(client, conversation_id, text)

    assert fake_rasa.messages_sent() == [text]
    with session_factory() as session:
        assert inspect(session.get_bind()).has_table("chat_conversation")
        assert session.get(ChatConversation, conversation_id) is not None


def test_message_buttons_passed_through(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    fake_rasa.webhook_reply = CHOICES_REPLY

    body = post_text(client, conversation_id, "someone threw eggs at my house")

    assert body["messages"][0]["buttons"] == [
        {"title": "Yes", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
    ]


def test_message_records_offered_buttons(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    session_factory: sessionmaker[Session],
) -> None:
    fake_rasa.webhook_reply = CHOICES_REPLY

    post_text(client, conversation_id, "someone threw eggs at my house")

    with session_factory() as session:
        row = session.get(ChatConversation, conversation_id)
    assert row is not None
    assert [button["payload"] for button in row.offered_buttons] == ["/affirm", "/deny"]


def test_payload_offered_is_forwarded(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    fake_rasa.webhook_reply = CHOICES_REPLY
    post_text(client, conversation_id, "someone threw eggs at my house")
    fake_rasa.webhook_reply = [{"text": "Thank you."}]

    body = post_payload(client, conversation_id, "/deny")

    assert fake_rasa.messages_sent()[-1] == "/deny"
    assert only_text(body) == "Thank you."


@pytest.mark.parametrize(
    "payload",
    ["/restart", '/inform{"area":"melton"}', "/AFFIRM", "/affirm ", ""],
)
def test_payload_not_offered_is_rejected(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa, payload: str
) -> None:
    fake_rasa.webhook_reply = CHOICES_REPLY
    post_text(client, conversation_id, "someone threw eggs at my house")

    body = post_payload(client, conversation_id, payload)

    assert len(fake_rasa.messages_sent()) == 1
    assert only_text(body) == WORDING.option_unavailable
    assert body["messages"][0]["buttons"] == CHOICES_REPLY[0]["buttons"]


def test_payload_from_earlier_turn_is_rejected(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    fake_rasa.webhook_reply = CHOICES_REPLY
    post_text(client, conversation_id, "someone threw eggs at my house")
    fake_rasa.webhook_reply = [{"text": "Thank you."}]
    post_payload(client, conversation_id, "/affirm")

    body = post_payload(client, conversation_id, "/deny")

    assert len(fake_rasa.messages_sent()) == 2
    assert only_text(body) == WORDING.option_unavailable_no_options


def test_payload_before_any_reply_is_rejected(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    body = post_payload(client, conversation_id, "/affirm")

    assert fake_rasa.requests == []
    assert only_text(body) == WORDING.option_unavailable_no_options


def test_payload_takes_precedence_over_text(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    fake_rasa.webhook_reply = CHOICES_REPLY
    post_text(client, conversation_id, "someone threw eggs at my house")

    client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "/restart", "payload": "/affirm"},
    )

    assert fake_rasa.messages_sent()[-1] == "/affirm"


def assert_fallback(body: Any) -> None:
    text = only_text(body)
    assert text == WORDING.assistant_unavailable
    assert body["assistant_unavailable"] is True
    for route in FALLBACK_ROUTES:
        assert route in text


def test_rasa_down_returns_fallback(client: TestClient, conversation_id: str) -> None:
    down = RasaClient(f"http://127.0.0.1:{unused_port()}", FAKE_TOKEN, 1.0)
    app.dependency_overrides[get_rasa_client] = lambda: down

    body = post_text(client, conversation_id, "my car was scratched")

    assert_fallback(body)


def test_stopped_action_server_gets_fallback_without_rasa(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    stopped_actions = f"http://127.0.0.1:{unused_port()}"
    rasa = RasaClient(
        fake_rasa.base_url, FAKE_TOKEN, 1.0, action_server_urls=[stopped_actions]
    )
    app.dependency_overrides[get_rasa_client] = lambda: rasa

    body = post_text(client, conversation_id, "my car was scratched")

    assert_fallback(body)
    assert fake_rasa.messages_sent() == []


def test_action_failed_during_turn_adds_key_routes(
    client: TestClient, conversation_id: str
) -> None:
    def servers(request: httpx.Request) -> httpx.Response:
        if request.url.host == "actions.test":
            return httpx.Response(200, json={"status": "ok"})
        # Rasa's reply when a custom action of the turn could not run.
        return httpx.Response(
            200,
            json=[
                {"text": "Is anyone in danger now?"},
                {"custom": {"actions_unavailable": True}},
            ],
        )

    rasa = RasaClient(
        "http://rasa.test",
        FAKE_TOKEN,
        1.0,
        transport=httpx.MockTransport(servers),
        action_server_urls=["http://actions.test"],
    )
    app.dependency_overrides[get_rasa_client] = lambda: rasa

    body = post_text(client, conversation_id, "my car was scratched")

    texts = [message["text"] for message in body["messages"]]
    assert texts == ["Is anyone in danger now?", WORDING.actions_unavailable]
    assert body["assistant_unavailable"] is False
    for route in FALLBACK_ROUTES:
        assert route in texts[-1]


def test_rasa_empty_reply_returns_fallback(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    fake_rasa.webhook_reply = []

    body = post_text(client, conversation_id, "my car was scratched")

    assert_fallback(body)


@pytest.mark.parametrize(
    "reply",
    [
        [{"recipient_id": "someone", "image": "https://example.org/a.png"}],
        [{"recipient_id": "someone", "custom": {"kind": "card"}}],
        [{"recipient_id": "someone", "text": ""}],
    ],
)
def test_rasa_reply_without_text_returns_fallback(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa, reply: Any
) -> None:
    fake_rasa.webhook_reply = reply

    body = post_text(client, conversation_id, "my car was scratched")

    assert_fallback(body)


def test_rasa_error_status_returns_fallback(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    fake_rasa.status_code = 500

    body = post_text(client, conversation_id, "my car was scratched")

    assert_fallback(body)


def test_rasa_slow_returns_fallback_quickly(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    fake_rasa.delay_seconds = 5.0
    quick = RasaClient(fake_rasa.base_url, FAKE_TOKEN, 0.3)
    app.dependency_overrides[get_rasa_client] = lambda: quick

    started = time.monotonic()
    body = post_text(client, conversation_id, "my car was scratched")
    elapsed = time.monotonic() - started

    assert_fallback(body)
    assert elapsed < 3.0


def test_fallback_keeps_offered_buttons(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    fake_rasa.webhook_reply = CHOICES_REPLY
    post_text(client, conversation_id, "someone threw eggs at my house")
    fake_rasa.webhook_reply = []
    post_payload(client, conversation_id, "/affirm")
    fake_rasa.webhook_reply = [{"text": "Thank you."}]

    body = post_payload(client, conversation_id, "/affirm")

    assert only_text(body) == "Thank you."


def test_message_updates_last_activity(
    client: TestClient,
    conversation_id: str,
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        row = session.get(ChatConversation, conversation_id)
        assert row is not None
        before = row.last_activity_at

    post_text(client, conversation_id, "they followed me home")

    with session_factory() as session:
        row = session.get(ChatConversation, conversation_id)
        assert row is not None
        assert row.last_activity_at > before


def test_message_text_not_stored(
    client: TestClient,
    conversation_id: str,
    session_factory: sessionmaker[Session],
) -> None:
    post_text(client, conversation_id, "Keisha was pushed outside the library")

    with session_factory() as session:
        rows = session.execute(select(ChatConversation)).scalars().all()
        stored = repr([(row.conversation_id, row.offered_buttons) for row in rows])
    assert "Keisha" not in stored


def test_delete_removes_row_and_clears_tracker(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    session_factory: sessionmaker[Session],
) -> None:
    response = client.delete(f"/api/chat/conversations/{conversation_id}")

    assert response.status_code == 204
    with session_factory() as session:
        assert session.get(ChatConversation, conversation_id) is None
    tracker_requests = fake_rasa.requests_to(f"/conversations/{conversation_id}/")
    assert [request.method for request in tracker_requests] == ["PUT"]
    assert tracker_requests[0].body == []


def test_delete_then_message_is_404(client: TestClient, conversation_id: str) -> None:
    client.delete(f"/api/chat/conversations/{conversation_id}")

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello"}
    )

    assert response.status_code == 404


def test_delete_unknown_conversation_is_404(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    response = client.delete(f"/api/chat/conversations/{uuid.uuid4()}")

    assert response.status_code == 404
    assert fake_rasa.requests == []


def test_delete_rasa_down_keeps_row(
    client: TestClient,
    conversation_id: str,
    session_factory: sessionmaker[Session],
) -> None:
    down = RasaClient(f"http://127.0.0.1:{unused_port()}", FAKE_TOKEN, 1.0)
    app.dependency_overrides[get_rasa_client] = lambda: down

    response = client.delete(f"/api/chat/conversations/{conversation_id}")

    assert response.status_code == 503
    assert "Try again" in response.json()["detail"]
    with session_factory() as session:
        assert session.get(ChatConversation, conversation_id) is not None


@pytest.mark.parametrize(
    "body",
    [{"text": 42}, {"payload": ["/affirm"]}, ["hello"], "hello"],
)
def test_message_wrong_json_shape_is_422(
    client: TestClient, conversation_id: str, body: Any
) -> None:
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json=body
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"


def test_deletion_instruction_deletes_everywhere(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    session_factory: sessionmaker[Session],
) -> None:
    fake_rasa.webhook_reply = [
        {"recipient_id": conversation_id, "text": "I've cleared this conversation."},
        {"recipient_id": conversation_id, "custom": {"delete_conversation": True}},
    ]

    body = post_text(client, conversation_id, "please delete what i said")

    assert body["conversation_deleted"] is True
    assert body["messages"] == [
        {"text": "I've cleared this conversation.", "buttons": []}
    ]
    with session_factory() as session:
        assert session.get(ChatConversation, conversation_id) is None
    tracker_requests = fake_rasa.requests_to(f"/conversations/{conversation_id}/")
    assert [request.method for request in tracker_requests] == ["PUT"]


def test_no_database_connection_held_while_rasa_replies(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    session_factory: sessionmaker[Session],
) -> None:
    fake_rasa.delay_seconds = 0.6
    pool = session_factory.kw["bind"].pool
    sending = threading.Thread(
        target=client.post,
        args=(f"/api/chat/conversations/{conversation_id}/messages",),
        kwargs={"json": {"text": "hello"}},
    )

    sending.start()
    time.sleep(0.3)
    held_while_waiting = pool.checkedout()
    sending.join()

    assert fake_rasa.messages_sent() == ["hello"]
    assert held_while_waiting == 0


def test_turns_reuse_one_rasa_connection(
    client: TestClient,
    conversation_id: str,
    fake_rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "rasa_urls", [fake_rasa.base_url])
    monkeypatch.setattr(settings, "action_server_urls", [])
    del app.dependency_overrides[get_rasa_client]

    post_text(client, conversation_id, "my car was scratched")
    post_text(client, conversation_id, "it was in hinckley")

    turns = fake_rasa.requests_to("/webhooks/")
    assert len(turns) == 2
    assert turns[0].client_port == turns[1].client_port
