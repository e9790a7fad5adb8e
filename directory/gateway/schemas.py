"""Request and response bodies of the chat gateway API."""

from pydantic import BaseModel, Field


class ConversationCreated(BaseModel):
    """A new conversation id issued by the server."""

    conversation_id: str = Field(description="UUID4 string, issued by the server.")
    reference: str | None = Field(
        default=None,
        description=(
            "Random 8-character code of the conversation's log, which the visitor "
            "can quote to have it erased; null if the log could not be opened."
        ),
    )


class MessageIn(BaseModel):
    """A visitor turn: typed text, or the payload of a quick-reply button.

    When `payload` is set the turn is a button press and `text` is ignored.
    """

    text: str | None = Field(default=None, description="What the visitor typed.")
    payload: str | None = Field(
        default=None,
        description="Payload of a button from the assistant's last reply.",
    )


class Button(BaseModel):
    """A quick-reply button offered by the assistant."""

    title: str
    payload: str


class BotMessage(BaseModel):
    """One message of the assistant, shown as plain text with optional buttons."""

    text: str
    buttons: list[Button] = Field(default_factory=list)


class ChatReply(BaseModel):
    """The assistant's messages for one visitor turn."""

    messages: list[BotMessage]
    conversation_deleted: bool = Field(
        default=False,
        description=(
            "True when the visitor asked to delete the conversation and it was "
            "deleted; the client should forget the conversation id."
        ),
    )
    assistant_unavailable: bool = Field(
        default=False,
        description=(
            "True when Rasa failed, timed out or replied with nothing, so the "
            "messages are the fallback with emergency and support contacts."
        ),
    )


class ErrorDetail(BaseModel):
    """Error body of the gateway: a sentence saying what failed and what to do."""

    detail: str
