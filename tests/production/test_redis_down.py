"""Redis stops while the production set-up runs, then starts again.

The Rasa server keeps conversations and locks in a Redis server of the test's
own, started without persistence as production Redis must run (trackers hold
unredacted text). The directory, logs and RabbitMQ are the session's. All
people and events are invented.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from stack.launcher import Ports, Stack
from stack.production import SharedServers, production_stack
from tests.production.conftest import (
    SERVERS,
    delete_exchange_and_queue,
    gateway_client,
    started,
)
from tests.stack.conftest import Conversation, joined

PORTS = Ports(directory=8960, rasa=5960, actions=5970)
REDIS_PORT = 5898
STACK_NAME = "sosredisdown"
EMERGENCY = "999"
STOP_HATE_UK = "0800 138 1625"
INCIDENT = "someone sprayed anti muslim graffiti on my door in loughborough"
# A stopped Redis refuses connections, so the fallback must come at once, not
# after a hang.
FALLBACK_WITHIN_SECONDS = 10.0


class PrivateRedis:
    """One Redis server on 127.0.0.1:`port` that keeps nothing on disk."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="sos-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it replies to PING."""
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis(REDIS_PORT)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def stack(database_url: str, private_redis: PrivateRedis) -> Iterator[Stack]:
    servers = SharedServers(
        redis_port=private_redis.port,
        rabbitmq_host=SERVERS.rabbitmq_host,
        rabbitmq_port=SERVERS.rabbitmq_port,
    )
    try:
        with started(
            production_stack(
                PORTS, database_url, STACK_NAME, servers=servers, replicas=1
            )
        ) as running:
            yield running
    finally:
        delete_exchange_and_queue(f"{STACK_NAME}-events")


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    with gateway_client(stack) as http:
        yield http


def test_redis_outage_gives_fallback_then_recovers(
    client: httpx.Client, private_redis: PrivateRedis
) -> None:
    conversation = Conversation(client)
    conversation.say(INCIDENT)

    private_redis.stop()
    try:
        started = time.monotonic()
        during = client.post(
            f"/api/chat/conversations/{conversation.id}/messages",
            json={"text": "no"},
        )
        waited = time.monotonic() - started
        new_conversation = client.post("/api/chat/conversations")
    finally:
        private_redis.start()

    # The visitor gets the key routes at once, not after a hang.
    assert during.status_code == 200
    reply = during.json()
    assert reply["assistant_unavailable"] is True
    assert EMERGENCY in joined(reply["messages"])
    assert STOP_HATE_UK in joined(reply["messages"])
    assert waited < FALLBACK_WITHIN_SECONDS
    # Opening a conversation needs only the directory's database.
    assert new_conversation.status_code == 201

    # Redis kept nothing on disk, so Rasa starts the conversation afresh: the
    # visitor describes the incident again in the same chat and gets the routes.
    question = joined(conversation.say(INCIDENT))
    assert "danger" in question.lower()
    routes = joined(conversation.press("No"))
    assert "Tell MAMA" in routes
    assert "Charnwood" in routes
