"""The assistant sends the visitor the reference for erasure later.

Needs a model trained with the `ask_erasure_reference` examples of
nlu/data/questions.yml.
"""

from __future__ import annotations

from tests.stack.conftest import Conversation, joined


def test_assistant_gives_erasure_reference(conversation: Conversation) -> None:
    reply = joined(
        conversation.say("can i have a reference so i can get this deleted later")
    )

    assert conversation.reference in reply
    # The conversation is kept: the next message gets a reply.
    assert conversation.say("thanks")
