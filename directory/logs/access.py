"""Records of staff opening conversation transcripts, for admins to review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.logs.models import TranscriptAccess, utc_now


def record_access(
    session: Session, staff_id: str | int, conversation_id: str
) -> TranscriptAccess:
    """Store that `staff_id` opened the transcript of `conversation_id` now; commit.

    Call this before the transcript is sent, so that no transcript is shown
    without a record.
    """
    access = TranscriptAccess(
        staff_id=str(staff_id), conversation_id=conversation_id, accessed_at=utc_now()
    )
    session.add(access)
    session.commit()
    return access


def list_access(
    session: Session,
    staff_id: str | int | None = None,
    conversation_id: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[TranscriptAccess]:
    """Return access records, newest first, optionally for one member of staff,
    one conversation, or since a time."""
    query = select(TranscriptAccess).order_by(
        TranscriptAccess.accessed_at.desc(), TranscriptAccess.id.desc()
    )
    if staff_id is not None:
        query = query.where(TranscriptAccess.staff_id == str(staff_id))
    if conversation_id is not None:
        query = query.where(TranscriptAccess.conversation_id == conversation_id)
    if since is not None:
        query = query.where(TranscriptAccess.accessed_at >= since)
    return list(session.scalars(query.limit(limit)))
