"""RabbitMQ consumer of the events that Rasa's pika event broker publishes.

Each message is one Rasa event as JSON, with `sender_id`. The consumer takes
one message at a time (prefetch 1) so that the events of a conversation are
applied in the order Rasa published them, then hands it to the same code as
the loopback endpoint. A message that cannot be stored is rejected without
requeueing, and so dropped: requeueing would keep raw visitor text in the
broker, and a dead-letter queue would store it.
"""

from __future__ import annotations

import asyncio
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

    async def on_message(message: AbstractIncomingMessage) -> None:
        handled = await asyncio.to_thread(
            store_message, message.body, session_factory, redactors
        )
        if handled:
            await message.ack()
        else:
            await message.reject(requeue=False)

    connection = await aio_pika.connect_robust(url)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=1)
        queue = await channel.declare_queue(queue_name, durable=True)
        consumer_tag = await queue.consume(on_message)
        logger.info("Consuming conversation events from RabbitMQ queue %s", queue_name)
        await stop.wait()
        await queue.cancel(consumer_tag)
    finally:
        await connection.close()
        logger.info("Stopped consuming RabbitMQ queue %s", queue_name)
