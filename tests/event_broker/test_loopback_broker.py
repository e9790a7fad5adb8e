"""The loopback event broker, against a small real HTTP server on 127.0.0.1.

The server plays the directory service's ingest endpoint: it records every
request and replies with chosen status codes. Each test runs its own event
loop, because Rasa's broker and the server share one.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable, Dict, List

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from event_broker import loopback
from event_broker.loopback import LoopbackEventBroker

TOKEN = "test-ingest-token"


class IngestServer:
    """Records posted batches; replies with the next queued status, then 200."""

    def __init__(self) -> None:
        self.batches: List[List[Dict[str, Any]]] = []
        self.batch_ids: List[str] = []
        self.authorizations: List[str] = []
        self.statuses: List[int] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/logs/events", self._receive)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/logs/events"

    async def stop(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.authorizations.append(request.headers.get("Authorization", ""))
        self.batch_ids.append(body["batch_id"])
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200:
            self.batches.append(body["events"])
        return web.json_response({"stored": 0, "dropped": 0}, status=status)

    def events(self) -> List[Dict[str, Any]]:
        return [event for batch in self.batches for event in batch]


def user_event(number: int, text: str = "hello") -> Dict[str, Any]:
    return {
        "sender_id": "conversation-1",
        "event": "user",
        "text": f"{text} {number}",
        "parse_data": {
            "intent": {"name": "greet", "confidence": 0.9},
            "entities": [],
            "text": f"{text} {number}",
            "intent_ranking": [{"name": "greet", "confidence": 0.9}],
        },
    }


def run(scenario: Callable[[IngestServer], Awaitable[None]]) -> IngestServer:
    """Run `scenario` with a started server in a new event loop."""
    server = IngestServer()

    async def main() -> None:
        await server.start()
        try:
            await scenario(server)
        finally:
            await server.stop()

    asyncio.run(main())
    return server


async def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_events_posted_in_order() -> None:
    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(server.url, TOKEN)
        for number in range(20):
            broker.publish(user_event(number))
        await wait_for(lambda: len(server.events()) == 20)
        await broker.close()

    server = run(scenario)

    assert [event["text"] for event in server.events()] == [
        f"hello {number}" for number in range(20)
    ]


def test_close_events_share_a_batch() -> None:
    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(server.url, TOKEN, flush_delay_seconds=0.3)
        broker.publish(user_event(1))
        await asyncio.sleep(0.1)
        broker.publish(user_event(2))
        await asyncio.sleep(0.05)
        assert server.batches == []
        await wait_for(lambda: len(server.events()) == 2)
        await broker.close()

    server = run(scenario)

    assert [[event["text"] for event in batch] for batch in server.batches] == [
        ["hello 1", "hello 2"]
    ]


def test_close_posts_events_still_waiting() -> None:
    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(server.url, TOKEN, flush_delay_seconds=0.5)
        broker.publish(user_event(1))
        await broker.close()

    server = run(scenario)

    assert [event["text"] for event in server.events()] == ["hello 1"]


def test_bearer_token_sent() -> None:
    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(server.url, TOKEN)
        broker.publish(user_event(1))
        await wait_for(lambda: len(server.events()) == 1)
        await broker.close()

    server = run(scenario)

    assert server.authorizations == [f"Bearer {TOKEN}"]


def test_batches_stay_under_limit() -> None:
    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(server.url, TOKEN, max_batch_bytes=2000)
        for number in range(30):
            broker.publish(user_event(number, "x" * 300))
        await wait_for(lambda: len(server.events()) == 30)
        await broker.close()

    server = run(scenario)

    assert len(server.batches) > 1
    for batch in server.batches:
        # The limit counts the events; the list adds brackets and separators.
        assert len(json.dumps(batch)) <= 2000 + 2 * len(batch) + 2


def test_unused_parse_data_removed() -> None:
    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(server.url, TOKEN)
        broker.publish(user_event(1))
        await wait_for(lambda: len(server.events()) == 1)
        await broker.close()

    server = run(scenario)

    [event] = server.events()
    assert event["text"] == "hello 1"
    assert event["parse_data"]["intent"]["name"] == "greet"
    assert "intent_ranking" not in event["parse_data"]
    assert "text" not in event["parse_data"]


def test_server_error_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loopback, "RETRY_DELAY_SECONDS", 0.01)

    async def scenario(server: IngestServer) -> None:
        server.statuses = [500, 503]
        broker = LoopbackEventBroker(server.url, TOKEN, attempts=3)
        broker.publish(user_event(1))
        await wait_for(lambda: len(server.events()) == 1)
        await broker.close()

    server = run(scenario)

    assert [event["text"] for event in server.events()] == ["hello 1"]
    assert len(server.authorizations) == 3
    assert len(set(server.batch_ids)) == 1


def test_batches_have_new_ids() -> None:
    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(server.url, TOKEN)
        broker.publish(user_event(1))
        await wait_for(lambda: len(server.events()) == 1)
        broker.publish(user_event(2))
        await wait_for(lambda: len(server.events()) == 2)
        await broker.close()

    server = run(scenario)

    assert len(set(server.batch_ids)) == 2


def test_rejected_batch_dropped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(loopback, "RETRY_DELAY_SECONDS", 0.01)

    async def scenario(server: IngestServer) -> None:
        server.statuses = [401]
        broker = LoopbackEventBroker(server.url, TOKEN, attempts=3)
        broker.publish(user_event(1, "Farida Quennell"))
        await wait_for(lambda: len(server.authorizations) == 1)
        broker.publish(user_event(2))
        await wait_for(lambda: len(server.events()) == 1)
        await broker.close()

    server = run(scenario)

    assert len(server.authorizations) == 2
    assert [event["text"] for event in server.events()] == ["hello 2"]
    assert "Dropped 1 conversation events" in caplog.text
    assert "Quennell" not in caplog.text


def test_unreachable_service_dropped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(loopback, "RETRY_DELAY_SECONDS", 0.01)

    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(
            "http://127.0.0.1:9/api/logs/events", TOKEN, attempts=2
        )
        broker.publish(user_event(1, "Farida Quennell"))
        await wait_for(lambda: "Dropped" in caplog.text)
        await broker.close()

    run(scenario)

    assert "ClientConnectorError" in caplog.text
    assert "Quennell" not in caplog.text


def test_close_sends_queued_events() -> None:
    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(server.url, TOKEN)
        for number in range(5):
            broker.publish(user_event(number))
        await broker.close()

    server = run(scenario)

    assert len(server.events()) == 5


def test_full_queue_drops_oldest() -> None:
    async def scenario(server: IngestServer) -> None:
        broker = LoopbackEventBroker(server.url, TOKEN, max_pending_events=3)
        for number in range(6):
            broker.publish(user_event(number))
        await broker.close()

    server = run(scenario)

    assert [event["text"] for event in server.events()] == [
        "hello 3",
        "hello 4",
        "hello 5",
    ]


def test_built_from_endpoint_config() -> None:
    config = EndpointConfig(
        url="http://127.0.0.1:8000/api/logs/events",
        token=TOKEN,
        type="event_broker.loopback.LoopbackEventBroker",
        max_batch_bytes=4096,
    )

    broker = asyncio.run(LoopbackEventBroker.from_endpoint_config(config))

    assert broker.url == "http://127.0.0.1:8000/api/logs/events"
    assert broker.token == TOKEN
    assert broker.max_batch_bytes == 4096


def test_missing_token_rejected() -> None:
    with pytest.raises(ValueError, match="needs `token`"):
        LoopbackEventBroker("http://127.0.0.1:8000/api/logs/events", "")
