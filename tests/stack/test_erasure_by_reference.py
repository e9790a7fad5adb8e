"""Staff erasure by reference clears the conversation from Rasa's tracker store.

The erase command runs against the stack's database and Rasa server, as staff
run it. The person and street are invented.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx

from stack.launcher import REPO_ROOT, Stack
from tests.stack.conftest import Conversation

PLANTED_NAME = "Ottoline Brackenfield"
PLANTED_STREET = "Quillet Mews"


def rasa_tracker(stack: Stack, conversation_id: str) -> str:
    """Return the conversation's tracker as Rasa stores it, as JSON text."""
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.rasa_token},
        timeout=30.0,
    )
    response.raise_for_status()
    return json.dumps(response.json())


def test_erase_command_clears_rasa_tracker(
    stack: Stack, database_url: str, conversation: Conversation
) -> None:
    conversation_id, reference = conversation.id, conversation.reference
    conversation.say(f"{PLANTED_NAME} of {PLANTED_STREET} shouted abuse at me")
    assert PLANTED_NAME in rasa_tracker(stack, conversation_id)

    result = subprocess.run(
        [sys.executable, "-m", "directory.logs", "erase", reference],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "SOS_DATABASE_URL": database_url,
            "SOS_RASA_URLS": stack.rasa_url,
            "SOS_RASA_TOKEN": stack.rasa_token,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    tracker = rasa_tracker(stack, conversation_id)
    assert PLANTED_NAME not in tracker
    assert PLANTED_STREET not in tracker
    after = conversation.client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "hello"}
    )
    assert after.status_code == 404
