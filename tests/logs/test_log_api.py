"""The gateway's log calls and the token-protected ingest endpoint."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.logs.models import ConversationLog, LogTurn
from directory.logs.redactors import get_redactor_cache
from directory.logs.store import REFERENCE_ALPHABET
from directory.settings import settings
from tests.gateway.fake_rasa import FakeRasa
from tests.logs.events import action_event, user_event

EVENTS_PATH = "/api/logs/events"


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.log_ingest_token}"}


def start(client: TestClient, body: dict[str, str] | None = None) -> dict[str, str]:
    if body is None:
        response = client.post("/api/chat/conversations")
    else:
        response = client.post("/api/chat/conversations", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def load_log(
    session_factory: sessionmaker[Session], conversation_id: str
) -> ConversationLog | None:
    with session_factory() as session:
        return session.get(ConversationLog, conversation_id)


def test_start_opens_log_with_reference(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    started = start(client)

    log = load_log(session_factory, started["conversation_id"])
    assert log is not None
    assert log.reference == started["reference"]
    assert len(started["reference"]) == 8
    assert set(started["reference"]) <= set(REFERENCE_ALPHABET)
    assert log.utm_source is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"utm_source": "TikTok", "utm_medium": "paid_social", "utm_campaign": "x"},
            ("tiktok", "paid_social", "x"),
        ),
        (
            {"utm_source": "meta", "utm_medium": "cpc", "utm_campaign": "q1-2027"},
            ("meta", "cpc", "q1-2027"),
        ),
        (
            {"utm_source": "newsletter", "utm_medium": "banner"},
            ("other", "other", None),
        ),
        (
            {"utm_campaign": "priya.shah@example.org"},
            (None, None, None),
        ),
        (
            {"utm_campaign": "Priya Shah"},
            (None, None, None),
        ),
        (
            {"utm_source": "google", "utm_medium": "display"},
            ("google", "display", None),
        ),
    ],
)
def test_campaign_fields_normalised(
    client: TestClient,
    session_factory: sessionmaker[Session],
    body: dict[str, str],
    expected: tuple[str | None, str | None, str | None],
) -> None:
    started = start(client, body)

    log = load_log(session_factory, started["conversation_id"])
    assert log is not None
    assert (log.utm_source, log.utm_medium, log.utm_campaign) == expected


@pytest.mark.parametrize(
    "slug", ["jo.bloggs", "for-jo-bloggs", "Kwame_Asante", "thanks.priya.shah"]
)
def test_campaign_slug_with_name_dropped(
    client: TestClient, session_factory: sessionmaker[Session], slug: str
) -> None:
    started = start(client, {"utm_source": "meta", "utm_campaign": slug})

    log = load_log(session_factory, started["conversation_id"])
    assert log is not None
    assert log.utm_campaign is None
    assert log.utm_source == "meta"


@pytest.mark.parametrize(
    "slug", ["hate-crime-awareness-week", "leicester_pride.2027", "eid-2027"]
)
def test_campaign_slug_without_name_kept(
    client: TestClient, session_factory: sessionmaker[Session], slug: str
) -> None:
    started = start(client, {"utm_campaign": slug})

    log = load_log(session_factory, started["conversation_id"])
    assert log is not None
    assert log.utm_campaign == slug


def test_campaign_value_too_long_rejected(client: TestClient) -> None:
    response = client.post("/api/chat/conversations", json={"utm_campaign": "a" * 201})

    assert response.status_code == 422


def test_ingest_needs_token(client: TestClient) -> None:
    started = start(client)
    events = [user_event(started["conversation_id"], "hello", "greet")]

    missing = client.post(EVENTS_PATH, json={"events": events})
    wrong = client.post(
        EVENTS_PATH,
        json={"events": events},
        headers={"Authorization": "Bearer not-the-token"},
    )

    assert missing.status_code == 401
    assert wrong.status_code == 401


def test_ingest_stores_turn(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    conversation_id = start(client)["conversation_id"]
    events = [
        user_event(conversation_id, "hello", "greet", 0.97),
        action_event(conversation_id, "utter_greet"),
        action_event(conversation_id, "action_listen"),
    ]

    response = client.post(EVENTS_PATH, json={"events": events}, headers=auth())

    assert response.status_code == 200
    assert response.json() == {"stored": 3, "dropped": 0, "duplicate": False}
    with session_factory() as session:
        turn = session.scalars(
            select(LogTurn).where(LogTurn.conversation_id == conversation_id)
        ).one()
    assert turn.intent == "greet"
    assert turn.complete


def test_ingest_drops_unknown_conversation(client: TestClient) -> None:
    events = [user_event("5b0c5f0e-8a57-4d8a-9b59-0c3a9f1e2d41", "hello")]

    response = client.post(EVENTS_PATH, json={"events": events}, headers=auth())

    assert response.json() == {"stored": 0, "dropped": 1, "duplicate": False}


def test_quick_exit_deletes_log(
    client: TestClient, session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    conversation_id = start(client)["conversation_id"]
    client.post(
        EVENTS_PATH,
        json={"events": [user_event(conversation_id, "hello", "greet")]},
        headers=auth(),
    )
    assert conversation_id in get_redactor_cache()

    response = client.delete(f"/api/chat/conversations/{conversation_id}")

    assert response.status_code == 204
    assert load_log(session_factory, conversation_id) is None
    assert conversation_id not in get_redactor_cache()
    with session_factory() as session:
        assert not session.scalars(
            select(LogTurn).where(LogTurn.conversation_id == conversation_id)
        ).all()


def test_delete_request_from_visitor_deletes_log(
    client: TestClient, session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    conversation_id = start(client)["conversation_id"]
    client.post(
        EVENTS_PATH,
        json={"events": [user_event(conversation_id, "hello", "greet")]},
        headers=auth(),
    )
    fake_rasa.webhook_reply = [
        {"recipient_id": conversation_id, "text": "I've deleted it."},
        {"recipient_id": conversation_id, "custom": {"delete_conversation": True}},
    ]

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "please delete what I said"},
    )

    assert response.json()["conversation_deleted"] is True
    assert load_log(session_factory, conversation_id) is None


def test_events_after_quick_exit_dropped(
    client: TestClient, session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    conversation_id = start(client)["conversation_id"]
    client.delete(f"/api/chat/conversations/{conversation_id}")

    response = client.post(
        EVENTS_PATH,
        json={"events": [user_event(conversation_id, "late event")]},
        headers=auth(),
    )

    assert response.json() == {"stored": 0, "dropped": 1, "duplicate": False}
    assert load_log(session_factory, conversation_id) is None


def test_unanswered_message_counted(
    client: TestClient, session_factory: sessionmaker[Session], fake_rasa: FakeRasa
) -> None:
    conversation_id = start(client)["conversation_id"]
    fake_rasa.webhook_reply = []

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "someone shouted at me"},
    )
    fake_rasa.webhook_reply = [{"recipient_id": conversation_id, "text": "Hello."}]
    client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hi"}
    )

    assert response.json()["assistant_unavailable"] is True
    log = load_log(session_factory, conversation_id)
    assert log is not None
    assert log.unanswered_turns == 1


def test_repeated_batch_stored_once(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    conversation_id = start(client)["conversation_id"]
    body = {
        "batch_id": uuid.uuid4().hex,
        "events": [
            user_event(conversation_id, "hello", "greet"),
            action_event(conversation_id, "action_listen"),
        ],
    }

    first = client.post(EVENTS_PATH, json=body, headers=auth())
    second = client.post(EVENTS_PATH, json=body, headers=auth())

    assert first.json() == {"stored": 2, "dropped": 0, "duplicate": False}
    assert second.json() == {"stored": 0, "dropped": 0, "duplicate": True}
    with session_factory() as session:
        turns = session.scalars(
            select(LogTurn).where(LogTurn.conversation_id == conversation_id)
        ).all()
    assert len(turns) == 1


def test_message_carries_erasure_reference(
    client: TestClient, fake_rasa: FakeRasa
) -> None:
    started = start(client)

    response = client.post(
        f"/api/chat/conversations/{started['conversation_id']}/messages",
        json={"text": "can i have a reference number"},
    )

    assert response.status_code == 200, response.text
    [sent] = fake_rasa.requests_to("/webhooks/rest/webhook")
    assert sent.body["metadata"] == {"erasure_reference": started["reference"]}
    assert sent.body["message"] == "can i have a reference number"


def test_message_without_log_has_no_metadata(
    client: TestClient,
    session_factory: sessionmaker[Session],
    fake_rasa: FakeRasa,
) -> None:
    started = start(client)
    with session_factory() as session:
        session.delete(load_log_in(session, started["conversation_id"]))
        session.commit()

    response = client.post(
        f"/api/chat/conversations/{started['conversation_id']}/messages",
        json={"text": "hello"},
    )

    assert response.status_code == 200, response.text
    [sent] = fake_rasa.requests_to("/webhooks/rest/webhook")
    assert "metadata" not in sent.body


def load_log_in(session: Session, conversation_id: str) -> ConversationLog:
    log = session.get(ConversationLog, conversation_id)
    assert log is not None
    return log
