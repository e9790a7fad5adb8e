"""Database models of the redacted conversation logs and of transcript access."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy import Text as TextColumn
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db.base import Base

REFERENCE_LENGTH = 8
# Maximum length of a stored campaign value.
CAMPAIGN_FIELD_LENGTH = 40


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class ConversationLog(Base):
    """One conversation of the chat gateway, as reviewers and the figures see it.

    The row stores no IP address, user agent or raw visitor text. `reference`
    is a random code that the visitor can quote to have the log erased.
    """

    __tablename__ = "conversation_log"

    conversation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(
        String(REFERENCE_LENGTH), unique=True, index=True
    )
    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    # Time of the latest event; retention counts from here.
    last_event_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )
    utm_source: Mapped[str | None] = mapped_column(String(CAMPAIGN_FIELD_LENGTH))
    utm_medium: Mapped[str | None] = mapped_column(String(CAMPAIGN_FIELD_LENGTH))
    utm_campaign: Mapped[str | None] = mapped_column(String(CAMPAIGN_FIELD_LENGTH))
    # Visitor messages that got the gateway's fallback reply because Rasa failed
    # or returned nothing. They have no turn row.
    unanswered_turns: Mapped[int] = mapped_column(Integer, default=0)
    # True when Rasa reset the slots after the latest turn (a new session), so
    # the next turn's situation starts empty.
    reset_before_next_turn: Mapped[bool] = mapped_column(Boolean, default=False)

    turns: Mapped[list["LogTurn"]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="LogTurn.turn_number",
    )

    def __repr__(self) -> str:
        return f"ConversationLog(conversation_id={self.conversation_id!r})"


class LogTurn(Base):
    """One visitor message and what the assistant did with it, redacted.

    `visitor_text` contains the redacted text only. `entities` keeps entity names
    with values passed through `redact_value`. `situation` is a snapshot of the
    assessment slots after the turn, `reading` and `routes` the signposting
    result for that situation when the assistant offered routes in the turn.
    """

    __tablename__ = "log_turn"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(36),
        ForeignKey("conversation_log.conversation_id", ondelete="CASCADE"),
        index=True,
    )
    turn_number: Mapped[int] = mapped_column(Integer)
    # Rasa's random id of the visitor message, to recognise a redelivered event.
    message_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # "text" for typed messages, "button" for a quick-reply payload.
    input_kind: Mapped[str] = mapped_column(String(16))
    visitor_text: Mapped[str] = mapped_column(TextColumn)
    intent: Mapped[str | None] = mapped_column(String(64))
    intent_confidence: Mapped[float | None] = mapped_column(Float)
    # [{"entity": name, "value": redacted value}]
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"response": utter name or null, "text": ..., "buttons": [titles]}]
    replies: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Names of the actions Rasa ran in the turn, in order.
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    situation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # `likely` of the signposting engine: crime, non_crime_incident, ...
    reading: Mapped[str | None] = mapped_column(String(32))
    # [{"service_id": ..., "route": ...}] offered in this turn.
    routes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    # True once the turn's closing `action_listen` arrived.
    complete: Mapped[bool] = mapped_column(Boolean, default=False)

    conversation: Mapped[ConversationLog] = relationship(back_populates="turns")

    def __repr__(self) -> str:
        return (
            f"LogTurn(conversation_id={self.conversation_id!r}, "
            f"turn_number={self.turn_number})"
        )


class TranscriptAccess(Base):
    """A record that a member of staff opened a conversation's transcript.

    The record has no foreign key to the log, so it outlives the erasure of the
    conversation it names.
    """

    __tablename__ = "transcript_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(String(64), index=True)
    conversation_id: Mapped[str] = mapped_column(String(36), index=True)
    accessed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )

    def __repr__(self) -> str:
        return (
            f"TranscriptAccess(staff_id={self.staff_id!r}, "
            f"conversation_id={self.conversation_id!r})"
        )
