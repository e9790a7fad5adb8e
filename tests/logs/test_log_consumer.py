"""The RabbitMQ consumer against the real broker on 127.0.0.1:5672.

Messages are published as Rasa 3.6's `PikaEventBroker` publishes them: JSON
events, persistent, to a fanout exchange bound to a durable queue. Each test
uses its own exchange and queue and deletes them afterwards.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import contextmanager
from typing import Any

import aio_pika
import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory.logs.consumer import consume
from directory.logs.models import LogTurn
from directory.logs.redactors import RedactorCache
from directory.logs.store import open_log
from tests.logs.events import action_event, slot_event, user_event

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
CONVERSATION = "44444444-4444-4444-8444-444444444444"
# Invented details.
NAME = "Delphine Okonkwo"
PHONE = "07700 900872"


class Broker:
    """A fanout exchange and a durable queue of this test's own."""

    def __init__(self, channel: aio_pika.abc.AbstractChannel, name: str) -> None:
        self.channel = channel
        self.queue_name = f"{name}-queue"
        self.exchange_name = f"{name}-exchange"

    async def set_up(self) -> None:
        self.exchange = await self.channel.declare_exchange(
            self.exchange_name, type=aio_pika.ExchangeType.FANOUT
        )
        self.queue = await self.channel.declare_queue(self.queue_name, durable=True)
        await self.queue.bind(self.exchange, "")

    async def publish(self, event: dict[str, Any] | bytes) -> None:
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        await self.exchange.publish(
            aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            "",
        )

    async def message_count(self) -> int:
        declared = await self.channel.declare_queue(self.queue_name, durable=True)
        return int(declared.declaration_result.message_count or 0)

    async def tear_down(self) -> None:
        await self.queue.delete(if_unused=False, if_empty=False)
        await self.exchange.delete()


@pytest_asyncio.fixture
async def broker() -> AsyncIterator[Broker]:
    try:
        connection = await aio_pika.connect(RABBITMQ_URL)
    except (OSError, aio_pika.exceptions.AMQPConnectionError) as exc:
        pytest.fail(f"RabbitMQ is not reachable at 127.0.0.1:5672: {exc}")
    channel = await connection.channel()
    broker = Broker(channel, f"sos-test-{uuid.uuid4().hex[:12]}")
    await broker.set_up()
    yield broker
    await broker.tear_down()
    await connection.close()


def factory_of(session_factory: sessionmaker[Session]) -> Any:
    @contextmanager
    def open_session() -> Any:
        with session_factory() as session:
            yield session

    return open_session


async def run_consumer_until(
    broker: Broker,
    session_factory: sessionmaker[Session],
    redactors: RedactorCache,
    done: Callable[[], Awaitable[bool]],
) -> None:
    """Run the consumer until `done()` returns True or 20 seconds pass."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        consume(
            RABBITMQ_URL,
            broker.queue_name,
            factory_of(session_factory),
            redactors,
            stop,
        )
    )
    try:
        for _ in range(200):
            if await done():
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


def turns_of(session_factory: sessionmaker[Session]) -> list[LogTurn]:
    with session_factory() as session:
        return list(
            session.scalars(
                select(LogTurn)
                .where(LogTurn.conversation_id == CONVERSATION)
                .order_by(LogTurn.turn_number)
            )
        )


@pytest.mark.asyncio
async def test_consumer_stores_redacted_turns(
    broker: Broker, session_factory: sessionmaker[Session], redactors: RedactorCache
) -> None:
    with session_factory() as session:
        open_log(session, CONVERSATION, None)
    events = [
        user_event(CONVERSATION, f"{NAME} threatened me, ring {PHONE}"),
        slot_event(CONVERSATION, "incident_types", ["threats"]),
        action_event(CONVERSATION, "action_listen"),
        user_event(CONVERSATION, f"{NAME} did it again"),
        action_event(CONVERSATION, "action_listen"),
    ]
    for event in events:
        await broker.publish(event)

    async def both_turns_complete() -> bool:
        turns = turns_of(session_factory)
        return len(turns) == 2 and turns[1].complete

    await run_consumer_until(broker, session_factory, redactors, both_turns_complete)

    first, second = turns_of(session_factory)
    assert NAME not in first.visitor_text
    assert PHONE not in first.visitor_text
    assert first.situation["incident_types"] == ["threats"]
    assert first.complete
    assert second.complete
    placeholder = first.visitor_text.split(" threatened")[0]
    assert second.visitor_text.startswith(placeholder)
    assert await broker.message_count() == 0


@pytest.mark.asyncio
async def test_consumer_drops_bad_and_unknown(
    broker: Broker, session_factory: sessionmaker[Session], redactors: RedactorCache
) -> None:
    await broker.publish(b"not json")
    await broker.publish(user_event(CONVERSATION, f"{NAME} was there"))

    async def queue_empty() -> bool:
        return await broker.message_count() == 0

    await run_consumer_until(broker, session_factory, redactors, queue_empty)

    assert await broker.message_count() == 0
    assert turns_of(session_factory) == []


@pytest.mark.asyncio
async def test_consumer_stores_many_waiting_events_in_order(
    broker: Broker, session_factory: sessionmaker[Session], redactors: RedactorCache
) -> None:
    with session_factory() as session:
        open_log(session, CONVERSATION, None)
    # Published before the consumer starts, so that they arrive together and
    # are stored in batches, with a message that is not an event among them.
    for number in range(1, 41):
        await broker.publish(user_event(CONVERSATION, f"message {number}"))
        if number == 20:
            await broker.publish(b"not json")
        await broker.publish(action_event(CONVERSATION, "action_listen"))

    async def all_turns_complete() -> bool:
        turns = turns_of(session_factory)
        return len(turns) == 40 and turns[-1].complete

    await run_consumer_until(broker, session_factory, redactors, all_turns_complete)

    turns = turns_of(session_factory)
    assert [turn.visitor_text for turn in turns] == [
        f"message {number}" for number in range(1, 41)
    ]
    assert all(turn.complete for turn in turns)
    assert await broker.message_count() == 0
