"""Database models of reviewers' flags on conversation turns and of the counts
that the quarterly figures keep of purged conversations."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy import Text as TextColumn
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db.base import Base
from directory.logs.models import LogTurn, utc_now

FLAGGED = "flagged"
REVIEWED = "reviewed"
REJECTED = "rejected"
FLAG_STATUSES = (FLAGGED, REVIEWED, REJECTED)


class ReviewFlag(Base):
    """A reviewer's correction of the intent, and optionally the labels, of a turn.

    A flag starts as `flagged`. A second account checks it and sets it to
    `reviewed`, which puts the turn into the NLU export, or `rejected`. The
    flag is deleted with its turn, so erasing or purging a conversation also
    removes it from the export.
    """

    __tablename__ = "review_flag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("log_turn.id", ondelete="CASCADE"), unique=True
    )
    conversation_id: Mapped[str] = mapped_column(String(36), index=True)
    intent: Mapped[str] = mapped_column(String(64))
    # [{"entity": name, "value": label, "text": words of the message}]
    labels: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=FLAGGED, index=True)
    flagged_by: Mapped[str] = mapped_column(String(64))
    flagged_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    turn: Mapped[LogTurn] = relationship()

    def __repr__(self) -> str:
        return f"ReviewFlag(turn_id={self.turn_id!r}, status={self.status!r})"


class PurgedConversationCount(Base):
    """How many purged conversations started on one day with one area and one
    set of characteristics, for the quarterly figures.

    The retention purge adds each conversation it deletes here, in the same
    transaction, so a conversation is counted either in its log or here. A
    row contains label codes and a count only: no text, no conversation id,
    no time of day. Conversations erased at the visitor's request are never
    added.
    """

    __tablename__ = "purged_conversation_count"

    # The day the conversation started, in UTC.
    started_on: Mapped[date] = mapped_column(Date, primary_key=True)
    # An area code, or `not_said`.
    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The characteristic codes, sorted and joined by commas, or `not_said`.
    characteristics: Mapped[str] = mapped_column(TextColumn, primary_key=True)
    conversations: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return (
            f"PurgedConversationCount(started_on={self.started_on!r}, "
            f"area={self.area!r}, characteristics={self.characteristics!r}, "
            f"conversations={self.conversations!r})"
        )
