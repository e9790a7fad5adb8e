"""Decisions of the chat gateway: what to forward to Rasa and what to reply."""

import logging
from dataclasses import dataclass
from typing import Any

from directory.gateway.content import GatewayWording
from directory.gateway.schemas import BotMessage, Button, ChatReply
from directory.gateway.text import TextVerdict, check_text, clean_text
from directory.rasa_client import RasaClient, RasaUnavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnOutcome:
    """The reply to a visitor turn and the buttons to remember for the next turn.

    `offered` is None when the turn did not reach the assistant, so the buttons
    of the assistant's last reply stay valid.
    """

    reply: ChatReply
    offered: list[Button] | None
    delete_conversation: bool = False


def reply_with_text(text: str) -> ChatReply:
    """Build a reply of one message without buttons."""
    return ChatReply(messages=[BotMessage(text=text)])


def _rejection_text(verdict: TextVerdict, wording: GatewayWording) -> str:
    """Return the reply for a message that is not sent to the assistant."""
    replies = {
        TextVerdict.EMPTY: wording.empty_text,
        TextVerdict.TOO_LONG: wording.too_long,
        TextVerdict.COMMAND: wording.command_rejected,
        TextVerdict.NO_WORDS: wording.no_words,
    }
    return replies[verdict]


async def answer_text(
    conversation_id: str,
    text: str | None,
    rasa: RasaClient,
    wording: GatewayWording,
    max_chars: int,
    *,
    metadata: dict[str, Any] | None = None,
) -> TurnOutcome:
    """Clean and check typed text, then forward it to Rasa or reply directly."""
    cleaned = clean_text(text or "")
    verdict = check_text(cleaned, max_chars)

    if verdict is not TextVerdict.OK:
        logger.info(
            "Did not forward a message in conversation %s: %s",
            conversation_id,
            verdict.value,
        )
        return TurnOutcome(reply_with_text(_rejection_text(verdict, wording)), None)

    return await forward_to_rasa(
        conversation_id, cleaned.strip(), rasa, wording, metadata=metadata
    )


async def answer_button(
    conversation_id: str,
    payload: str,
    offered: list[Button],
    rasa: RasaClient,
    wording: GatewayWording,
    *,
    metadata: dict[str, Any] | None = None,
) -> TurnOutcome:
    """Forward a button payload to Rasa if the assistant's last reply offered it."""
    if payload not in {button.payload for button in offered}:
        logger.info(
            "Did not forward a button press in conversation %s: not offered",
            conversation_id,
        )
        return TurnOutcome(_option_unavailable_reply(offered, wording), None)

    return await forward_to_rasa(
        conversation_id, payload, rasa, wording, metadata=metadata
    )


def _option_unavailable_reply(
    offered: list[Button], wording: GatewayWording
) -> ChatReply:
    """Build the reply to a stale button press, showing the current buttons again."""
    if not offered:
        return reply_with_text(wording.option_unavailable_no_options)

    message = BotMessage(text=wording.option_unavailable, buttons=offered)
    return ChatReply(messages=[message])


async def forward_to_rasa(
    conversation_id: str,
    message: str,
    rasa: RasaClient,
    wording: GatewayWording,
    *,
    metadata: dict[str, Any] | None = None,
) -> TurnOutcome:
    """Send a message to Rasa and return its reply, or the fallback reply."""
    try:
        turn = await rasa.send_turn(conversation_id, message, metadata)
    except RasaUnavailable as exc:
        logger.error(
            "Sent the fallback reply in conversation %s because Rasa failed: %s",
            conversation_id,
            exc,
        )
        return TurnOutcome(fallback_reply(wording), None)

    rasa_messages = turn.messages
    messages = to_bot_messages(rasa_messages)
    if not turn.actions_available:
        # Rasa skips custom actions that fail, so the reply may lack the routes
        # and the replies the directory would have given.
        logger.error(
            "Added the key routes in conversation %s because the action server "
            "did not answer",
            conversation_id,
        )
        messages.append(BotMessage(text=wording.actions_unavailable))
    if not messages:
        logger.error(
            "Sent the fallback reply in conversation %s because Rasa replied "
            "with no text and no buttons",
            conversation_id,
        )
        return TurnOutcome(fallback_reply(wording), None)

    offered = [button for bot_message in messages for button in bot_message.buttons]
    return TurnOutcome(
        ChatReply(messages=messages),
        offered,
        delete_conversation=asks_for_deletion(rasa_messages),
    )


def fallback_reply(wording: GatewayWording) -> ChatReply:
    """Build the reply sent when Rasa fails, marked so the widget can tell."""
    reply = reply_with_text(wording.assistant_unavailable)
    return reply.model_copy(update={"assistant_unavailable": True})


def asks_for_deletion(rasa_messages: list[dict[str, Any]]) -> bool:
    """Return whether the assistant asked for the conversation to be deleted.

    The visitor's "delete what I said" runs an action that cannot delete the
    tracker itself, because Rasa holds the conversation's lock during the turn.
    It sends ``{"custom": {"delete_conversation": true}}`` instead.
    """
    return any(
        isinstance(message.get("custom"), dict)
        and message["custom"].get("delete_conversation") is True
        for message in rasa_messages
    )


def to_bot_messages(rasa_messages: list[dict[str, Any]]) -> list[BotMessage]:
    """Convert REST channel messages, dropping those without text or buttons.

    Images, attachments and custom payloads are dropped because the chat shows
    text and buttons only.
    """
    messages = []
    for rasa_message in rasa_messages:
        raw_text = rasa_message.get("text")
        text = raw_text if isinstance(raw_text, str) else ""
        buttons = _to_buttons(rasa_message.get("buttons"))

        if text or buttons:
            messages.append(BotMessage(text=text, buttons=buttons))
    return messages


def _to_buttons(raw_buttons: Any) -> list[Button]:
    """Keep the buttons that have a string title and a string payload."""
    if not isinstance(raw_buttons, list):
        return []

    return [
        Button(title=raw["title"], payload=raw["payload"])
        for raw in raw_buttons
        if isinstance(raw, dict)
        and isinstance(raw.get("title"), str)
        and isinstance(raw.get("payload"), str)
    ]
