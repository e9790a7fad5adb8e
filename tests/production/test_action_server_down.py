"""Action servers stop while conversations run, then start again.

Rasa skips the custom actions it cannot reach and loses the form's progress,
so the gateway sends a turn only to a Rasa server whose paired action server
passes its health check. With none passing, the visitor gets the key routes
from the gateway's fallback reply, and the conversation carries on from where
it was once an action server is back. All people and events are invented.
"""

from __future__ import annotations

from stack.launcher import Stack
from tests.stack.conftest import Conversation, joined

EMERGENCY = "999"
STOP_HATE_UK = "0800 138 1625"
KEY_ROUTES_NOTICE = "Some of my answers aren't available right now"


def test_all_action_servers_down_still_give_key_routes(
    production: Stack, conversation: Conversation, restore_processes: None
) -> None:
    conversation.say("something happened to me and i dont know what to do")
    production.stop_process("actions")
    production.stop_process("actions-2")

    during = conversation.client.post(
        f"/api/chat/conversations/{conversation.id}/messages",
        json={"text": "they punched me in the face in hinckley"},
    ).json()

    assert during["assistant_unavailable"] is True
    assert EMERGENCY in joined(during["messages"])
    assert STOP_HATE_UK in joined(during["messages"])

    # Once the action servers are back, the visitor sends the message again and
    # the conversation carries on to the routes for the place they gave.
    production.start_process("actions")
    production.start_process("actions-2")
    reply = joined(conversation.say("they punched me in the face in hinckley"))
    for _ in range(4):
        if "Hinckley and Bosworth" in reply:
            break
        assert KEY_ROUTES_NOTICE not in reply
        reply = joined(conversation.say(answer_to(reply)))

    assert "Hinckley and Bosworth" in reply


def answer_to(question: str) -> str:
    """Return the visitor's answer to one of the assistant's questions."""
    if "danger" in question:
        return "no"
    if "who you are" in question:
        return "because im black"
    if "Where did it happen" in question:
        return "it was in hinckley"
    return "they punched me in the face"


def test_one_action_server_down_uses_other_pair(
    production: Stack, conversation: Conversation, restore_processes: None
) -> None:
    production.stop_process("actions")

    replies = [
        joined(conversation.say("a man on the bus in hinckley called me a p*ki"))
    ]
    for _ in range(4):
        if "Hinckley and Bosworth" in replies[-1]:
            break
        replies.append(joined(conversation.say(answer_to(replies[-1]))))

    # Every turn goes to the other pair, which gives the routes.
    assert not [reply for reply in replies if "available right now" in reply]
    assert "Hinckley and Bosworth" in replies[-1]
