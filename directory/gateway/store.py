"""Storage of issued conversations in the `chat_conversation` table."""

import uuid

from sqlalchemy.orm import Session

from directory.gateway.models import ChatConversation, utc_now
from directory.gateway.schemas import Button


def create_conversation(session: Session) -> ChatConversation:
    """Issue a new random conversation id and store it."""
    conversation = ChatConversation(
        conversation_id=str(uuid.uuid4()), offered_buttons=[]
    )
    session.add(conversation)
    session.commit()
    return conversation


def find_conversation(
    session: Session, conversation_id: str
) -> ChatConversation | None:
    """Return the conversation with this id, or None if this service never issued it.

    Only the lowercase canonical form of a UUID4, as `create_conversation`
    issues it, can match.
    """
    if not _is_issued_form(conversation_id):
        return None
    return session.get(ChatConversation, conversation_id)


def _is_issued_form(conversation_id: str) -> bool:
    """Return whether `conversation_id` is a UUID4 in lowercase canonical form."""
    try:
        parsed = uuid.UUID(conversation_id)
    except ValueError:
        return False
    return parsed.version == 4 and str(parsed) == conversation_id


def offered_buttons(conversation: ChatConversation) -> list[Button]:
    """Return the buttons of the assistant's last reply in this conversation."""
    return [Button.model_validate(raw) for raw in conversation.offered_buttons or []]


def release_connection(session: Session) -> None:
    """End the session's read transaction so that its database connection goes
    back to the pool while the gateway waits for Rasa.

    Rasa's turn calls the directory service back (signposting, the event
    broker), so holding a connection per waiting turn can exhaust the pool
    under load. The loaded rows stay usable, because the service's sessions do
    not expire them on commit.
    """
    session.commit()


def record_turn(
    session: Session, conversation: ChatConversation, offered: list[Button] | None
) -> None:
    """Update the activity time and, if the assistant replied, the offered buttons."""
    conversation.last_activity_at = utc_now()
    if offered is not None:
        conversation.offered_buttons = [button.model_dump() for button in offered]
    session.commit()


def delete_conversation(session: Session, conversation: ChatConversation) -> None:
    """Delete the conversation row."""
    session.delete(conversation)
    session.commit()
