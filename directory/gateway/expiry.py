"""Forget conversations that have been idle for longer than the settings allow.

Rasa's in-memory tracker store keeps every conversation, with what the visitor
typed, until the process stops. The scheduled task clears the tracker of each
conversation idle for `conversation_idle_hours` and deletes its gateway row.
The redacted log stays until its own retention ends. A widget that sends to a
forgotten conversation gets 404 and starts a new one.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select

from directory.gateway.models import ChatConversation, utc_now
from directory.logs.consumer import SessionFactory
from directory.rasa_client import RasaClient, RasaUnavailable

logger = logging.getLogger(__name__)

# Conversations read from the database at a time; a run repeats until none
# is left.
BATCH_LIMIT = 500


def idle_conversation_ids(
    session_factory: SessionFactory, idle_hours: float
) -> list[str]:
    """Return up to BATCH_LIMIT ids of conversations idle for `idle_hours`."""
    cutoff = utc_now() - timedelta(hours=idle_hours)
    with session_factory() as session:
        return list(
            session.scalars(
                select(ChatConversation.conversation_id)
                .where(ChatConversation.last_activity_at < cutoff)
                .order_by(ChatConversation.last_activity_at)
                .limit(BATCH_LIMIT)
            )
        )


def delete_row(session_factory: SessionFactory, conversation_id: str) -> None:
    """Delete the gateway row of one conversation, if it is still there."""
    with session_factory() as session:
        conversation = session.get(ChatConversation, conversation_id)
        if conversation is not None:
            session.delete(conversation)
            session.commit()


async def forget_idle_conversations(
    session_factory: SessionFactory, rasa: RasaClient, idle_hours: float
) -> int:
    """Clear the Rasa tracker and the row of each idle conversation; return count.

    A conversation whose tracker could not be cleared keeps its row, so the
    next run tries again. The run stops at the first such failure, because
    Rasa is then most likely down.

    NOTE: a turn that is running while its conversation is forgotten can
    store the tracker again. It then stays until Rasa restarts, or until the
    Redis expiry in the production set-up.
    """
    forgotten = 0
    while True:
        ids = await asyncio.to_thread(
            idle_conversation_ids, session_factory, idle_hours
        )
        for conversation_id in ids:
            try:
                await rasa.delete_conversation(conversation_id)
            except RasaUnavailable as exc:
                logger.error(
                    "Could not clear the tracker of idle conversation %s: %s",
                    conversation_id,
                    exc,
                )
                return forgotten
            await asyncio.to_thread(delete_row, session_factory, conversation_id)
            forgotten += 1
        if len(ids) < BATCH_LIMIT:
            break

    if forgotten:
        logger.info(
            "Forgot %d conversations idle for more than %g hours", forgotten, idle_hours
        )
    return forgotten
