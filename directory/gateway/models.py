"""Database model of the conversations that the chat gateway has issued."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.db.base import Base


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class ChatConversation(Base):
    """A conversation id issued by the gateway and the buttons last offered in it.

    The table stores no visitor text, IP address or user agent. Button titles
    and payloads come from the assistant's replies.
    """

    __tablename__ = "chat_conversation"

    conversation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now
    )
    last_activity_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, index=True
    )
    # Buttons of the assistant's last reply as [{"title": ..., "payload": ...}].
    # A button press is forwarded to Rasa only if its payload is in this list.
    offered_buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    def __repr__(self) -> str:
        return f"ChatConversation(conversation_id={self.conversation_id!r})"
