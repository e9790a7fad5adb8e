"""Fixtures that run the production set-up on this machine's shared servers.

Two Rasa servers and two action servers share conversations through Redis
(127.0.0.1:6379) and send events to RabbitMQ (127.0.0.1:5672). The directory
service stores everything in a PostgreSQL database (127.0.0.1:5432) created for
the session. Redis keys, the RabbitMQ exchange and queue, and the database
carry a random name of the session's own and are removed afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import redis
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from directory.db.session import make_engine
from directory.logs.models import LogTurn
from stack.launcher import REPO_ROOT, Ports, Stack
from stack.production import SharedServers, production_stack
from tests.stack.conftest import Conversation

PRODUCTION_PORTS = Ports(directory=8800, rasa=5805, actions=5855)
MAINTENANCE_URL = os.environ.get(
    "SOS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SERVERS = SharedServers()
TRACKER_EXPIRY_SECONDS = 1800


@pytest.fixture(scope="session")
def stack_name() -> str:
    """Letters and digits naming this session's keys, queue and database."""
    return "sosprod" + secrets.token_hex(5)


@pytest.fixture(scope="session")
def database_url(stack_name: str) -> Iterator[str]:
    """Create and seed a PostgreSQL database; drop it after the session."""
    maintenance = make_engine(MAINTENANCE_URL).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with maintenance.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{stack_name}"'))
    url = make_url(MAINTENANCE_URL).set(database=stack_name)
    url_text = url.render_as_string(hide_password=False)
    subprocess.run(
        [sys.executable, "-m", "directory.seed"],
        cwd=REPO_ROOT,
        env={"SOS_DATABASE_URL": url_text, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    try:
        yield url_text
    finally:
        with maintenance.connect() as connection:
            connection.execute(
                text(f'DROP DATABASE IF EXISTS "{stack_name}" WITH (FORCE)')
            )
        maintenance.dispose()


@pytest.fixture(scope="session")
def redis_client() -> redis.Redis:
    return redis.Redis(
        host=SERVERS.redis_host, port=SERVERS.redis_port, db=SERVERS.redis_db
    )


@pytest.fixture(scope="session")
def production(
    database_url: str, stack_name: str, redis_client: redis.Redis
) -> Iterator[Stack]:
    """Start the production set-up once for the session."""
    stack = production_stack(
        PRODUCTION_PORTS,
        database_url,
        stack_name,
        servers=SERVERS,
        tracker_expiry_seconds=TRACKER_EXPIRY_SECONDS,
    )
    # Every request of the suite comes from 127.0.0.1, and the load test sends
    # far more than a visitor can.
    stack.extra_environment.update(
        {
            "SOS_RATE_LIMIT_CLIENT_REQUESTS": "10000000",
            "SOS_RATE_LIMIT_CONVERSATION_MESSAGES": "10000000",
        }
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        for key in redis_client.scan_iter(f"{stack_name}:*"):
            redis_client.delete(key)
        delete_exchange_and_queue(f"{stack_name}-events")


def delete_exchange_and_queue(name: str) -> None:
    """Delete the RabbitMQ exchange and queue that the stack declared."""
    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect(SERVERS.rabbitmq_url)
        channel = await connection.channel()
        await channel.queue_delete(name)
        await channel.exchange_delete(name)
        await connection.close()

    asyncio.run(delete())


@contextmanager
def started(stack: Stack) -> Iterator[Stack]:
    """Start `stack` for the block and stop it however the block ends."""
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@contextmanager
def gateway_client(stack: Stack) -> Iterator[httpx.Client]:
    """Return an HTTP client of the stack's directory service."""
    with httpx.Client(base_url=stack.directory_url, timeout=60.0) as http:
        yield http


@pytest.fixture
def client(production: Stack) -> Iterator[httpx.Client]:
    with gateway_client(production) as http:
        yield http


@pytest.fixture
def conversation(client: httpx.Client) -> Conversation:
    return Conversation(client)


@pytest.fixture
def restore_processes(production: Stack) -> Iterator[None]:
    """Start again, after the test, every process that the test stopped."""
    yield
    for name in ("actions", "actions-2", "rasa", "rasa-2"):
        if name not in production.processes:
            production.start_process(name)


def logged_turns(database_url: str, conversation_id: str) -> list[LogTurn]:
    """Return the logged turns of a conversation, in order."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(
                session.scalars(
                    select(LogTurn)
                    .where(LogTurn.conversation_id == conversation_id)
                    .order_by(LogTurn.turn_number)
                )
            )
    finally:
        engine.dispose()


def wait_for(condition: Callable[[], object], timeout: float = 60.0) -> bool:
    """Return True once `condition()` is true, or False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False
