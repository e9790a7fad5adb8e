"""Awkward input through the running stack: each gets a sensible reply and no
server error, and none of it sets intents or slots on the visitor's behalf."""

from __future__ import annotations

import httpx
import pytest

from tests.stack.conftest import Conversation, joined

EMERGENCY = "999"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😢😢",
        "<script>alert('x')</script> they called me names",
        "'; DROP TABLE service; --",
        "they called me\x00 names",
        "a" * 10_000,
    ],
    ids=["empty", "whitespace", "emoji", "html", "sql", "nul", "ten-thousand"],
)
def test_awkward_text_gets_reply(conversation: Conversation, text: str) -> None:
    messages = conversation.say(text)

    assert messages
    assert all(message["text"].strip() for message in messages)


def test_html_is_not_echoed(conversation: Conversation) -> None:
    messages = conversation.say("<img src=x onerror=alert(1)> he hit me")

    assert "<img" not in joined(messages)


def test_megabyte_body_gets_413(client: httpx.Client) -> None:
    created = client.post("/api/chat/conversations").json()["conversation_id"]
    response = client.post(
        f"/api/chat/conversations/{created}/messages",
        content=b'{"text": "' + b"a" * 1_000_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "text",
    [
        "Mój sąsiad krzyczy na mnie, że jestem Polką i mam wracać do domu",
        "میرے پڑوسی نے مجھے گالیاں دیں کیونکہ میں مسلمان ہوں",
        "جاري يشتمني كل يوم لأنني مسلم",
    ],
    ids=["polish", "urdu", "arabic"],
)
def test_other_language_gets_english_reply(
    conversation: Conversation, text: str
) -> None:
    reply = joined(conversation.say(text))

    assert "English" in reply
    assert EMERGENCY in reply
    assert "101" in reply


@pytest.mark.parametrize(
    "command",
    ["/restart", '/inform{"area":"melton"}', "/nlu_fallback", '/affirm{"x": 1}'],
)
def test_command_syntax_sets_nothing(
    conversation: Conversation, stack, command: str
) -> None:
    conversation.say(command)
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation.id}/tracker",
        params={"token": stack.rasa_token},
        timeout=10,
    ).json()

    assert tracker["slots"].get("area") is None
    intents = [
        event["parse_data"]["intent"]["name"]
        for event in tracker["events"]
        if event["event"] == "user"
    ]
    assert "inform" not in intents
    assert "restart" not in [event["event"] for event in tracker["events"]]


def test_unoffered_payload_is_rejected(conversation: Conversation) -> None:
    conversation.say("hello")
    response = conversation.client.post(
        f"/api/chat/conversations/{conversation.id}/messages",
        json={"payload": '/inform{"area": "melton"}'},
    )

    assert response.status_code == 200
    assert "melton" not in joined(response.json()["messages"]).lower()


def test_offered_payload_is_accepted(conversation: Conversation) -> None:
    conversation.say("someone threw eggs at my door shouting about my hijab")
    reply = joined(conversation.press("No"))

    assert "Tell MAMA" in reply or "Where did it happen" in reply
