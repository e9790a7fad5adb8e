"""The Rasa client with several Rasa servers and their paired action servers.

The servers are played by a mock transport that responds per host, so that a
server can refuse connections, time out or fail its health check on demand.
"""

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from directory import rasa_client
from directory.rasa_client import RasaBusy, RasaClient, RasaUnavailable
from directory.settings import Settings

CONVERSATION_ID = "6a0c2b1e-4d5f-4e8a-9b7c-1d2e3f4a5b6c"
RASA = ["http://rasa-one.test", "http://rasa-two.test"]
ACTIONS = ["http://actions-one.test", "http://actions-two.test"]
REPLY = [{"recipient_id": CONVERSATION_ID, "text": "Is anyone in danger now?"}]
ACTIONS_FAILED = {
    "recipient_id": CONVERSATION_ID,
    "custom": {"actions_unavailable": True},
}


class Servers:
    """Responds per host: hosts in `refusing` refuse connections, in `slow` time out."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.refusing: set[str] = set()
        self.slow: set[str] = set()
        # Rasa servers whose custom actions fail during the turn: their reply
        # carries the message that `python -m rasa_runtime` adds.
        self.failing_actions: set[str] = set()

    def handle(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        self.requests.append((host, request.url.path))
        if host in self.refusing:
            raise httpx.ConnectError("connection refused", request=request)
        if host in self.slow:
            raise httpx.ReadTimeout("timed out", request=request)
        if request.url.path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        if request.url.path == "/webhooks/rest/webhook":
            if host in self.failing_actions:
                return httpx.Response(200, json=REPLY + [ACTIONS_FAILED])
            return httpx.Response(200, json=REPLY)
        return httpx.Response(200, json={})

    def hosts_of(self, path: str) -> list[str]:
        return [host for host, request_path in self.requests if request_path == path]


@pytest.fixture(autouse=True)
def forget_server_health() -> Iterator[None]:
    rasa_client._action_server_down_until.clear()
    rasa_client._rasa_server_down_until.clear()
    yield
    rasa_client._action_server_down_until.clear()
    rasa_client._rasa_server_down_until.clear()


@pytest.fixture
def servers() -> Servers:
    return Servers()


def client_for(servers: Servers, with_actions: bool = True) -> RasaClient:
    return RasaClient(
        RASA,
        "token",
        1.0,
        transport=httpx.MockTransport(servers.handle),
        action_server_urls=ACTIONS if with_actions else (),
    )


@pytest.mark.asyncio
async def test_turns_are_spread_over_both_servers(servers: Servers) -> None:
    client = client_for(servers)

    for _ in range(4):
        await client.send_turn(CONVERSATION_ID, "hello")

    hosts = servers.hosts_of("/webhooks/rest/webhook")
    assert sorted(hosts) == ["rasa-one.test"] * 2 + ["rasa-two.test"] * 2


@pytest.mark.asyncio
async def test_refused_connection_moves_to_the_next_server(servers: Servers) -> None:
    servers.refusing.add("rasa-one.test")
    client = client_for(servers)

    turns = [await client.send_turn(CONVERSATION_ID, "hello") for _ in range(3)]

    assert all(turn.messages == REPLY for turn in turns)
    answered = [
        host
        for host in servers.hosts_of("/webhooks/rest/webhook")
        if host not in servers.refusing
    ]
    assert answered == ["rasa-two.test"] * 3


@pytest.mark.asyncio
async def test_timeout_is_not_sent_again_elsewhere(servers: Servers) -> None:
    servers.slow.update({"rasa-one.test", "rasa-two.test"})
    client = client_for(servers)

    with pytest.raises(RasaUnavailable, match="timed out"):
        await client.send_turn(CONVERSATION_ID, "hello")

    # The turn may have run on the slow server; a second copy could run it twice.
    assert len(servers.hosts_of("/webhooks/rest/webhook")) == 1


@pytest.mark.asyncio
async def test_every_server_refusing_raises(servers: Servers) -> None:
    servers.refusing.update({"rasa-one.test", "rasa-two.test"})

    with pytest.raises(RasaUnavailable, match="could not connect to any"):
        await client_for(servers).send_turn(CONVERSATION_ID, "hello")


@pytest.mark.asyncio
async def test_no_turn_is_sent_without_an_action_server(servers: Servers) -> None:
    servers.refusing.update({"actions-one.test", "actions-two.test"})

    with pytest.raises(RasaUnavailable, match="no action server passed"):
        await client_for(servers).send_turn(CONVERSATION_ID, "hello")

    # Rasa would run the turn without its actions and lose the form's progress.
    assert servers.hosts_of("/webhooks/rest/webhook") == []


@pytest.mark.asyncio
async def test_failed_actions_mark_the_turn(servers: Servers) -> None:
    servers.failing_actions.update({"rasa-one.test", "rasa-two.test"})

    turn = await client_for(servers).send_turn(CONVERSATION_ID, "hello")

    assert turn.messages == REPLY + [ACTIONS_FAILED]
    assert turn.actions_available is False


@pytest.mark.asyncio
async def test_server_with_failed_actions_is_tried_last(servers: Servers) -> None:
    servers.failing_actions.add("rasa-one.test")
    client = client_for(servers)

    turns = [await client.send_turn(CONVERSATION_ID, "hi") for _ in range(4)]

    hosts = servers.hosts_of("/webhooks/rest/webhook")
    first_failure = hosts.index("rasa-one.test")
    assert turns[first_failure].actions_available is False
    assert hosts[first_failure + 1 :] == ["rasa-two.test"] * (3 - first_failure)


@pytest.mark.asyncio
async def test_turn_with_its_action_server_is_not_marked(servers: Servers) -> None:
    turn = await client_for(servers).send_turn(CONVERSATION_ID, "hello")

    assert turn.actions_available is True
    # One check before the turn; Rasa reports an action that failed after it.
    assert len(servers.hosts_of("/health")) == 1


@pytest.mark.asyncio
async def test_server_without_actions_gets_no_turns(servers: Servers) -> None:
    servers.refusing.add("actions-one.test")
    client = client_for(servers)

    turns = [await client.send_turn(CONVERSATION_ID, "hi") for _ in range(4)]

    assert all(turn.actions_available for turn in turns)
    assert servers.hosts_of("/webhooks/rest/webhook") == ["rasa-two.test"] * 4


@pytest.mark.asyncio
async def test_without_action_servers_no_health_check_is_made(
    servers: Servers,
) -> None:
    turn = await client_for(servers, with_actions=False).send_turn(
        CONVERSATION_ID, "hello"
    )

    assert turn.actions_available is True
    assert servers.hosts_of("/health") == []


@pytest.mark.asyncio
async def test_delete_stops_at_first_success(servers: Servers) -> None:
    await client_for(servers).delete_conversation(CONVERSATION_ID)

    path = f"/conversations/{CONVERSATION_ID}/tracker/events"
    # The servers share one tracker store, so one server clears it for all.
    assert servers.hosts_of(path) == ["rasa-one.test"]


@pytest.mark.asyncio
async def test_delete_skips_a_stopped_server(servers: Servers) -> None:
    servers.refusing.add("rasa-one.test")

    await client_for(servers).delete_conversation(CONVERSATION_ID)

    path = f"/conversations/{CONVERSATION_ID}/tracker/events"
    assert servers.hosts_of(path) == ["rasa-one.test", "rasa-two.test"]


@pytest.mark.asyncio
async def test_delete_moves_past_a_slow_server(servers: Servers) -> None:
    servers.slow.add("rasa-one.test")

    await client_for(servers).delete_conversation(CONVERSATION_ID)

    path = f"/conversations/{CONVERSATION_ID}/tracker/events"
    assert servers.hosts_of(path) == ["rasa-one.test", "rasa-two.test"]


@pytest.mark.asyncio
async def test_delete_with_every_server_stopped_raises(servers: Servers) -> None:
    servers.refusing.update({"rasa-one.test", "rasa-two.test"})

    with pytest.raises(RasaUnavailable, match="failed on every Rasa server"):
        await client_for(servers).delete_conversation(CONVERSATION_ID)


def test_action_servers_must_pair_with_rasa_servers() -> None:
    with pytest.raises(ValueError, match="one action server URL per Rasa server"):
        RasaClient(RASA, "token", 1.0, action_server_urls=ACTIONS[:1])


def test_settings_read_comma_separated_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOS_RASA_URLS", ",".join(RASA))
    monkeypatch.setenv("SOS_ACTION_SERVER_URLS", ",".join(ACTIONS))

    loaded = Settings()

    assert loaded.rasa_urls == RASA
    assert loaded.action_server_urls == ACTIONS


def test_settings_refuse_unpaired_action_servers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOS_RASA_URLS", ",".join(RASA))
    monkeypatch.setenv("SOS_ACTION_SERVER_URLS", ACTIONS[0])

    with pytest.raises(ValueError, match="in the same order"):
        Settings()


@pytest.mark.asyncio
async def test_slow_health_check_counts_as_running(servers: Servers) -> None:
    servers.slow.update({"actions-one.test", "actions-two.test"})

    turn = await client_for(servers).send_turn(CONVERSATION_ID, "hello")

    # A busy action server still runs the actions, so the turn goes ahead.
    assert turn.messages == REPLY
    assert turn.actions_available is True


class HeldTurns:
    """Rasa servers that hold every turn until `release` is set."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.in_flight: dict[str, int] = {}
        self.most_in_flight: dict[str, int] = {}

    async def handle(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        self.in_flight[host] = self.in_flight.get(host, 0) + 1
        self.most_in_flight[host] = max(
            self.most_in_flight.get(host, 0), self.in_flight[host]
        )
        try:
            await self.release.wait()
        finally:
            self.in_flight[host] -= 1
        return httpx.Response(200, json=REPLY)


def held_client(
    holding: HeldTurns, servers: list[str], queue_seconds: float = 5.0
) -> RasaClient:
    return RasaClient(
        servers,
        "token",
        1.0,
        transport=httpx.MockTransport(holding.handle),
        requests_per_server=2,
        queue_seconds=queue_seconds,
    )


async def until_in_flight(holding: HeldTurns, count: int) -> None:
    async with asyncio.timeout(2):
        while sum(holding.in_flight.values()) < count:
            await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_turns_beyond_the_places_wait_and_then_go_through() -> None:
    holding = HeldTurns()
    client = held_client(holding, RASA)

    turns = [
        asyncio.create_task(client.send_turn(CONVERSATION_ID, f"message {n}"))
        for n in range(7)
    ]
    await until_in_flight(holding, 4)
    await asyncio.sleep(0.1)
    # Two servers with two places each: three turns wait in the gateway.
    assert holding.in_flight == {"rasa-one.test": 2, "rasa-two.test": 2}

    holding.release.set()
    replies = await asyncio.gather(*turns)

    assert [turn.messages for turn in replies] == [REPLY] * 7
    assert holding.most_in_flight == {"rasa-one.test": 2, "rasa-two.test": 2}


@pytest.mark.asyncio
async def test_turn_goes_to_the_server_with_fewer_in_flight() -> None:
    holding = HeldTurns()
    client = held_client(holding, RASA)
    first = asyncio.create_task(client.send_turn(CONVERSATION_ID, "first"))
    await until_in_flight(holding, 1)
    busy = next(iter(holding.in_flight))
    # Turn by turn, the next request would start at the busy server again.
    next(rasa_client._request_counter)

    second = asyncio.create_task(client.send_turn(CONVERSATION_ID, "second"))
    await until_in_flight(holding, 2)

    assert holding.in_flight[busy] == 1
    assert sum(holding.in_flight.values()) == 2
    holding.release.set()
    await asyncio.gather(first, second)


@pytest.mark.asyncio
async def test_turn_that_waits_too_long_for_a_place_raises_busy() -> None:
    holding = HeldTurns()
    client = held_client(holding, RASA[:1], queue_seconds=0.2)
    running = [
        asyncio.create_task(client.send_turn(CONVERSATION_ID, "first"))
        for _ in range(2)
    ]
    await until_in_flight(holding, 2)

    with pytest.raises(RasaBusy, match="requests in flight"):
        await client.send_turn(CONVERSATION_ID, "third")

    holding.release.set()
    await asyncio.gather(*running)
    # The places came free again: the next turn goes straight through.
    assert (await client.send_turn(CONVERSATION_ID, "fourth")).messages == REPLY


def test_client_needs_at_least_one_place_per_server() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RasaClient(RASA, "token", 1.0, requests_per_server=0)


@pytest.mark.asyncio
async def test_cancelled_turns_give_their_places_back() -> None:
    holding = HeldTurns()
    client = held_client(holding, RASA[:1])
    running = [
        asyncio.create_task(client.send_turn(CONVERSATION_ID, f"message {n}"))
        for n in range(4)
    ]
    await until_in_flight(holding, 2)

    # One turn holds a place and one waits for a place; both are cancelled.
    running[0].cancel()
    running[3].cancel()
    holding.release.set()
    results = await asyncio.gather(*running, return_exceptions=True)

    assert isinstance(results[0], asyncio.CancelledError)
    assert isinstance(results[3], asyncio.CancelledError)
    assert dict(rasa_client._places().in_flight) == {RASA[0]: 0}
    assert rasa_client._places().waiting == []


@pytest.mark.asyncio
async def test_refusing_server_is_tried_last_afterwards(servers: Servers) -> None:
    servers.refusing.add("rasa-one.test")
    client = client_for(servers)
    # Turn by turn, one of two turns starts at the refusing server.
    for _ in range(2):
        await client.send_turn(CONVERSATION_ID, "first")
    assert "rasa-one.test" in servers.hosts_of("/webhooks/rest/webhook")
    servers.requests.clear()

    for _ in range(3):
        await client.send_turn(CONVERSATION_ID, "hello")

    # The refusing server has nothing in flight, but it failed a moment ago.
    assert servers.hosts_of("/webhooks/rest/webhook") == ["rasa-two.test"] * 3
