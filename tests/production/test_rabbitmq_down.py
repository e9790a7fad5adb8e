"""RabbitMQ stops while the production set-up runs, then starts again.

The Rasa server publishes its events to a RabbitMQ node of the test's own, and
the directory service consumes them from there. Redis and the database are
the session's. All people and events are invented.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from stack.launcher import Ports, Stack
from stack.production import SharedServers, production_stack
from tests.production.conftest import (
    SERVERS,
    gateway_client,
    logged_turns,
    started,
    wait_for,
)
from tests.production.private_rabbitmq import PrivateRabbitMQ
from tests.stack.conftest import Conversation, joined

PORTS = Ports(directory=8970, rasa=5980, actions=5990)
RABBITMQ_PORT = 5897
RABBITMQ_DISTRIBUTION_PORT = 25897
STACK_NAME = "sosrabbitdown"
INCIDENT = "someone sprayed anti muslim graffiti on my door in loughborough"
# A turn whose events cannot be published must not wait for the broker.
REPLY_WITHIN_SECONDS = 10.0


@pytest.fixture(scope="module")
def private_rabbitmq() -> Iterator[PrivateRabbitMQ]:
    server = PrivateRabbitMQ(RABBITMQ_PORT, RABBITMQ_DISTRIBUTION_PORT)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def stack(
    database_url: str, private_rabbitmq: PrivateRabbitMQ, redis_client: redis.Redis
) -> Iterator[Stack]:
    servers = SharedServers(
        redis_host=SERVERS.redis_host,
        redis_port=SERVERS.redis_port,
        rabbitmq_port=private_rabbitmq.port,
    )
    try:
        with started(
            production_stack(
                PORTS, database_url, STACK_NAME, servers=servers, replicas=1
            )
        ) as running:
            yield running
    finally:
        for key in redis_client.scan_iter(f"{STACK_NAME}:*"):
            redis_client.delete(key)


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    with gateway_client(stack) as http:
        yield http


def complete_turns(database_url: str, conversation_id: str) -> int:
    turns = logged_turns(database_url, conversation_id)
    return sum(1 for turn in turns if turn.complete)


def test_rabbitmq_outage_keeps_chat_and_logs(
    client: httpx.Client, private_rabbitmq: PrivateRabbitMQ, database_url: str
) -> None:
    conversation = Conversation(client)
    conversation.say(INCIDENT)
    assert wait_for(lambda: complete_turns(database_url, conversation.id) == 1)

    private_rabbitmq.stop()
    try:
        started = time.monotonic()
        routes = joined(conversation.press("No"))
        waited = time.monotonic() - started
    finally:
        private_rabbitmq.start()

    # The visitor gets the routes as usual, without waiting for the broker.
    assert "Tell MAMA" in routes
    assert "Charnwood" in routes
    assert waited < REPLY_WITHIN_SECONDS

    # Rasa keeps the events it could not publish and sends them once the broker
    # is back, so the turn of the outage reaches the log.
    assert wait_for(
        lambda: complete_turns(database_url, conversation.id) == 2, timeout=90
    )
