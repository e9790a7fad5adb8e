"""The assistant tells the visitor the reference for erasure later.

Needs a model trained with the `ask_erasure_reference` examples of
nlu/data/questions.yml.
"""

from __future__ import annotations

import httpx

from stack.launcher import Stack
from tests.stack.conftest import joined


def test_assistant_gives_erasure_reference(stack: Stack) -> None:
    with httpx.Client(base_url=stack.directory_url, timeout=60.0) as client:
        started = client.post("/api/chat/conversations")
        started.raise_for_status()
        conversation_id = started.json()["conversation_id"]
        reference = started.json()["reference"]

        reply = client.post(
            f"/api/chat/conversations/{conversation_id}/messages",
            json={"text": "can i have a reference so i can get this deleted later"},
        )

    assert reply.status_code == 200, reply.text
    text = joined(reply.json()["messages"])
    assert reference in text
    assert reply.json()["conversation_deleted"] is not True
