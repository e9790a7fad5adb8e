"""Opening, deleting, erasing and purging conversation logs."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from directory.db.session import checkpoint_sqlite
from directory.logs.campaign import Campaign, normalise
from directory.logs.models import REFERENCE_LENGTH, ConversationLog, utc_now
from directory.review.rollup import roll_up

logger = logging.getLogger(__name__)

# Upper-case letters and digits without 0, O, 1, I and L, which are easy to
# mix up when read out over the phone. 31 symbols, so 8 give about 39 bits.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_ATTEMPTS = 5
# Conversations the purge reads, counts and deletes per transaction.
PURGE_BATCH_SIZE = 500


def new_reference() -> str:
    """Return a random reference, drawn independently of the conversation id."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(reference: str) -> str:
    """Return a reference as stored: upper case, without spaces and dashes."""
    return reference.strip().upper().replace(" ", "").replace("-", "")


def open_log(
    session: Session, conversation_id: str, campaign: Campaign | None
) -> ConversationLog:
    """Create the log row of a new conversation with a fresh reference; commit.

    Raises:
        IntegrityError: when every attempt drew a reference already in use,
            which is vanishingly unlikely below millions of stored logs.
    """
    fields = normalise(campaign)
    for attempt in range(1, REFERENCE_ATTEMPTS + 1):
        log = ConversationLog(
            conversation_id=conversation_id, reference=new_reference(), **fields
        )
        session.add(log)
        try:
            session.commit()
            return log
        except IntegrityError:
            session.rollback()
            if attempt == REFERENCE_ATTEMPTS:
                raise
            logger.warning("Drew a conversation reference already in use; retrying")
    raise AssertionError("unreachable")


def delete_log(session: Session, conversation_id: str) -> bool:
    """Delete a conversation's log and turns; commit. Return whether it existed.

    On SQLite the write-ahead log is then checkpointed, so that the deleted
    text is not left in it.
    """
    result = session.execute(
        delete(ConversationLog).where(
            ConversationLog.conversation_id == conversation_id
        )
    )
    session.commit()
    existed = bool(result.rowcount)  # type: ignore[attr-defined]
    if existed:
        checkpoint_sqlite(session)
    return existed


def find_by_reference(session: Session, reference: str) -> ConversationLog | None:
    """Return the log with this reference, in any case and with or without dashes."""
    return session.scalars(
        select(ConversationLog).where(
            ConversationLog.reference == normalise_reference(reference)
        )
    ).first()


def purge_expired(
    session: Session, retention_days: int, now: datetime | None = None
) -> int:
    """Delete logs whose last event is older than `retention_days`, keeping
    their counts for the quarterly figures; commit after each batch.

    Returns the number of conversations deleted. On SQLite the write-ahead
    log is checkpointed at the end, so that the deleted text is not left in it.
    """
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    expired = ConversationLog.last_event_at < cutoff
    deleted = 0
    while True:
        batch = session.scalars(
            select(ConversationLog)
            .options(selectinload(ConversationLog.turns))
            .where(expired)
            .order_by(ConversationLog.last_event_at, ConversationLog.conversation_id)
            .limit(PURGE_BATCH_SIZE)
        ).all()
        if not batch:
            break
        # Only the rows this statement deletes are counted. A conversation
        # that another purge or an erasure deleted first, or that got a new
        # event since it was read, is left out of the counts.
        deleted_ids = set(
            session.scalars(
                delete(ConversationLog)
                .where(
                    ConversationLog.conversation_id.in_(
                        [conversation.conversation_id for conversation in batch]
                    ),
                    expired,
                )
                .returning(ConversationLog.conversation_id),
                execution_options={"synchronize_session": False},
            ).all()
        )
        roll_up(
            session,
            [
                conversation
                for conversation in batch
                if conversation.conversation_id in deleted_ids
            ],
        )
        session.commit()
        for conversation in batch:
            session.expunge(conversation)
        deleted += len(deleted_ids)
        if not deleted_ids or len(batch) < PURGE_BATCH_SIZE:
            break
    if deleted:
        checkpoint_sqlite(session)
    return deleted


def erase_conversation(session: Session, conversation_id: str) -> bool:
    """Delete a conversation's log and forget its redactor; return whether a log
    existed. The gateway calls this when the visitor deletes the conversation."""
    from directory.logs.redactors import get_redactor_cache

    get_redactor_cache().forget(conversation_id)
    return delete_log(session, conversation_id)
