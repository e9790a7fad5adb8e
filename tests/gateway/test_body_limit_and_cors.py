"""Tests of the request body limit and the CORS policy of the chat API."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from directory.gateway.content import get_wording
from directory.gateway.middleware import BodySizeLimitMiddleware
from directory.settings import settings
from tests.gateway.fake_rasa import FakeRasa

ALLOWED_ORIGIN = settings.allowed_origins[0]
OTHER_ORIGIN = "https://attacker.example"
ONE_MEGABYTE = 1024 * 1024


def test_one_megabyte_body_is_413(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "a" * ONE_MEGABYTE},
    )

    assert response.status_code == 413
    assert response.json() == {"detail": get_wording().body_too_large}
    assert fake_rasa.requests == []


def test_event_ingest_has_larger_limit(client: TestClient) -> None:
    events = {"events": [{"event": "bot", "text": "x" * 2 * settings.max_body_bytes}]}

    response = client.post("/api/logs/events", json=events)

    assert response.status_code == 401


def test_streamed_body_over_limit_is_413(
    client: TestClient, conversation_id: str, fake_rasa: FakeRasa
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"a" * 10_000
        yield b'"}'

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        content=chunks(),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert "shorten" in response.json()["detail"]
    assert fake_rasa.requests == []


def test_body_under_limit_passes(client: TestClient, conversation_id: str) -> None:
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "a" * 60_000},
    )

    assert response.status_code == 200


class RecordingApp:
    """ASGI app that records the body it receives and returns 200."""

    def __init__(self) -> None:
        self.body = b""
        self.called = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        message = await receive()
        self.body = message.get("body", b"")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def run_middleware(
    chunks: list[bytes], headers: list[tuple[bytes, bytes]], limit: int
) -> tuple[RecordingApp, list[Message]]:
    inner = RecordingApp()
    middleware = BodySizeLimitMiddleware(
        inner, max_body_bytes=limit, message="Too big."
    )
    incoming: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/api/chat/x",
        "headers": headers,
    }
    asyncio.run(middleware(scope, receive, send))
    return inner, sent


def test_middleware_declared_length_over_limit_rejects() -> None:
    inner, sent = run_middleware([b"x" * 5], [(b"content-length", b"11")], limit=10)

    assert inner.called is False
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == {"detail": "Too big."}


def test_middleware_chunks_over_limit_reject() -> None:
    inner, sent = run_middleware([b"x" * 6, b"x" * 6], [], limit=10)

    assert inner.called is False
    assert sent[0]["status"] == 413


def test_middleware_replays_body_in_one_message() -> None:
    inner, sent = run_middleware([b"abc", b"def"], [], limit=10)

    assert inner.body == b"abcdef"
    assert sent[0]["status"] == 200


@pytest.mark.parametrize("declared", [b"\xc2\xb2", b"-1", b"ten", b""])
def test_middleware_invalid_length_counts_bytes(declared: bytes) -> None:
    inner, sent = run_middleware([b"x" * 11], [(b"content-length", declared)], limit=10)

    assert inner.called is False
    assert sent[0]["status"] == 413


def test_middleware_body_at_limit_passes() -> None:
    inner, _ = run_middleware([b"x" * 10], [(b"content-length", b"10")], limit=10)

    assert inner.called is True


def test_cors_allowed_origin_gets_header(client: TestClient) -> None:
    response = client.options(
        "/api/chat/conversations",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_cors_other_origin_gets_no_header(client: TestClient) -> None:
    response = client.post("/api/chat/conversations", headers={"Origin": OTHER_ORIGIN})

    assert "access-control-allow-origin" not in response.headers


def test_cors_preflight_other_origin_is_rejected(client: TestClient) -> None:
    response = client.options(
        "/api/chat/conversations",
        headers={"Origin": OTHER_ORIGIN, "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_cors_not_applied_outside_chat(client: TestClient) -> None:
    response = client.get("/", headers={"Origin": ALLOWED_ORIGIN})

    assert "access-control-allow-origin" not in response.headers


def test_cors_on_413_for_allowed_origin(
    client: TestClient, conversation_id: str
) -> None:
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        content=b"x" * (settings.max_body_bytes + 1),
        headers={"Origin": ALLOWED_ORIGIN, "content-type": "application/json"},
    )

    assert response.status_code == 413
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
