"""Erasure of a conversation by the reference that the visitor quotes to staff."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from directory.gateway.deletion import delete_everywhere, retry_at_next_purge
from directory.logs.store import find_by_reference
from directory.rasa_client import RasaClient, RasaUnavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erasure:
    """The outcome of one erasure by reference.

    `tracker_cleared` is False when Rasa could not be reached. The log is
    deleted then, and the gateway's row is kept and set to be taken by the
    next run of the idle purge, which clears the tracker.
    """

    conversation_id: str
    tracker_cleared: bool


async def erase_by_reference(
    session: Session, reference: str, rasa: RasaClient
) -> Erasure | None:
    """Delete the log, Rasa's tracker and the gateway's row of a conversation.

    Returns None if no log has the reference. Case, spaces and dashes in the
    reference are ignored.
    """
    log = find_by_reference(session, reference)
    if log is None:
        return None

    conversation_id = log.conversation_id
    try:
        await delete_everywhere(session, conversation_id, rasa)
    except RasaUnavailable as exc:
        session.rollback()
        kept_row = retry_at_next_purge(session, conversation_id)
        logger.error(
            "Erased the log of conversation %s by its reference, but could not "
            "clear its Rasa tracker (%s); %s",
            conversation_id,
            exc,
            "the next idle purge retries"
            if kept_row
            else "the gateway has no row, so the tracker was cleared already",
        )
        return Erasure(conversation_id, tracker_cleared=not kept_row)

    logger.info("Erased conversation %s by its reference", conversation_id)
    return Erasure(conversation_id, tracker_cleared=True)
