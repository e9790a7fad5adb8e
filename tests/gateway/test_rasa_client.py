"""Tests of the Rasa client against the fake Rasa server and mock transports."""

from collections.abc import Iterator

import httpx
import pytest

from directory import rasa_client as rasa_client_module
from directory.rasa_client import RasaClient, RasaConnections, RasaUnavailable
from tests.gateway.fake_rasa import FAKE_TOKEN, FakeRasa, unused_port

pytestmark = pytest.mark.asyncio

CONVERSATION_ID = "0b9c3f5e-8a43-4d5e-9a3f-2f1e6c7d8b90"


def client_with(handler: httpx.MockTransport) -> RasaClient:
    return RasaClient("http://rasa.test", FAKE_TOKEN, 1.0, transport=handler)


async def test_send_message_posts_sender_and_text(
    rasa_client: RasaClient, fake_rasa: FakeRasa
) -> None:
    await rasa_client.send_message(CONVERSATION_ID, "someone spat at Amara")

    request = fake_rasa.requests_to("/webhooks/rest/webhook")[0]
    assert request.body == {
        "sender": CONVERSATION_ID,
        "message": "someone spat at Amara",
    }


async def test_send_message_returns_bot_messages(rasa_client: RasaClient) -> None:
    messages = await rasa_client.send_message(CONVERSATION_ID, "hello")

    assert messages[0]["text"] == "I'm sorry that happened to you."


async def test_send_message_empty_list_raises(
    rasa_client: RasaClient, fake_rasa: FakeRasa
) -> None:
    fake_rasa.webhook_reply = []

    with pytest.raises(RasaUnavailable, match="empty list"):
        await rasa_client.send_message(CONVERSATION_ID, "hello")


async def test_parse_sends_token_and_text(
    rasa_client: RasaClient, fake_rasa: FakeRasa
) -> None:
    result = await rasa_client.parse("my neighbour threatened me")

    request = fake_rasa.requests_to("/model/parse")[0]
    assert request.token == FAKE_TOKEN
    assert request.body == {"text": "my neighbour threatened me"}
    assert result["intent"]["name"] == "greet"


async def test_parse_wrong_token_raises(fake_rasa: FakeRasa) -> None:
    client = RasaClient(fake_rasa.base_url, "wrong-token", 1.0)

    with pytest.raises(RasaUnavailable, match="HTTP 401"):
        await client.parse("hello")


async def test_delete_conversation_replaces_events(
    rasa_client: RasaClient, fake_rasa: FakeRasa
) -> None:
    await rasa_client.delete_conversation(CONVERSATION_ID)

    request = fake_rasa.requests[0]
    assert request.method == "PUT"
    assert request.path == f"/conversations/{CONVERSATION_ID}/tracker/events"
    assert request.token == FAKE_TOKEN
    assert request.body == []


async def test_unreachable_rasa_raises() -> None:
    client = RasaClient(f"http://127.0.0.1:{unused_port()}", FAKE_TOKEN, 1.0)

    with pytest.raises(RasaUnavailable, match="could not connect to any Rasa server"):
        await client.send_message(CONVERSATION_ID, "hello")


async def test_slow_rasa_times_out(fake_rasa: FakeRasa) -> None:
    fake_rasa.delay_seconds = 2.0
    client = RasaClient(fake_rasa.base_url, FAKE_TOKEN, 0.2)

    with pytest.raises(RasaUnavailable, match="timed out"):
        await client.send_message(CONVERSATION_ID, "hello")


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(500, json={"message": "boom"}), "HTTP 500"),
        (httpx.Response(200, text="<html>proxy</html>"), "not JSON"),
        (httpx.Response(200, json={"text": "hi"}), "not a list"),
    ],
)
async def test_send_message_bad_reply_raises(
    response: httpx.Response, message: str
) -> None:
    client = client_with(httpx.MockTransport(lambda request: response))

    with pytest.raises(RasaUnavailable, match=message):
        await client.send_message(CONVERSATION_ID, "hello")


async def test_parse_non_object_raises() -> None:
    reply = httpx.Response(200, json=["not", "an", "object"])
    client = client_with(httpx.MockTransport(lambda request: reply))

    with pytest.raises(RasaUnavailable, match="not an object"):
        await client.parse("hello")


async def test_webhook_request_carries_no_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[{"text": "hi"}])

    await client_with(httpx.MockTransport(handler)).send_message(CONVERSATION_ID, "hi")

    assert "token" not in seen[0].url.params


async def test_connections_carry_consecutive_turns(fake_rasa: FakeRasa) -> None:
    connections = RasaConnections()
    client = RasaClient(fake_rasa.base_url, FAKE_TOKEN, 1.0, connections=connections)
    try:
        await client.send_message(CONVERSATION_ID, "hello")
        await client.parse("my neighbour threatened me")
    finally:
        await connections.close()

    ports = {request.client_port for request in fake_rasa.requests}
    assert len(fake_rasa.requests) == 2
    assert len(ports) == 1


async def test_without_connections_each_request_connects(
    rasa_client: RasaClient, fake_rasa: FakeRasa
) -> None:
    await rasa_client.send_message(CONVERSATION_ID, "hello")
    await rasa_client.parse("my neighbour threatened me")

    ports = {request.client_port for request in fake_rasa.requests}
    assert len(ports) == 2


async def test_closed_connections_reopen_on_request(
    fake_rasa: FakeRasa,
) -> None:
    connections = RasaConnections()
    client = RasaClient(fake_rasa.base_url, FAKE_TOKEN, 1.0, connections=connections)
    await client.send_message(CONVERSATION_ID, "hello")
    await connections.close()

    try:
        await client.send_message(CONVERSATION_ID, "hello again")
    finally:
        await connections.close()

    assert len(fake_rasa.requests_to("/webhooks/")) == 2


@pytest.fixture
def paired_client(fake_rasa: FakeRasa) -> Iterator[tuple[RasaClient, RasaConnections]]:
    """Return a client whose fake server plays both Rasa and its action server."""
    connections = RasaConnections()
    client = RasaClient(
        fake_rasa.base_url,
        FAKE_TOKEN,
        1.0,
        action_server_urls=[fake_rasa.base_url],
        connections=connections,
    )
    yield client, connections
    rasa_client_module._action_server_down_until.clear()


async def test_every_turn_is_checked_before_it_is_sent(
    paired_client: tuple[RasaClient, RasaConnections], fake_rasa: FakeRasa
) -> None:
    client, connections = paired_client
    try:
        first = await client.send_turn(CONVERSATION_ID, "hello")
        second = await client.send_turn(CONVERSATION_ID, "they shouted at me")
    finally:
        await connections.close()

    assert first.actions_available
    assert second.actions_available
    assert len(fake_rasa.requests_to("/health")) == 2


async def test_action_server_stopped_after_a_turn_gets_none(
    paired_client: tuple[RasaClient, RasaConnections], fake_rasa: FakeRasa
) -> None:
    client, connections = paired_client
    try:
        await client.send_turn(CONVERSATION_ID, "hello")
        # The action server stops right after the first turn, so the next
        # turn must not be sent.
        fake_rasa.health_status_code = 503
        with pytest.raises(RasaUnavailable, match="no action server passed"):
            await client.send_turn(CONVERSATION_ID, "they shouted at me")
    finally:
        await connections.close()

    assert fake_rasa.messages_sent() == ["hello"]
