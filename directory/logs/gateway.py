"""The calls the chat gateway makes into the logs: open, count, erase."""

import logging

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.logs.campaign import Campaign
from directory.logs.models import ConversationLog
from directory.logs.store import erase_conversation, open_log

logger = logging.getLogger(__name__)


def start_log(
    session: Session, conversation_id: str, campaign: Campaign | None
) -> str | None:
    """Open the conversation's log and return its reference, or None on failure."""
    try:
        return open_log(session, conversation_id, campaign).reference
    except SQLAlchemyError as exc:
        session.rollback()
        logger.error(
            "Could not open the log of conversation %s: %s", conversation_id, exc
        )
        return None


def find_reference(session: Session, conversation_id: str) -> str | None:
    """Return the reference of the conversation's log, or None.

    A database error is logged and not raised: the turn goes ahead without it.
    """
    try:
        return session.scalar(
            select(ConversationLog.reference).where(
                ConversationLog.conversation_id == conversation_id
            )
        )
    except SQLAlchemyError as exc:
        session.rollback()
        logger.error(
            "Could not read the reference of conversation %s: %s",
            conversation_id,
            type(exc).__name__,
        )
        return None


def erase_logs(session: Session, conversation_id: str) -> None:
    """Delete the conversation's log and forget its redactor.

    A database error propagates, as it does for the gateway's own row, so the
    deletion fails as a whole and the visitor can repeat it.
    """
    erase_conversation(session, conversation_id)


def count_unanswered_turn(session: Session, conversation_id: str) -> None:
    """Count a message that got the fallback reply because Rasa failed; commit.

    A database error is logged and not raised, so the visitor still gets the
    fallback reply with the emergency and support contacts.
    """
    try:
        session.execute(
            update(ConversationLog)
            .where(ConversationLog.conversation_id == conversation_id)
            .values(unanswered_turns=ConversationLog.unanswered_turns + 1)
        )
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        logger.error(
            "Could not count an unanswered message of conversation %s: %s",
            conversation_id,
            exc,
        )
