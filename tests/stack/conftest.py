"""Fixtures that run the whole assistant: a trained Rasa model, the action
server and the directory service with a fresh SQLite database.

The stack uses its own ports, so it can run beside `make run`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stack.launcher import REPO_ROOT, Ports, Stack

STACK_PORTS = Ports(directory=8200, rasa=5205, actions=5255)
# Every request of the suite comes from 127.0.0.1, so the gateway's limit per
# client address is raised to let the whole suite run within one window.
STACK_ENVIRONMENT = {"SOS_RATE_LIMIT_CLIENT_REQUESTS": "10000"}


def seed_database(url: str) -> None:
    """Create the tables of the database at `url` and seed the directory."""
    subprocess.run(
        [sys.executable, "-m", "directory.seed"],
        cwd=REPO_ROOT,
        env={"SOS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        check=True,
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Create and seed a SQLite database for the stack."""
    path = tmp_path_factory.mktemp("stack") / "directory.db"
    url = f"sqlite:///{path}"
    seed_database(url)
    return url


@pytest.fixture(scope="session")
def stack(database_url: str) -> Iterator[Stack]:
    """Start the three processes once for the whole session."""
    running = Stack(
        ports=STACK_PORTS,
        database_url=database_url,
        extra_environment=STACK_ENVIRONMENT,
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def log_dir() -> Path:
    return REPO_ROOT / "var" / "log"


class Conversation:
    """A visitor's conversation through the gateway, as the browser has it."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        response = client.post("/api/chat/conversations")
        response.raise_for_status()
        self.id: str = response.json()["conversation_id"]
        self.reference: str = response.json()["reference"]
        self.buttons: list[dict[str, str]] = []

    def say(self, text: str) -> list[dict]:
        """Send typed text and return the assistant's messages."""
        return self._send({"text": text})

    def press(self, title: str) -> list[dict]:
        """Press the offered button with this title and return the reply."""
        payload = next(b["payload"] for b in self.buttons if b["title"] == title)
        return self._send({"payload": payload})

    def _send(self, body: dict[str, str]) -> list[dict]:
        response = self.client.post(
            f"/api/chat/conversations/{self.id}/messages", json=body
        )
        assert response.status_code == 200, response.text
        messages = response.json()["messages"]
        buttons = [b for m in messages for b in m.get("buttons", [])]
        if buttons:
            self.buttons = buttons
        return messages


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.directory_url, timeout=60.0) as http:
        yield http


@pytest.fixture
def conversation(client: httpx.Client) -> Conversation:
    return Conversation(client)


def joined(messages: list[dict]) -> str:
    """Return all message texts of a reply as one string."""
    return "\n".join(message["text"] for message in messages)
