"""RabbitMQ consumer of the events that Rasa's pika event broker publishes.

Each message is one Rasa event as JSON, with `sender_id`. One task stores the
messages in the order RabbitMQ delivered them, which is the order Rasa
published them, taking all that have arrived (up to BATCH_LIMIT) in one
transaction through the same code as the loopback endpoint. A message that
cannot be stored is rejected without requeueing, and so dropped: requeueing
would keep raw visitor text in the broker, and a dead-letter queue would store
it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy.orm import Session

from directory.logs.capture import ingest_events
from directory.logs.redactors import RedactorCache

logger = logging.getLogger(__name__)

SessionFactory = Callable[[], AbstractContextManager[Session]]

# Messages taken from the broker before they are stored and acknowledged, and
# so the most stored in one transaction. A busy minute brings hundreds of
# events; one transaction each kept the queue growing.
BATCH_LIMIT = 200
# Seconds a stopping consumer waits for the messages it has received to be stored.
STOP_WAIT_SECONDS = 30.0


def decode_event(body: bytes) -> dict[str, Any] | None:
    """Return the event of a message body, or None if it is not a JSON object."""
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    return event if isinstance(event, dict) else None


def store_message(
    body: bytes, session_factory: SessionFactory, redactors: RedactorCache
) -> bool:
    """Redact and store the event in one message body.

    Returns False when the message is not an event or storing it failed. An
    event of an unknown or deleted conversation is handled by dropping it.
    """
    event = decode_event(body)
    if event is None:
        logger.warning("Dropped a RabbitMQ message that is not a JSON object")
        return False

    with session_factory() as session:
        try:
            ingest_events(session, [event], redactors)
        except Exception as exc:
            # Any error is caught here because its message or traceback could
            # quote the raw event; only the error type is logged.
            session.rollback()
            logger.error(
                "Dropped a RabbitMQ event because storing it failed: %s",
                type(exc).__name__,
            )
            return False
    return True


def store_messages(
    bodies: list[bytes], session_factory: SessionFactory, redactors: RedactorCache
) -> list[bool]:
    """Store the events of several messages in one transaction, in order.

    Returns, for each message, whether it was stored. If the transaction
    fails, each message is stored again on its own, so that one bad event does
    not drop the others.
    """
    events = [decode_event(body) for body in bodies]
    if any(event is None for event in events):
        return [store_message(body, session_factory, redactors) for body in bodies]

    with session_factory() as session:
        try:
            ingest_events(session, [e for e in events if e is not None], redactors)
        except Exception as exc:
            session.rollback()
            logger.warning(
                "Storing %d RabbitMQ events together failed (%s); storing each "
                "on its own",
                len(bodies),
                type(exc).__name__,
            )
        else:
            return [True] * len(bodies)
    return [store_message(body, session_factory, redactors) for body in bodies]


async def consume(
    url: str,
    queue_name: str,
    session_factory: SessionFactory,
    redactors: RedactorCache,
    stop: asyncio.Event,
) -> None:
    """Consume `queue_name` at `url` until `stop` is set.

    The queue is declared durable, as Rasa 3.6's `PikaEventBroker` declares
    it, so either side may start first. The connection is robust: aio-pika
    reconnects after the broker restarts.
    """

    arrived: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()

    async def on_message(message: AbstractIncomingMessage) -> None:
        # No await before the put, so messages queue in delivery order.
        arrived.put_nowait(message)

    async def store_arrived() -> None:
        while True:
            batch = [await arrived.get()]
            while not arrived.empty() and len(batch) < BATCH_LIMIT:
                batch.append(arrived.get_nowait())
            try:
                await store_and_acknowledge(batch)
            except Exception as exc:
                # A lost connection fails the acknowledgements; RabbitMQ then
                # delivers the messages again, and the task carries on.
                logger.error(
                    "Acknowledging %d RabbitMQ events failed: %s",
                    len(batch),
                    type(exc).__name__,
                )
            finally:
                for _ in batch:
                    arrived.task_done()

    async def store_and_acknowledge(batch: list[AbstractIncomingMessage]) -> None:
        handled = await asyncio.to_thread(
            store_messages, [m.body for m in batch], session_factory, redactors
        )
        for message, stored in zip(batch, handled, strict=True):
            if stored:
                await message.ack()
            else:
                await message.reject(requeue=False)

    connection = await aio_pika.connect_robust(url)
    storer = asyncio.create_task(store_arrived())
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=BATCH_LIMIT)
        queue = await channel.declare_queue(queue_name, durable=True)
        consumer_tag = await queue.consume(on_message)
        logger.info("Consuming conversation events from RabbitMQ queue %s", queue_name)
        await stop.wait()
        await queue.cancel(consumer_tag)
        # Store what has arrived before closing, so that it is not delivered
        # again to the next consumer.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrived.join(), STOP_WAIT_SECONDS)
    finally:
        storer.cancel()
        await connection.close()
        logger.info("Stopped consuming RabbitMQ queue %s", queue_name)
