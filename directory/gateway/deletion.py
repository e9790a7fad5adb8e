"""Deleting a conversation everywhere: its log, Rasa's tracker, the gateway's row.

The visitor's "delete what I said", the quick exit and staff erasure by
reference all delete through `delete_everywhere`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from directory.gateway import store
from directory.gateway.models import ChatConversation
from directory.logs.gateway import erase_logs
from directory.rasa_client import RasaClient

logger = logging.getLogger(__name__)

# The idle purge takes conversations whose last activity is older than its
# cut-off, so a row set to this time is taken by its next run.
RETRY_AT_NEXT_PURGE = datetime(1970, 1, 1, tzinfo=UTC)


async def delete_everywhere(
    session: Session, conversation_id: str, rasa: RasaClient
) -> None:
    """Delete the log, clear the tracker in Rasa, then delete the gateway's row.

    Raises:
        RasaUnavailable: Rasa failed. The log is deleted already, and the
            gateway's row is kept so that the tracker can still be found for
            a retry.
    """
    await run_in_threadpool(erase_logs, session, conversation_id)
    await rasa.delete_conversation(conversation_id)
    await run_in_threadpool(_delete_row, session, conversation_id)
    logger.info("Deleted conversation %s", conversation_id)


def _delete_row(session: Session, conversation_id: str) -> None:
    conversation = session.get(ChatConversation, conversation_id)
    if conversation is not None:
        store.delete_conversation(session, conversation)


def retry_at_next_purge(session: Session, conversation_id: str) -> bool:
    """Make the next idle purge clear the conversation's tracker; commit.

    Returns False when the gateway has no row for the conversation. The idle
    purge and `delete_everywhere` delete the row only after Rasa cleared the
    tracker, so a missing row means that the tracker was cleared already.
    """
    conversation = session.get(ChatConversation, conversation_id)
    if conversation is None:
        return False
    conversation.last_activity_at = RETRY_AT_NEXT_PURGE
    session.commit()
    return True
