"""Rasa 3.6 tracker events, shaped as the event brokers publish them."""

import uuid
from typing import Any


def user_event(
    conversation_id: str,
    text: str,
    intent: str = "describe_incident",
    confidence: float = 0.91,
    entities: list[dict[str, Any]] | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    """Return a `user` event as Rasa 3.6 publishes it, with a new message id."""
    message_id = message_id or uuid.uuid4().hex
    return {
        "sender_id": conversation_id,
        "event": "user",
        "timestamp": 1796400000.0,
        "metadata": {},
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "text": text,
            "message_id": message_id,
            "metadata": {},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        },
        "input_channel": "rest",
        "message_id": message_id,
    }


def slot_event(conversation_id: str, name: str, value: Any) -> dict[str, Any]:
    return {
        "sender_id": conversation_id,
        "event": "slot",
        "timestamp": 1796400000.1,
        "name": name,
        "value": value,
    }


def action_event(conversation_id: str, name: str) -> dict[str, Any]:
    return {
        "sender_id": conversation_id,
        "event": "action",
        "timestamp": 1796400000.2,
        "name": name,
        "policy": "RulePolicy",
        "confidence": 1.0,
        "action_text": None,
        "hide_rule_turn": False,
    }


def bot_event(
    conversation_id: str,
    text: str | None,
    response: str | None = None,
    buttons: list[dict[str, str]] | None = None,
    custom: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "sender_id": conversation_id,
        "event": "bot",
        "timestamp": 1796400000.3,
        "text": text,
        "data": {
            "elements": None,
            "quick_replies": None,
            "buttons": buttons,
            "attachment": None,
            "image": None,
            "custom": custom,
        },
        "metadata": {"utter_action": response} if response else {},
    }
