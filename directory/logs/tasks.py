"""Background tasks of the service for the logs: the scheduled purge and the
RabbitMQ consumer, started and stopped with the app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, contextmanager

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from directory.db.session import get_session
from directory.gateway.expiry import forget_idle_conversations
from directory.logs.consumer import SessionFactory, consume
from directory.logs.redactors import get_redactor_cache
from directory.logs.store import purge_expired
from directory.rasa_client import RasaClient
from directory.settings import settings

logger = logging.getLogger(__name__)

CONSUMER_RETRY_SECONDS = 5.0
# The first purge waits this long (or one interval, if shorter), so that a
# short-lived app, such as a test client, does not touch its database.
FIRST_PURGE_DELAY_SECONDS = 60.0


def app_session_factory(app: FastAPI) -> SessionFactory:
    """Return a factory of sessions from the app's `get_session` dependency.

    A dependency override, as the tests set one, applies to the background
    tasks too, so they use the same database as the requests.
    """
    provider = app.dependency_overrides.get(get_session, get_session)
    return contextmanager(provider)


def run_purge(session_factory: SessionFactory, retention_days: int) -> int:
    """Delete the logs older than the retention period, keeping their counts
    for the quarterly figures; return how many were deleted."""
    with session_factory() as session:
        try:
            deleted = purge_expired(session, retention_days)
        except SQLAlchemyError as exc:
            session.rollback()
            logger.error("Scheduled purge of conversation logs failed: %s", exc)
            return 0
    if deleted:
        logger.info(
            "Purged %d conversation logs older than %d days", deleted, retention_days
        )
    return deleted


async def purge_periodically(
    session_factory: SessionFactory,
    retention_days: int,
    interval_seconds: float,
    stop: asyncio.Event,
) -> None:
    """Purge soon after start and then every `interval_seconds` until `stop`.

    Each run also clears the conversations idle for longer than the
    `conversation_idle_hours` setting.
    """
    delay = min(interval_seconds, FIRST_PURGE_DELAY_SECONDS)
    while True:
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        except TimeoutError:
            pass
        await asyncio.to_thread(run_purge, session_factory, retention_days)
        try:
            await forget_idle_conversations(
                session_factory,
                RasaClient.from_settings(),
                settings.conversation_idle_hours,
            )
        except Exception as exc:
            # The next run tries again; a database outage must not end the task.
            logger.error("Forgetting idle conversations failed: %s", type(exc).__name__)
        delay = interval_seconds


async def consume_until_stopped(
    url: str, queue_name: str, session_factory: SessionFactory, stop: asyncio.Event
) -> None:
    """Run the RabbitMQ consumer, reconnecting after a failed start."""
    while not stop.is_set():
        try:
            await consume(url, queue_name, session_factory, get_redactor_cache(), stop)
        except (OSError, ConnectionError, asyncio.TimeoutError) as exc:
            logger.error(
                "Could not consume RabbitMQ queue %s: %s; retrying in %.0f s",
                queue_name,
                exc,
                CONSUMER_RETRY_SECONDS,
            )
        except Exception as exc:
            # aio-pika raises its own exception types for protocol errors.
            logger.error(
                "RabbitMQ consumer of queue %s failed: %s; retrying in %.0f s",
                queue_name,
                type(exc).__name__,
                CONSUMER_RETRY_SECONDS,
            )
        try:
            await asyncio.wait_for(stop.wait(), timeout=CONSUMER_RETRY_SECONDS)
        except TimeoutError:
            pass


@asynccontextmanager
async def log_tasks(app: FastAPI) -> AsyncIterator[None]:
    """Run the scheduled purge and, if configured, the RabbitMQ consumer."""
    stop = asyncio.Event()
    session_factory = app_session_factory(app)
    tasks: list[asyncio.Task[None]] = []

    if settings.log_purge_interval_seconds > 0:
        tasks.append(
            asyncio.create_task(
                purge_periodically(
                    session_factory,
                    settings.log_retention_days,
                    settings.log_purge_interval_seconds,
                    stop,
                )
            )
        )
    if settings.log_rabbitmq_url:
        tasks.append(
            asyncio.create_task(
                consume_until_stopped(
                    settings.log_rabbitmq_url,
                    settings.log_rabbitmq_queue,
                    session_factory,
                    stop,
                )
            )
        )

    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
